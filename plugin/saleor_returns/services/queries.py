"""Reading returns: one for its shopper or staff, many for staff (returnRequest, returnRequests)."""
from __future__ import annotations

import base64
from dataclasses import dataclass

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.returns import Return
from ..ports import ReturnFilter
from .context import Actor, Deps

MAX_PAGE = 100
MAX_SEQ = 2**31 - 1  # positions are 32-bit: no cursor we hand out is outside 1..MAX_SEQ


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"r:{position}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """Raises ValueError for anything we did not hand out."""
    raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    if not raw.startswith("r:"):
        raise ValueError("not a cursor")
    return int(raw[2:])


async def get_return(deps: Deps, actor: Actor, return_id: str) -> Return:
    """The return, if `actor` is staff or the shopper who owns it; otherwise RETURN_NOT_FOUND."""
    async with deps.uow(readonly=True) as uow:
        # shoppers: whose it is first (one small read, the same for an unknown id), the whole return only if theirs
        owner = None if actor.is_staff else await uow.returns.owner(deps.tenant, return_id)
        mine = actor.is_staff or (owner is not None and owner.owned_by(actor.email, actor.user_id))
        ret = await uow.returns.get(deps.tenant, return_id) if mine else None
    if ret is None:
        raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, "There is no such return for this e-mail address.", "id")
    return ret


def visible_to(actor: Actor, ret: Return) -> bool:
    """Staff see every return; a shopper only their own."""
    return actor.is_staff or ret.owned_by(actor.email, actor.user_id)


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[tuple[int, Return]]
    has_next: bool

    @property
    def returns(self) -> list[Return]:
        return [ret for _, ret in self.rows]

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.rows[-1][0]) if self.rows else None

    def cursor(self, index: int) -> str:
        return encode_cursor(self.rows[index][0])


async def list_returns(deps: Deps, flt: ReturnFilter, first: int | None, after: str | None) -> Page:
    size = 20 if first is None else first
    if size < 1 or size > MAX_PAGE:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"first must be between 1 and {MAX_PAGE}", "first")
    try:
        after_pos = decode_cursor(after) if after else None
        if after_pos is not None and not 0 < after_pos <= MAX_SEQ:
            raise ValueError("cursor out of range")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "after is not a cursor from this list", "after") from exc
    async with deps.uow(readonly=True) as uow:
        rows = await uow.returns.page(deps.tenant, flt, size, after_pos)
    return Page(rows[:size], len(rows) > size)


async def count_returns(deps: Deps, flt: ReturnFilter) -> int:
    """How many returns match the filter, over all pages (the console's counts)."""
    async with deps.uow(readonly=True) as uow:
        return await uow.returns.count(deps.tenant, flt)


MAX_RETURNS_OF_ORDER = 100  # an order with more returns than this is not a shopper's order


async def returns_of_order(deps: Deps, order_id: str) -> list[Return]:
    """The returns already made on an order, newest first (OrderReturnEligibility.returns). The caller has
    already checked that the asker may see the order."""
    async with deps.uow(readonly=True) as uow:
        found = await uow.returns.of_order(deps.tenant, order_id)
    return found[:MAX_RETURNS_OF_ORDER]


async def reload(deps: Deps, return_id: str) -> Return:
    """The return as saved now, with lines, refunds, labels and events."""
    async with deps.uow(readonly=True) as uow:
        ret = await uow.returns.get(deps.tenant, return_id)
    if ret is None:
        raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, f"There is no return {return_id}.", "id")
    return ret
