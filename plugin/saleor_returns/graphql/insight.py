"""Insight area (staff): simulateReturnPolicy replays a period under a proposed policy, returnAnalytics tells what
returns cost (contract: ../shared/design/api/insight.md)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from ..domain.analytics import Bucket, Day
from ..domain.codes import ReturnError as DomainError
from ..domain.simulation import OutcomeCounts as DomainCounts
from ..domain.simulation import SimulatedOutcome
from ..domain.simulation import SimulationTotals as DomainTotals
from ..services.analytics import ReturnAnalytics as AnalyticsView
from ..services.analytics import return_analytics
from ..services.simulation import PolicySimulation as SimulationView
from ..services.simulation import simulate_policy
from .context import Info
from .policy import ReturnPolicyInput, changes_from_input
from .types import Money, ReturnError, forbidden

strawberry.enum(SimulatedOutcome, description="What a decision did: keep the item, ship it back, wait for a "
                                              "person, or refuse.")


@strawberry.type(description="How many decisions ended each way.")
class OutcomeCounts:
    keep_item: int
    ship_back: int
    review: int
    rejected: int

    @classmethod
    def of(cls, c: DomainCounts) -> "OutcomeCounts":
        return cls(keep_item=c.keep_item, ship_back=c.ship_back, review=c.review, rejected=c.rejected)


@strawberry.type(description="What a set of decisions adds up to; money lists have one entry per currency.")
class SimulationTotals:
    keep_item: int
    ship_back: int
    review: int
    rejected: int
    refunds: list[Money] = strawberry.field(description="What the decisions refund (reviews at the amount "
                                                        "computed, refusals nothing).")
    keep_item_value: list[Money] = strawberry.field(description="Refunds where the shopper keeps the item.")
    label_cost: list[Money] = strawberry.field(description="The expected label cost of each ship-back.")

    @classmethod
    def of(cls, t: DomainTotals) -> "SimulationTotals":
        c = t.counts
        return cls(keep_item=c.keep_item, ship_back=c.ship_back, review=c.review, rejected=c.rejected,
                   refunds=[Money.of(m) for m in t.refunds], keep_item_value=[Money.of(m) for m in t.keep_item_value],
                   label_cost=[Money.of(m) for m in t.label_cost])


@strawberry.type(description="A return whose outcome or refund the proposed policy changes.")
class SimulatedReturn:
    return_id: strawberry.ID
    number: str
    requested_at: datetime
    before: SimulatedOutcome
    after: SimulatedOutcome
    refund_before: Money
    refund_after: Money
    why: list[str] = strawberry.field(description="The rules that made the difference (recorded → proposed).")


@strawberry.type(description="The outcomes of one day's returns (the channel's time zone), recorded and proposed.")
class SimulatedDay:
    date: str
    current: OutcomeCounts
    proposed: OutcomeCounts


@strawberry.type(description="A period's returns replayed under a proposed policy, next to what was decided.")
class PolicySimulation:
    channel: str
    timezone: str
    since: datetime
    until: datetime
    policy_version: int = strawberry.field(description="The current version the proposal starts from.")
    replayed: int
    not_replayable: int = strawberry.field(description="Returns decided before decisions were kept whole: "
                                                       "counted apart, not replayed.")
    current: SimulationTotals = strawberry.field(description="What the recorded decisions did.")
    proposed: SimulationTotals = strawberry.field(description="What the proposed policy would have done.")
    changed: list[SimulatedReturn]
    daily: list[SimulatedDay]

    @classmethod
    def of(cls, s: SimulationView) -> "PolicySimulation":
        return cls(channel=s.channel, timezone=s.timezone, since=s.period.since, until=s.period.until,
                   policy_version=s.policy_version, replayed=s.replayed, not_replayable=s.not_replayable,
                   current=SimulationTotals.of(s.current), proposed=SimulationTotals.of(s.proposed),
                   changed=[SimulatedReturn(return_id=strawberry.ID(c.return_id), number=c.number,
                                            requested_at=c.requested_at, before=c.before, after=c.after,
                                            refund_before=Money.of(c.refund_before),
                                            refund_after=Money.of(c.refund_after), why=list(c.why))
                            for c in s.changed],
                   daily=[SimulatedDay(date=d.date.isoformat(), current=OutcomeCounts.of(d.current),
                                       proposed=OutcomeCounts.of(d.proposed)) for d in s.daily])


@strawberry.type(description="Returns sharing one key; `refunded` is money that went back, per currency.")
class AnalyticsBucket:
    key: str
    returns: int
    units: int
    refunded: list[Money]

    @classmethod
    def of(cls, b: Bucket) -> "AnalyticsBucket":
        return cls(key=b.key, returns=b.returns, units=b.units, refunded=[Money.of(m) for m in b.refunded])


@strawberry.type(description="One day (the channel's time zone; UTC across channels).")
class AnalyticsDay:
    date: str
    returns: int
    refunded: list[Money]

    @classmethod
    def of(cls, d: Day) -> "AnalyticsDay":
        return cls(date=d.date.isoformat(), returns=d.returns, refunded=[Money.of(m) for m in d.refunded])


@strawberry.type(description="What the returns requested in a period cost (docs/insights.md has the definitions).")
class ReturnAnalytics:
    channel: str | None
    timezone: str
    since: datetime
    until: datetime
    returns: int
    units: int
    by_status: list[AnalyticsBucket]
    by_reason: list[AnalyticsBucket]
    by_resolution: list[AnalyticsBucket]
    by_product: list[AnalyticsBucket] = strawberry.field(description="By SKU (the product name when there is none), "
                                                                     "most units first.")
    refunded: list[Money]
    keep_item_value: list[Money]
    label_cost: list[Money]
    median_hours_to_refund: float | None
    daily: list[AnalyticsDay]

    @classmethod
    def of(cls, a: AnalyticsView) -> "ReturnAnalytics":
        f = a.figures
        return cls(channel=a.channel, timezone=a.timezone, since=a.period.since, until=a.period.until,
                   returns=f.returns, units=f.units, by_status=[AnalyticsBucket.of(b) for b in f.by_status],
                   by_reason=[AnalyticsBucket.of(b) for b in f.by_reason],
                   by_resolution=[AnalyticsBucket.of(b) for b in f.by_resolution],
                   by_product=[AnalyticsBucket.of(b) for b in f.by_product],
                   refunded=[Money.of(m) for m in f.refunded], keep_item_value=[Money.of(m) for m in f.keep_item_value],
                   label_cost=[Money.of(m) for m in f.label_cost], median_hours_to_refund=f.median_hours_to_refund,
                   daily=[AnalyticsDay.of(d) for d in f.daily])


PolicySimulationResult = Annotated[PolicySimulation | ReturnError, strawberry.union("PolicySimulationResult")]
ReturnAnalyticsResult = Annotated[ReturnAnalytics | ReturnError, strawberry.union("ReturnAnalyticsResult")]


@strawberry.type
class InsightQuery:
    @strawberry.field(description="Replay a channel's returns of [since, until) under the current policy with these "
                                  "changes; nothing is saved (staff).")
    async def simulate_return_policy(self, info: Info, channel: str, input: ReturnPolicyInput, since: datetime,
                                     until: datetime | None = None) -> PolicySimulationResult:
        ctx = info.context
        if ctx.staff is None:
            return forbidden(ctx.bad_token)
        try:
            found = await simulate_policy(ctx.deps, ctx.staff, channel, changes_from_input(input), since, until)
        except DomainError as err:
            return ReturnError.of(err)
        return PolicySimulation.of(found)

    @strawberry.field(description="What the returns requested in [since, until) cost, for one channel or all (staff).")
    async def return_analytics(self, info: Info, since: datetime, channel: str | None = None,
                               until: datetime | None = None) -> ReturnAnalyticsResult:
        ctx = info.context
        if ctx.staff is None:
            return forbidden(ctx.bad_token)
        try:
            found = await return_analytics(ctx.deps, ctx.staff, channel, since, until)
        except DomainError as err:
            return ReturnError.of(err)
        return ReturnAnalytics.of(found)
