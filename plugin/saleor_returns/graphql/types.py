"""Output types of the public contract (../shared/design/API.md), built from domain values and rows."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import strawberry
from graphql import GraphQLError

from ..domain import codes
from ..domain.codes import EligibilityCode, ReturnErrorCode
from ..domain.eligibility import LineEligibility as DomainLineEligibility
from ..domain.events import EventType
from ..domain.exchanges import ExchangeOption as DomainExchangeOption
from ..domain.labels import Label as DomainLabel
from ..domain.labels import LabelErrorCode
from ..domain.lifecycle import Resolution, ReturnStatus
from ..domain.policy import ExchangeMode, GraceMode, OverrideLevel, RefundTiming, ReturnShipping, WindowStart
from ..domain.refunds import Refund as DomainRefund
from ..domain.refunds import RefundStatus
from ..domain.returns import Return
from ..services.approval_cost import approval_cost
from ..services.eligibility import OrderEligibilityView
from ..services.queries import returns_of_order
from ..web.label_links import label_link
from .context import Info
from .exchanges import (
    Exchange,
    ExchangeOption,
    RefundMethod,
    RefundMethodOption,
    StoreCredit,
    exchange_of,
    store_credit_of,
)
from .money import Money

if TYPE_CHECKING:
    from .notifications import Notification

__all__ = ["EligibilityCode", "ExchangeMode", "GraceMode", "OverrideLevel", "RefundStatus", "RefundTiming",
           "Resolution", "ReturnErrorCode", "ReturnShipping", "ReturnStatus", "WindowStart"]

# The domain's enums are the GraphQL enums (same names, same values): registered, not copied.
strawberry.enum(EligibilityCode, description="Why a line can or cannot be returned.")
strawberry.enum(ReturnErrorCode, description="What went wrong, for clients to switch on.")
strawberry.enum(ReturnStatus)
strawberry.enum(Resolution, description="Keep the item (refund now) or ship it back.")
strawberry.enum(RefundStatus)
strawberry.enum(EventType, name="ReturnEventType", description="What happened to a return (ReturnEvent.kind).")
for _enum in (GraceMode, RefundTiming, WindowStart, ReturnShipping, OverrideLevel, ExchangeMode):
    strawberry.enum(_enum)


@strawberry.type
class ReturnError:
    code: ReturnErrorCode
    message: str
    field: str | None = None

    @classmethod
    def of(cls, err: codes.ReturnError) -> "ReturnError":
        return cls(code=err.code, message=err.message, field=err.field)


def forbidden(bad_token: bool) -> ReturnError:
    why = "The token is not valid." if bad_token else "This needs a staff token."
    return ReturnError(code=codes.ReturnErrorCode.FORBIDDEN, message=why)


def top_level(err: codes.ReturnError) -> GraphQLError:
    """For fields whose contract type is not a union: the same code, as a top-level error."""
    return GraphQLError(err.message, extensions={"code": err.code.value, "field": err.field})


@strawberry.type
class LineEligibility:
    order_line_id: strawberry.ID
    product_name: str
    sku: str | None
    quantity_returnable: int
    eligible: bool
    in_grace: bool
    codes: list[EligibilityCode]
    deadline: datetime | None
    grace_deadline: datetime | None
    unit_refund: Money | None
    reasons: list[str] = strawberry.field(description="Why, in words: one sentence per rule that decided.")
    exchange_options: list[ExchangeOption] = strawberry.field(
        default_factory=list, description="Other variants of the same product at or below the price paid "
                                          "(empty when the store offers no exchanges).")

    @classmethod
    def of(cls, el: DomainLineEligibility, options: tuple[DomainExchangeOption, ...] = ()) -> "LineEligibility":
        """The line's answer, with what it may be swapped for (`options`, from the catalog)."""
        deadline = el.deadline
        return cls(order_line_id=strawberry.ID(el.line.id), product_name=el.line.product_name, sku=el.line.sku,
                   quantity_returnable=el.quantity_returnable, eligible=el.eligible, in_grace=el.in_grace,
                   codes=list(el.codes), deadline=deadline.deadline if deadline else None,
                   grace_deadline=deadline.grace_deadline if deadline else None,
                   unit_refund=Money.of(el.unit_refund) if el.unit_refund else None,
                   reasons=[v.detail for v in el.verdicts if v.code is not None or v.rule == "window"],
                   exchange_options=[ExchangeOption.of(o) for o in options] if options else [])


@strawberry.type
class OrderReturnEligibility:
    order_id: strawberry.ID
    order_number: str
    channel: str
    timezone: str
    deadline: datetime | None
    grace_deadline: datetime | None
    lines: list[LineEligibility]
    refund_methods: list[RefundMethodOption] = strawberry.field(
        default_factory=list, description="What the shopper may choose for this order's refund, with the bonus.")

    @strawberry.field(description="The returns already made on this order, newest first (for whoever may see "
                                  "the order), so a shopper who comes back finds them.")
    async def returns(self, info: Info) -> list["ReturnRequest"]:
        return [ReturnRequest.of(r) for r in await returns_of_order(info.context.deps, str(self.order_id))]

    @classmethod
    def of(cls, view: OrderEligibilityView) -> "OrderReturnEligibility":
        o, offers = view.order, view.exchange_options
        return cls(order_id=strawberry.ID(o.id), order_number=o.number, channel=o.channel.slug,
                   timezone=o.channel.timezone, deadline=view.deadline, grace_deadline=view.grace_deadline,
                   lines=[LineEligibility.of(el, offers.get(el.line.id, ())) for el in view.lines],
                   refund_methods=[RefundMethodOption.of(m) for m in view.refund_methods])


@strawberry.type
class ReturnLine:
    order_line_id: strawberry.ID
    quantity: int
    reason: str
    refund: Money
    product_name: str
    sku: str | None
    comment: str | None
    exchange_variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="The variant sent instead of a refund (its price difference is `refund`).")


@strawberry.type
class Refund:
    id: strawberry.ID
    amount: Money
    status: RefundStatus
    gateway: str
    psp_reference: str | None
    failure_code: str | None
    failure_message: str | None
    created_at: datetime

    @classmethod
    def of(cls, r: DomainRefund) -> "Refund":
        return cls(id=strawberry.ID(r.id), amount=Money.of(r.amount), status=r.status, gateway=r.gateway,
                   psp_reference=r.psp_reference, failure_code=r.failure_code,
                   failure_message=r.failure_message, created_at=r.created_at)


@strawberry.type
class ReturnLabel:
    carrier: str
    tracking_number: str
    url: str = strawberry.field(description="Downloads the PDF; a signed link that expires.")
    cost: Money | None
    expires_at: datetime | None


@strawberry.type
class RuleVerdict:
    rule: str
    verdict: str
    detail: str


@strawberry.type
class Decision:
    resolution: Resolution | None
    policy_version: int
    trace: list[RuleVerdict]
    review_reasons: list[str]


@strawberry.type
class ReturnEvent:
    at: datetime
    actor: str
    type: str
    note: str | None
    kind: EventType = strawberry.field(description="`type` as an enum (OTHER: a type this version does not know).")


@strawberry.type(description="Goodwill an approval would book, against the asker's budget for the store day.")
class ApprovalCost:
    spends: Money
    daily: Money
    left: Money
    allowed: bool = strawberry.field(description="False when it needs a store owner (beyond the budget left).")


@strawberry.type
class ReturnRequest:
    id: strawberry.ID
    number: str
    order_id: strawberry.ID
    order_number: str
    channel: str
    status: ReturnStatus
    resolution: Resolution | None
    created_at: datetime
    updated_at: datetime
    deadline: datetime | None
    grace_deadline: datetime | None
    timezone: str
    lines: list[ReturnLine]
    refund_total: Money
    refunds: list[Refund]
    decision: Decision
    events: list[ReturnEvent]
    customer_email: str
    exception_requested: bool
    refund_method: RefundMethod
    row: strawberry.Private[Return]

    @strawberry.field(description="The store credit, when the refund is taken as store credit.")
    def store_credit(self) -> StoreCredit | None:
        return store_credit_of(self.row)

    @strawberry.field(description="The replacement, when lines are swapped for other variants.")
    def exchange(self) -> Exchange | None:
        return exchange_of(self.row)

    @strawberry.field(description="The label to print, when the item ships back.")
    def label(self, info: Info) -> ReturnLabel | None:
        lb = self.row.active_label
        return label_of(lb, info) if lb else None

    @strawberry.field(description="Why there is no label yet (code LABEL_FAILED), for the shopper and staff; "
                                  "null when there is a label or none was tried.")
    def label_error(self) -> ReturnError | None:
        failed = self.row.label_failure
        if failed is None:
            return None
        return ReturnError(code=codes.ReturnErrorCode.LABEL_FAILED, message=failed.failure_message(),
                           field="shippingAddress" if failed.error_code is LabelErrorCode.ADDRESS_INVALID else None)

    @strawberry.field(description="The e-mails of this return: staff see every one, a shopper those sent to them.")
    async def notifications(self, info: Info) -> list[Annotated["Notification", strawberry.lazy(".notifications")]]:
        from .notifications import notifications_of

        return await notifications_of(info, self.row)

    @strawberry.field(description="Whether the shopper gets e-mails about this return (the store sends them and "
                                  "a mail server is configured): what the portal may promise.")
    async def email_updates(self, info: Info) -> bool:
        from ..services.mail_settings import sends_email

        return await sends_email(info.context.deps, self.row.tenant)

    @strawberry.field(description="Ship the parcel by then: the date printed on the label (store time zone).")
    def ship_by(self, info: Info) -> datetime | None:
        lb = self.row.active_label
        if lb is None:
            return None
        moment = self.row.ship_by(lb.created_at, info.context.deps.settings.label_valid_days)
        return moment.astimezone(ZoneInfo(self.timezone))

    @strawberry.field(description="What approving it now would spend of the asking staff member's goodwill, and "
                                  "what they have left (staff; null for shoppers and returns not in review).")
    async def approval_cost(self, info: Info, resolution: Resolution | None = None) -> "ApprovalCost | None":
        staff = info.context.staff
        if staff is None or self.row.status != ReturnStatus.PENDING_REVIEW.value:
            return None
        cost = await approval_cost(info.context.deps, staff, self.row, resolution)
        return ApprovalCost(spends=Money.of(cost.spends), daily=Money.of(cost.daily), left=Money.of(cost.left),
                            allowed=cost.allowed(staff))

    @classmethod
    def of(cls, r: Return) -> "ReturnRequest":
        d = r.decision
        return cls(
            id=strawberry.ID(r.id), number=r.number, order_id=strawberry.ID(r.order_id), order_number=r.order_number,
            channel=r.channel, status=r.status, resolution=r.resolution, created_at=r.created_at,
            updated_at=r.updated_at, deadline=_local(r.deadline, r.timezone),
            grace_deadline=_local(r.grace_deadline, r.timezone), timezone=r.timezone,
            lines=[ReturnLine(order_line_id=strawberry.ID(line.order_line_id), quantity=line.quantity,
                              reason=line.reason, refund=Money.of(line.refund), product_name=line.product_name,
                              sku=line.sku, comment=line.comment,
                              exchange_variant_id=strawberry.ID(line.exchange.variant_id) if line.exchange else None)
                   for line in r.lines],
            refund_total=Money.of(r.refund_total), refunds=[Refund.of(x) for x in r.refunds],
            decision=Decision(resolution=r.resolution, policy_version=r.policy_version,
                              trace=[RuleVerdict(rule=t.rule, verdict=t.verdict, detail=t.detail) for t in d.trace],
                              review_reasons=[c.value for c in d.review_codes]),
            events=[ReturnEvent(at=e.at, actor=e.actor.label, type=e.type_name, note=e.note, kind=e.type)
                    for e in r.events],
            customer_email=r.customer_email, exception_requested=r.exception_requested,
            refund_method=r.refund_method, row=r)


def _local(moment: datetime | None, timezone: str) -> datetime | None:
    """Deadlines are shown in the store's time zone, the same string everywhere."""
    return moment.astimezone(ZoneInfo(timezone)) if moment else None


def label_of(lb: DomainLabel, info: Info) -> ReturnLabel:
    return ReturnLabel(carrier=lb.carrier, tracking_number=lb.tracking_number, url=label_link(info.context, lb),
                       cost=Money.of(lb.cost) if lb.cost is not None else None, expires_at=lb.expires_at)


@strawberry.type
class ReturnRequested:
    return_request: ReturnRequest


@strawberry.type
class ReturnNotEligible:
    lines: list[LineEligibility]


@strawberry.type
class ReturnCancelled:
    return_request: ReturnRequest


@strawberry.type
class ReturnUpdated:
    return_request: ReturnRequest


OrderReturnEligibilityResult = Annotated[OrderReturnEligibility | ReturnError,
                                         strawberry.union("OrderReturnEligibilityResult")]
RequestReturnResult = Annotated[ReturnRequested | ReturnNotEligible | ReturnError,
                                strawberry.union("RequestReturnResult")]
CancelReturnResult = Annotated[ReturnCancelled | ReturnError, strawberry.union("CancelReturnResult")]
StaffActionResult = Annotated[ReturnUpdated | ReturnError, strawberry.union("StaffActionResult")]
