"""Staff area: the returns list and the actions on a return."""
from __future__ import annotations

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..ports import ReturnFilter
from ..services import staff_actions
from ..services.queries import count_returns, list_returns
from .context import Info
from .exchanges import RefundMethod
from .types import (
    Resolution,
    ReturnError,
    ReturnRequest,
    ReturnStatus,
    ReturnUpdated,
    StaffActionResult,
    forbidden,
    top_level,
)


@strawberry.input
class ReturnRequestFilter:
    status: ReturnStatus | None = None
    channel: str | None = None
    order_id: strawberry.ID | None = None
    search: str | None = strawberry.field(default=None, description="A return number, order number or e-mail.")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ReturnRequestEdge:
    node: ReturnRequest
    cursor: str


@strawberry.type
class ReturnRequestConnection:
    edges: list[ReturnRequestEdge]
    page_info: PageInfo
    flt: strawberry.Private[ReturnFilter]

    @strawberry.field(description="How many returns match the filter, over all pages.")
    async def total_count(self, info: Info) -> int:
        return await count_returns(info.context.deps, self.flt)


@strawberry.type
class AdminQuery:
    @strawberry.field(description="Returns, newest first (staff).")
    async def return_requests(self, info: Info, filter: ReturnRequestFilter | None = None, first: int | None = None,
                              after: str | None = None) -> ReturnRequestConnection:
        ctx = info.context
        ctx.require_staff()
        f = filter or ReturnRequestFilter()
        flt = ReturnFilter(status=f.status.value if f.status else None, channel=f.channel,
                           order_id=str(f.order_id) if f.order_id else None, search=f.search)
        try:
            page = await list_returns(ctx.deps, flt, first, after)
        except DomainError as err:
            raise top_level(err) from err
        return ReturnRequestConnection(
            edges=[ReturnRequestEdge(node=ReturnRequest.of(r), cursor=page.cursor(i))
                   for i, r in enumerate(page.returns)],
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor), flt=flt)


async def _act(info: Info, action, *args) -> StaffActionResult:
    ctx = info.context
    if ctx.staff is None:
        return forbidden(ctx.bad_token)
    try:
        return ReturnUpdated(return_request=ReturnRequest.of(await action(ctx.deps, ctx.staff, *args)))
    except DomainError as err:
        return ReturnError.of(err)


@strawberry.type
class AdminMutation:
    @strawberry.mutation(description="Approve a return in review; optionally convert it to keep-the-item.")
    async def approve_return(self, info: Info, id: strawberry.ID, resolution: Resolution | None = None,
                             note: str | None = None) -> StaffActionResult:
        return await _act(info, staff_actions.approve_return, str(id), resolution, note)

    @strawberry.mutation(description="Reject a return; the note is shown to the shopper.")
    async def reject_return(self, info: Info, id: strawberry.ID, note: str) -> StaffActionResult:
        return await _act(info, staff_actions.reject_return, str(id), note)

    @strawberry.mutation(description="The parcel arrived; refunds waiting for it follow.")
    async def mark_return_received(self, info: Info, id: strawberry.ID, note: str | None = None) -> StaffActionResult:
        return await _act(info, staff_actions.mark_received, str(id), note)

    @strawberry.mutation(description="Switch how a return's refund goes back, before it is carried out (staff).")
    async def set_return_refund_method(self, info: Info, id: strawberry.ID, method: RefundMethod) -> StaffActionResult:
        return await _act(info, staff_actions.switch_refund_method, str(id), method)

    @strawberry.mutation(description="Try a failed or waiting refund again.")
    async def retry_refund(self, info: Info, id: strawberry.ID) -> StaffActionResult:
        return await _act(info, staff_actions.retry_refund, str(id))
