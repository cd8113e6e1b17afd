"""Replaying one recorded decision: the live decision path (gather_and_decide) on in-memory ports seeded from the
return's snapshot, under a given policy. Nothing is written, no provider is called."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.codes import ReturnError
from ..domain.decision import Decision
from ..domain.decision_snapshot import DecisionOutcome, DecisionSnapshot
from ..ports import PolicyVersion
from .context import Deps
from .decide_return import gather_and_decide


@dataclass(frozen=True, slots=True)
class Replayed:
    """The decision the replay made, or the error a live request would have been refused with."""

    decision: Decision | None
    refused: ReturnError | None
    outcome: DecisionOutcome


async def replay_decision(deps: Deps, seen: DecisionSnapshot, policy: PolicyVersion) -> Replayed:
    """What the decision of `seen` becomes under `policy` (its own version gives the recorded decision back)."""
    if seen.order is None or deps.replay is None:
        raise ValueError("this decision was not kept whole: it cannot be replayed")
    ports = deps.replay(deps.tenant, seen.order, seen, policy)
    # made directly, not with dataclasses.replace: a simulation makes thousands of these
    replaying = Deps(uow=ports.uow, orders=ports.orders, refunds=deps.refunds, carriers=ports.carriers,
                     clock=ports.clock, settings=deps.settings, tenant=deps.tenant, replay=deps.replay)
    async with replaying.uow(readonly=True) as uow:
        try:
            decided = await gather_and_decide(uow, replaying, seen.order, seen.requested, seen.exception_requested,
                                              replaying.clock.now())
        except ReturnError as err:  # refused before any rule ran (a reason the policy no longer has, ...)
            return Replayed(None, err, DecisionOutcome.refused(seen.currency))
    return Replayed(decided.decision, None, DecisionOutcome.of(decided.decision, seen.currency))
