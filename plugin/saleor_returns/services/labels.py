"""Use case: a prepaid label for a shipped-back return, bought at most once per return.

Every purchase is intent → call → outcome: the label (PURCHASING, with a unique purchase key) is saved
under the order lock before the carrier is called — with the approval itself, so a crash never leaves an
approved return without one; the carrier's shipment id is saved before anything is bought; a retry (the
worker, or a person asking again) checks that shipment before buying. A carrier that refuses or times
out leaves the return APPROVED with a LABEL_FAILED event and the reason on the label.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from zoneinfo import ZoneInfo

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.labels import Label, LabelErrorCode, LabelStatus
from ..domain.order import Order
from ..domain.returns import Return
from ..ports import IssuedLabel, LabelError, LabelLine, LabelRequest, ReturnRef, UpstreamUnavailable, WorkItem
from .context import Actor, Deps
from .loading import fetch_order, locked
from .queries import get_return

log = logging.getLogger(__name__)


async def buy_requested_label(deps: Deps, ref: ReturnRef, label_id: str, order: Order | None = None,
                              known: Return | None = None) -> Return | None:
    """The call for a label whose intent is saved and held by this caller (PURCHASING): prepare the carrier's
    shipment, buy (or reuse), save the outcome. Raises nothing: a failure is saved on the label. `known`: the
    return as the caller saved it a moment ago. Gives the return as saved with the label issued (None: read
    it again)."""
    async with deps.uow(readonly=True) as uow:
        ret = await uow.returns.get(ref.tenant, ref.return_id, known)
    if ret is None:
        return None
    label = ret.label(label_id)
    if label.status is not LabelStatus.PURCHASING or label.voided_at is not None:
        return None
    try:
        order = order or await deps.orders.get_order(ret.order_id)
        if order is None:
            raise LabelError("the order of this return no longer exists", code=LabelErrorCode.CARRIER_UNAVAILABLE)
        carrier = deps.carriers.named(label.carrier)
        if carrier is None:
            raise LabelError(f"the carrier {label.carrier!r} is not configured any more",
                             code=LabelErrorCode.CARRIER_NOT_CONFIGURED)
        request = _request(deps, ret, order, label)
        if label.carrier_reference is None:
            reference = await carrier.prepare_label(request)
            if reference:
                await _change(deps, ref, lambda r: r.label_prepared(label_id, reference), ret)
                request = replace(request, carrier_reference=reference)
        issued = await carrier.create_label(request)
    except UpstreamUnavailable:
        await record_failure(deps, ref, label_id, LabelError("the store could not be reached", True,
                                                              LabelErrorCode.CARRIER_UNAVAILABLE))
        return None
    except LabelError as exc:
        await record_failure(deps, ref, label_id, exc)
        return None
    return await _record_issued(deps, ref, label_id, issued, ret)


async def reissue_label(deps: Deps, actor: Actor, return_id: str) -> None:
    """A fresh label when the last one expired, was voided or could not be bought (staff or the shopper)."""
    seen = await get_return(deps, actor, return_id)  # RETURN_NOT_FOUND for other people's returns
    order = await fetch_order(deps, seen.order_id)
    if order is None:
        raise ReturnError(ReturnErrorCode.ORDER_NOT_FOUND, "The order of this return is gone.", "id")
    ref = ReturnRef(seen.tenant, seen.id, seen.order_id)
    async with deps.uow() as uow:
        ret = await locked(uow, ref)
        label = ret.reissue_label(actor, deps.carriers.for_channel(ret.channel).name, deps.clock.now())
        await uow.commit()
    if label is not None:
        await buy_requested_label(deps, ref, label.id, order)


async def retry_purchase(deps: Deps, item: WorkItem) -> bool:
    """For the worker: claim a due attempt (failed for a passing reason, or in flight past its lease) and buy.
    True when a label is printable afterwards."""
    async with deps.uow() as uow:
        ret = await locked(uow, item.ref)
        claimed = ret.claim_purchase(item.item_id, deps.clock.now())
        await uow.commit()
    if not claimed:
        return False
    await buy_requested_label(deps, item.ref, item.item_id)
    async with deps.uow(readonly=True) as uow:
        after = await uow.returns.get(item.ref.tenant, item.ref.return_id)
    return after is not None and after.label(item.item_id).printable


def _request(deps: Deps, ret: Return, order: Order, label: Label) -> LabelRequest:
    deadline = ret.ship_by(deps.clock.now(), deps.settings.label_valid_days).astimezone(ZoneInfo(ret.timezone))
    return LabelRequest(
        return_id=ret.id, return_number=ret.number, order_number=order.number, ship_from=order.shipping_address,
        ship_to=deps.orders.return_address(order.channel.slug), deadline=deadline, timezone=ret.timezone,
        lines=tuple(LabelLine(line.product_name, line.quantity) for line in ret.lines),
        idempotency_key=label.purchase_key or ret.label_key(1), channel=ret.channel,
        carrier_reference=label.carrier_reference)


async def _change(deps: Deps, ref: ReturnRef, change, known: Return | None = None):  # type: ignore[no-untyped-def]
    """Apply `change` to the return under its order's lock and save it; gives (what change gave, the return)."""
    async with deps.uow() as uow:
        ret = await locked(uow, ref, known)
        result = change(ret)
        await uow.commit()
    return result, ret


async def _record_issued(deps: Deps, ref: ReturnRef, label_id: str, issued: IssuedLabel,
                         known: Return | None = None) -> Return | None:
    now = deps.clock.now()
    void_now, ret = await _change(deps, ref, lambda r: r.label_issued(
        label_id, carrier=issued.carrier, tracking_number=issued.tracking_number, pdf=issued.pdf,
        carrier_reference=issued.carrier_reference, cost=issued.cost, expires_at=issued.expires_at,
        label_format=issued.label_format, qr_code_url=issued.qr_code_url, now=now), known)
    log.info("label issued", extra={"return": ref.return_id, "carrier": issued.carrier,
                                    "tracking": issued.tracking_number})
    if void_now:  # the return was cancelled while the label was being bought
        from .label_voiding import void_label

        await void_label(deps, WorkItem(ref, label_id))
        return None
    return ret  # type: ignore[no-any-return]


async def record_failure(deps: Deps, ref: ReturnRef, label_id: str, exc: LabelError) -> None:
    """The outcome of a failed attempt: FAILED with the reason; passing reasons get a next attempt time."""
    code = LabelErrorCode.parse(exc.code) or LabelErrorCode.CARRIER_REFUSED
    await _change(deps, ref, lambda r: r.label_failed(label_id, code, str(exc), exc.retryable, deps.clock.now()))
    log.warning("label failed", extra={"label": label_id, "code": code.value, "retryable": exc.retryable,
                                       "error": str(exc)})
