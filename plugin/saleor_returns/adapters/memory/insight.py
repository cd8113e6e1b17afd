"""ports.InsightRepository in memory: the same definitions as the grouped SQL of adapters/db/insight.py, over
the returns a MemoryDatabase holds (service tests; the SQL and memory figures are compared in tests)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ...domain.analytics import Bucket, Day, Period, ReturnFigures, add_to, money_list, ranked
from ...domain.decision_record import RuleVerdict
from ...domain.labels import LabelStatus
from ...domain.lifecycle import Resolution
from ...domain.policy import Policy
from ...domain.refunds import RefundStatus
from ...domain.returns import Return
from ...ports.insight import RecordedDecision

if TYPE_CHECKING:
    from .uow import MemoryUnitOfWork


class MemoryInsight:
    def __init__(self, uow: "MemoryUnitOfWork") -> None:
        self.uow = uow

    def _in(self, tenant: str, channel: str | None, period: Period) -> list[Return]:
        seq = self.uow.db.seq
        found = [r for r in self.uow.db.returns.values()
                 if r.tenant == tenant and (channel is None or r.channel == channel)
                 and period.since <= r.created_at < period.until]
        return sorted(found, key=lambda r: (r.created_at, seq.get(r.id, 0)))

    async def decisions(self, tenant: str, channel: str, period: Period, traces: bool = True) -> list[RecordedDecision]:
        return [RecordedDecision(r.id, r.number, r.created_at, r.policy_version, r.seen,
                                 r.decision.trace if traces else None) for r in self._in(tenant, channel, period)]

    async def traces(self, tenant: str, return_ids: Collection[str]) -> dict[str, tuple[RuleVerdict, ...]]:
        found = (self.uow.db.returns.get(i) for i in return_ids)
        return {r.id: r.decision.trace for r in found if r is not None and r.tenant == tenant}

    async def policy_versions(self, tenant: str, channel: str) -> dict[int, Policy]:
        return {version: policy for version, policy, _, _ in self.uow.tables.policies.get((tenant, channel), [])}

    async def figures(self, tenant: str, channel: str | None, period: Period, timezone: str) -> ReturnFigures:
        zone = ZoneInfo(timezone)
        returns = self._in(tenant, channel, period)
        groups: dict[str, dict[str, _Acc]] = {k: defaultdict(_Acc) for k in ("status", "reason", "resolution",
                                                                              "product", "day")}
        refunded: dict[str, Decimal] = {}
        keep: dict[str, Decimal] = {}
        labels: dict[str, Decimal] = {}
        hours: list[float] = []
        for r in returns:
            paid = [f for f in r.refunds if f.status is RefundStatus.SUCCEEDED]
            money = sum((f.amount.amount for f in paid), Decimal(0)) if paid else None
            units = sum(line.quantity for line in r.lines)
            add_to(refunded, r.currency, money)
            if r.resolution is Resolution.KEEP_ITEM:
                add_to(keep, r.currency, money)
            for lb in r.labels:
                if lb.cost is not None and lb.status is LabelStatus.ISSUED and lb.carrier_voided_at is None:
                    add_to(labels, lb.cost.currency, lb.cost.amount)
            if paid:
                last = max(f.updated_at or f.created_at for f in paid)
                hours.append((last - r.created_at).total_seconds() / 3600)
            resolution = r.resolution.value if r.resolution else "NONE"
            day = r.created_at.astimezone(zone).date().isoformat()
            for kind, key in (("status", r.status.value), ("resolution", resolution), ("day", day)):
                groups[kind][key].add(r.id, units, r.currency, money)
            for line in r.lines:
                line_money = line.refund.amount if paid else None
                groups["reason"][line.reason].add(r.id, line.quantity, r.currency, line_money)
                groups["product"][line.sku or line.product_name].add(r.id, line.quantity, r.currency, line_money)
        buckets = {kind: ranked(acc.bucket(key) for key, acc in found.items()) for kind, found in groups.items()}
        daily = tuple(sorted((Day(date.fromisoformat(key), acc.returns, money_list(acc.money))
                              for key, acc in groups["day"].items()), key=lambda d: d.date))
        return ReturnFigures(
            returns=len(returns), units=sum(sum(line.quantity for line in r.lines) for r in returns),
            by_status=buckets["status"], by_reason=buckets["reason"], by_resolution=buckets["resolution"],
            by_product=buckets["product"], refunded=money_list(refunded), keep_item_value=money_list(keep),
            label_cost=money_list(labels), median_hours_to_refund=_median(hours), daily=daily)


class _Acc:
    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.units = 0
        self.money: dict[str, Decimal] = {}

    def add(self, return_id: str, units: int, currency: str, money: Decimal | None) -> None:
        self.ids.add(return_id)
        self.units += units
        add_to(self.money, currency, money)

    @property
    def returns(self) -> int:
        return len(self.ids)

    def bucket(self, key: str) -> Bucket:
        return Bucket(key, self.returns, self.units, money_list(self.money))


def _median(values: list[float]) -> float | None:
    """The middle value; for an even count the mean of the two middle ones (as the SQL does)."""
    if not values:
        return None
    ordered = sorted(values)
    mid = (len(ordered) - 1) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid] + ordered[mid + 1]) / 2
