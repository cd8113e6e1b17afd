"""Shopper area: eligibility, asking for a return, following and cancelling it."""
from __future__ import annotations

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..domain.codes import ReturnErrorCode as C
from ..domain.decision import RequestedLine
from ..domain.exchanges import RefundMethod
from ..services.cancel_return import cancel_return
from ..services.eligibility import check_eligibility
from ..services.exchange_choices import AskedChoices
from ..services.queries import get_return
from ..services.request_return import NotEligible, ReturnInput, request_return
from .context import Info
from .types import (
    CancelReturnResult,
    LineEligibility,
    OrderReturnEligibility,
    OrderReturnEligibilityResult,
    RequestReturnResult,
    ReturnCancelled,
    ReturnError,
    ReturnNotEligible,
    ReturnRequest,
    ReturnRequested,
)

MAX_LINES = 500
MAX_QUANTITY = 100_000
MAX_TEXT = 2000


@strawberry.input
class ReturnLineInput:
    order_line_id: strawberry.ID
    quantity: int
    reason: str
    comment: str | None = None
    exchange_variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Swap the line for this variant of the same product instead of a refund.")


@strawberry.input
class RequestReturnInput:
    order_id: strawberry.ID
    email: str | None = None
    lines: list[ReturnLineInput]
    exception_requested: bool | None = False
    note: str | None = None
    refund_method: RefundMethod | None = strawberry.field(
        default=None, description="How the refund goes back (default ORIGINAL_PAYMENT).")


def _choices(inp: RequestReturnInput) -> AskedChoices:
    swaps = {str(x.order_line_id): str(x.exchange_variant_id) for x in inp.lines if x.exchange_variant_id}
    return AskedChoices(inp.refund_method, swaps)


def _bounded(inp: RequestReturnInput) -> None:
    """Absurd input is refused before it reaches the store."""
    if len(inp.lines) > MAX_LINES:
        raise DomainError(C.INVALID_INPUT, f"at most {MAX_LINES} lines per return", "lines")
    for i, line in enumerate(inp.lines):
        if line.quantity > MAX_QUANTITY:
            raise DomainError(C.QUANTITY_EXCEEDED, "that quantity is more than was ordered", f"lines[{i}].quantity")
        if line.comment and len(line.comment) > MAX_TEXT:
            raise DomainError(C.INVALID_INPUT, f"comments are limited to {MAX_TEXT} characters",
                              f"lines[{i}].comment")
    if inp.note and len(inp.note) > MAX_TEXT:
        raise DomainError(C.INVALID_INPUT, f"notes are limited to {MAX_TEXT} characters", "note")


bounded = _bounded  # previewReturn takes the same input with the same limits


@strawberry.type
class ReturnsQuery:
    @strawberry.field(description="Which lines of an order can be returned, until when, and why.")
    async def order_return_eligibility(self, info: Info, order_id: strawberry.ID,
                                       email: str | None = None) -> OrderReturnEligibilityResult:
        ctx = info.context
        try:
            view = await check_eligibility(ctx.deps, ctx.shopper(email), str(order_id))
        except DomainError as err:
            return ReturnError.of(err)
        return OrderReturnEligibility.of(view)

    @strawberry.field(description="A return, for its shopper (with the order's e-mail) or for staff.")
    async def return_request(self, info: Info, id: strawberry.ID, email: str | None = None) -> ReturnRequest | None:
        ctx = info.context
        try:
            return ReturnRequest.of(await get_return(ctx.deps, ctx.shopper(email), str(id)))
        except DomainError:
            return None  # not found and not yours look the same


@strawberry.type
class ReturnsMutation:
    @strawberry.mutation(description="Ask to return lines of an order; decided at once.")
    async def request_return(self, info: Info, input: RequestReturnInput) -> RequestReturnResult:
        ctx = info.context
        try:
            _bounded(input)
            lines = tuple(RequestedLine(str(x.order_line_id), x.quantity, x.reason.strip(), x.comment)
                          for x in input.lines)
            result = await request_return(ctx.deps, ctx.shopper(input.email),
                                          ReturnInput(str(input.order_id), lines, bool(input.exception_requested),
                                                      input.note, _choices(input)))
        except DomainError as err:
            return ReturnError.of(err)
        if isinstance(result, NotEligible):
            return ReturnNotEligible(lines=[LineEligibility.of(el) for el in result.lines])
        return ReturnRequested(return_request=ReturnRequest.of(result))

    @strawberry.mutation(description="Cancel a return: shoppers until the parcel is scanned, staff until refunded.")
    async def cancel_return(self, info: Info, id: strawberry.ID, email: str | None = None) -> CancelReturnResult:
        ctx = info.context
        try:
            return ReturnCancelled(return_request=ReturnRequest.of(
                await cancel_return(ctx.deps, ctx.shopper(email), str(id))))
        except DomainError as err:
            return ReturnError.of(err)
