"""Use case: simulateReturnPolicy. Replay a channel's returns of a period under a proposed policy (the current one
with the staff member's changes, validated as updateReturnPolicy validates them) and compare with what was
decided. Reads only; writes nothing and calls no provider."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.analytics import Period, check_period, local_days
from ..domain.exchanges import CHOICE_RULES
from ..domain.money import Money
from ..domain.policy import Policy
from ..domain.simulation import (
    OutcomeCounts,
    SimulatedOutcome,
    SimulationTotals,
    Tally,
    counts_of,
    outcome_of,
    why_changed,
)
from ..ports import PolicyVersion
from .context import Actor, Deps
from .loading import channel_of, current_policy
from .policies import merge_policy
from .replay import replay_decision
from .staff_actions import require_staff

Progress = Callable[[int, int], None]  # (replayed so far, to replay)


@dataclass(frozen=True, slots=True)
class SimulatedReturn:
    return_id: str
    number: str
    requested_at: datetime
    before: SimulatedOutcome
    after: SimulatedOutcome
    refund_before: Money
    refund_after: Money
    why: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SimulatedDay:
    date: date  # in the channel's time zone
    current: OutcomeCounts
    proposed: OutcomeCounts


@dataclass(frozen=True, slots=True)
class PolicySimulation:
    channel: str
    timezone: str
    period: Period
    policy_version: int  # the current version the proposal starts from
    replayed: int
    not_replayable: int  # decided before decisions were kept whole (migration 0011): counted apart
    current: SimulationTotals  # what the recorded decisions did
    proposed: SimulationTotals  # what the proposed policy would have done
    changed: tuple[SimulatedReturn, ...]  # outcome or refund differs, oldest first
    daily: tuple[SimulatedDay, ...]


async def simulate_policy(deps: Deps, actor: Actor, slug: str, changes: dict[str, Any], since: datetime,
                          until: datetime | None = None, progress: Progress | None = None) -> PolicySimulation:
    """The channel's returns requested in [since, until) replayed under the proposed policy. Each is replayed
    against what its own decision saw (the order then, the customer's keep-item history then): one return's
    new outcome does not change what a later one saw."""
    require_staff(actor)
    channel = await channel_of(deps, slug)
    period = check_period(since, until, deps.clock.now(), deps.settings.insight_retention)
    async with deps.uow(readonly=True) as uow:
        current = await current_policy(uow, deps.tenant, slug)
        proposed = PolicyVersion(merge_policy(current.policy, changes, channel), current.version + 1)
        recorded = await uow.insight.decisions(deps.tenant, slug, period, traces=False)
    zone = ZoneInfo(channel.timezone)
    before, after = Tally(), Tally()
    days: dict[date, tuple[dict, dict]] = defaultdict(lambda: (dict.fromkeys(SimulatedOutcome, 0),
                                                               dict.fromkeys(SimulatedOutcome, 0)))
    changed: list[tuple[Any, Any]] = []  # (recorded, replayed) whose outcome or refund differs
    skipped = 0
    for i, rec in enumerate(recorded):
        if progress is not None and i % 250 == 0:
            progress(i, len(recorded))
        seen = rec.seen
        if seen is None or not seen.replayable:
            skipped += 1
            continue
        replayed = await replay_decision(deps, seen, proposed)
        was, becomes = seen.outcome, replayed.outcome
        before.add(was, seen.label_cost)
        after.add(becomes, seen.label_cost)
        day = days[rec.created_at.astimezone(zone).date()]
        day[0][outcome_of(was)] += 1
        day[1][outcome_of(becomes)] += 1
        if outcome_of(was) is not outcome_of(becomes) or was.refund != becomes.refund:
            changed.append((rec, replayed))
    if progress is not None:
        progress(len(recorded), len(recorded))
    daily = tuple(SimulatedDay(d, counts_of(days[d][0]), counts_of(days[d][1]))
                  for d in local_days(period, channel.timezone))
    return PolicySimulation(slug, channel.timezone, period, current.version, len(recorded) - skipped, skipped,
                            before.totals(), after.totals(), await _explained(deps, changed), daily)


async def _explained(deps: Deps, changed: list[tuple[Any, Any]]) -> tuple[SimulatedReturn, ...]:
    """The changed returns with the rules that changed them (their recorded traces read now, for them only)."""
    async with deps.uow(readonly=True) as uow:
        traces = await uow.insight.traces(deps.tenant, [rec.return_id for rec, _ in changed])
    out = []
    for rec, replayed in changed:
        was, becomes = rec.seen.outcome, replayed.outcome
        why = (f"{replayed.refused.code.value}: {replayed.refused.message}",) if replayed.refused else \
            why_changed(traces.get(rec.return_id, ()), replayed.decision.trace if replayed.decision else (), was,
                        becomes)
        out.append(SimulatedReturn(rec.return_id, rec.number, rec.created_at, outcome_of(was), outcome_of(becomes),
                                   was.refund, becomes.refund, why))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Reproduction:
    """A recorded decision next to its replay under the policy version that made it."""

    return_id: str
    number: str
    recorded: tuple[Any, ...]  # the recorded trace (RuleVerdicts)
    replayed: tuple[Any, ...]
    outcome_recorded: Any  # DecisionOutcome
    outcome_replayed: Any

    @property
    def same(self) -> bool:
        return self.recorded == self.replayed and self.outcome_recorded == self.outcome_replayed


async def reproduce_decisions(deps: Deps, actor: Actor, slug: str, since: datetime,
                              until: datetime | None = None) -> list[Reproduction]:
    """Every replayable return of the period replayed under the version that decided it: the proof that a
    replay is the decision (it must give back the same outcome, refund and trace)."""
    require_staff(actor)
    await channel_of(deps, slug)
    period = check_period(since, until, deps.clock.now(), deps.settings.insight_retention)
    async with deps.uow(readonly=True) as uow:
        versions = await uow.insight.policy_versions(deps.tenant, slug)
        recorded = await uow.insight.decisions(deps.tenant, slug, period)
    out = []
    for rec in recorded:
        if rec.seen is None or not rec.seen.replayable:
            continue
        version = rec.seen.policy_version
        policy = versions[version] if version else Policy()
        replayed = await replay_decision(deps, rec.seen, PolicyVersion(policy, version))
        decided = tuple(v for v in rec.trace or () if v.rule not in CHOICE_RULES)  # the shopper's choices apart
        out.append(Reproduction(rec.return_id, rec.number, decided,
                                replayed.decision.trace if replayed.decision else (), rec.seen.outcome,
                                replayed.outcome))
    return out
