"""Reading returns: one for its shopper or staff, many for staff (returnRequest, returnRequests)."""
from __future__ import annotations

from dataclasses import dataclass

from ..adapters.db.models import ReturnRow
from ..adapters.db.repository import ReturnFilter, decode_cursor, encode_cursor
from ..domain.codes import ReturnError, ReturnErrorCode
from .context import Actor, Deps

MAX_PAGE = 100
MAX_SEQ = 2**31 - 1  # returns.seq is a 32-bit integer column: no cursor we hand out is outside 1..MAX_SEQ


async def get_return(deps: Deps, actor: Actor, return_id: str) -> ReturnRow:
    """The return, if `actor` is staff or the shopper who owns it; otherwise RETURN_NOT_FOUND."""
    async with deps.uow(readonly=True) as tx:
        ret = await tx.repo.get_return(deps.tenant, return_id)
    if ret is None or not (actor.is_staff or _owns(actor, ret)):
        raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, "There is no such return for this e-mail address.", "id")
    return ret


def _owns(actor: Actor, ret: ReturnRow) -> bool:
    if actor.user_id and ret.customer_id and actor.user_id == ret.customer_id:
        return True
    return bool(actor.email) and actor.email == ret.customer_email.lower()


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[ReturnRow]
    has_next: bool

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.rows[-1].seq) if self.rows else None


async def list_returns(deps: Deps, flt: ReturnFilter, first: int | None, after: str | None) -> Page:
    size = 20 if first is None else first
    if size < 1 or size > MAX_PAGE:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"first must be between 1 and {MAX_PAGE}", "first")
    try:
        after_seq = decode_cursor(after) if after else None
        if after_seq is not None and not 0 < after_seq <= MAX_SEQ:
            raise ValueError("cursor out of range")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "after is not a cursor from this list", "after") from exc
    async with deps.uow(readonly=True) as tx:
        rows = await tx.repo.list_returns(deps.tenant, flt, size, after_seq)
    return Page(rows[:size], len(rows) > size)


async def count_returns(deps: Deps, flt: ReturnFilter) -> int:
    """How many returns match the filter, over all pages (the console's counts)."""
    async with deps.uow(readonly=True) as tx:
        return await tx.repo.count_returns(deps.tenant, flt)


async def reload(deps: Deps, return_id: str) -> ReturnRow:
    """The return as saved now, with lines, refunds, labels and events."""
    async with deps.uow(readonly=True) as tx:
        ret = await tx.repo.get_return(deps.tenant, return_id)
    if ret is None:
        raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, f"There is no return {return_id}.", "id")
    return ret
