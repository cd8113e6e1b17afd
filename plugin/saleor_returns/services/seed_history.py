"""Demo start-up: play a quarter of past returns (adapters/demo/history.py) through the real services, each step
at the moment it happened: the request (decided then, with what it saw then, so simulations can replay it), a
review approved or rejected by staff some hours later, a parcel received some days later (and refunded)."""
from __future__ import annotations

import heapq
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from ..domain.codes import ReturnError
from ..domain.decision import RequestedLine
from ..domain.lifecycle import RECEIVABLE, Resolution, ReturnStatus
from ..domain.order import Order
from ..domain.returns import Return
from .context import Actor, Deps
from .queries import reload
from .request_return import ReturnInput, request_return
from .staff_actions import approve_return, mark_received, reject_return

log = logging.getLogger(__name__)


class PastLine(Protocol):
    @property
    def order_line_id(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def comment(self) -> str | None: ...


class PastReturn(Protocol):
    """One past request of the history file and what followed it."""

    @property
    def order(self) -> Order: ...
    @property
    def lines(self) -> Sequence[PastLine]: ...
    @property
    def requested_at(self) -> datetime: ...
    @property
    def review_after(self) -> timedelta: ...
    @property
    def rejected(self) -> bool: ...
    @property
    def received_after(self) -> timedelta | None: ...


class _Then:
    """The clock of the past: stands at the step being played."""

    def __init__(self) -> None:
        self.at = datetime.min

    def now(self) -> datetime:
        return self.at


async def seed_history(deps: Deps, history: Sequence[PastReturn], staff: str) -> int:
    """Play the history once (nothing when its first order already has a return); returns how many returns were
    opened. Steps later than now are left out."""
    if not history:
        return 0
    async with deps.uow(readonly=True) as uow:
        if await uow.returns.of_order(deps.tenant, history[0].order.id):
            return 0
    now = deps.clock.now()
    then = _Then()
    past = replace(deps, clock=then)
    person = Actor.staff(staff)
    steps: list[tuple[datetime, int, str, int]] = [(p.requested_at, i, "request", i) for i, p in enumerate(history)]
    heapq.heapify(steps)
    opened: dict[int, str] = {}
    tick = len(steps)
    while steps:
        at, _, kind, i = heapq.heappop(steps)
        if at >= now:
            continue
        then.at = at
        p = history[i]
        try:
            ret = await _step(past, person, kind, p, opened.get(i))
        except ReturnError as err:
            log.warning("history step refused", extra={"order": p.order.id, "step": kind, "code": err.code.value})
            continue
        if ret is None:
            continue
        opened[i] = ret.id
        follow = _next(ret, p, at)
        if follow is not None:
            tick += 1
            heapq.heappush(steps, (follow[0], tick, follow[1], i))
    return len(opened)


async def _step(deps: Deps, staff: Actor, kind: str, p: PastReturn, return_id: str | None) -> Return | None:
    if kind == "request":
        lines = tuple(RequestedLine(x.order_line_id, x.quantity, x.reason, x.comment) for x in p.lines)
        made = await request_return(deps, Actor.guest(p.order.user_email), ReturnInput(p.order.id, lines))
        return made if isinstance(made, Return) else None
    assert return_id is not None
    if kind == "reject":
        return await reject_return(deps, staff, return_id, "Outside what we can take back for this item.")
    if kind == "approve":
        await approve_return(deps, staff, return_id, None, "Checked the photos: fine.")
    elif kind == "receive":
        await mark_received(deps, staff, return_id, None)
    return await reload(deps, return_id)


def _next(ret: Return, p: PastReturn, at: datetime) -> tuple[datetime, str] | None:
    """What followed this step, if the return is where it could follow."""
    if ret.status is ReturnStatus.PENDING_REVIEW:
        return at + p.review_after, "reject" if p.rejected else "approve"
    if ret.status in RECEIVABLE and ret.resolution is Resolution.SHIP_BACK and p.received_after is not None:
        return at + p.received_after, "receive"
    return None


async def import_returns(deps: Deps, returns: Sequence[Return]) -> int:
    """Save returns made elsewhere (the history played on in-memory ports) as they are, in one transaction; they
    get this store's next numbers. Nothing when the first one's order already has a return here."""
    if not returns:
        return 0
    async with deps.uow() as uow:
        if await uow.returns.of_order(deps.tenant, returns[0].order_id):
            return 0
        for ret in returns:
            ret.number = ""  # numbered by this store's sequence
            uow.returns.add(ret)
        await uow.commit()
    return len(returns)
