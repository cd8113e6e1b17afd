"""Use case: a prepaid label for a shipped-back return, bought at most once per return.

Every purchase is intent → call → outcome: a label row (PURCHASING, with a unique purchase key) is saved
under the order lock before the carrier is called; the carrier's shipment id is saved before anything is
bought; a retry (the worker, or a second call) checks that shipment before buying. A carrier that refuses
or times out leaves the return APPROVED with a LABEL_FAILED event and the reason on the label row.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select, update

from ..adapters.carriers.router import carrier_for_channel, carrier_named
from ..adapters.db.models import LabelRow, ReturnRow
from ..adapters.db.uow import SqlUnitOfWork
from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.lifecycle import Resolution, ReturnStatus, can_move
from ..domain.order import Order
from ..ports import (
    LABEL_ADDRESS_INVALID,
    LABEL_NO_RATE,
    LABEL_NOT_CONFIGURED,
    LABEL_RETURN_ADDRESS,
    LABEL_TIMEOUT,
    LABEL_UNAVAILABLE,
    LabelError,
    LabelLine,
    LabelRequest,
    UpstreamUnavailable,
)
from .context import SYSTEM, Actor, Deps
from .queries import get_return

log = logging.getLogger(__name__)

PURCHASING, ISSUED, FAILED = "PURCHASING", "ISSUED", "FAILED"
LEASE = timedelta(minutes=2)  # an attempt in flight is left alone this long (longer than any carrier timeout)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
REISSUABLE = frozenset({ReturnStatus.APPROVED, ReturnStatus.LABEL_ISSUED})
# LabelError.code → what shoppers and staff read next to LABEL_FAILED
FAILURE_REASONS = {
    LABEL_ADDRESS_INVALID: "the carrier could not use the address on the order",
    LABEL_TIMEOUT: "the carrier did not answer in time",
    LABEL_UNAVAILABLE: "the carrier could not be reached",
    LABEL_NO_RATE: "no carrier service covers this route",
    LABEL_NOT_CONFIGURED: "the store's carrier account is not set up",
    LABEL_RETURN_ADDRESS: "the store's return address is incomplete",
}


def active_label(ret: ReturnRow) -> LabelRow | None:
    """The label to print: issued, not voided (expired labels are voided)."""
    labels = [lb for lb in ret.labels if lb.voided_at is None and lb.status == ISSUED]
    return labels[-1] if labels else None


def open_attempt(ret: ReturnRow) -> LabelRow | None:
    """A purchase not finished yet (in flight, or failed and maybe retried)."""
    labels = [lb for lb in ret.labels if lb.voided_at is None and lb.status in (PURCHASING, FAILED)]
    return labels[-1] if labels else None


def label_failure(ret: ReturnRow) -> LabelRow | None:
    """The failed attempt shoppers and staff should hear about (none while a label is active)."""
    attempt = open_attempt(ret)
    return attempt if attempt is not None and attempt.status == FAILED and active_label(ret) is None else None


def ship_by(ret: ReturnRow, now: datetime, valid_days: int) -> datetime:
    """The one deadline while it is ahead; past it (grace, exceptions) the label's own validity."""
    for moment in (ret.deadline, ret.grace_deadline):
        if moment is not None and now <= moment:
            return moment
    return now + timedelta(days=valid_days)


def due(now: datetime) -> ColumnElement[bool]:
    """Labels whose next attempt (purchase or void) is not in the future."""
    return or_(LabelRow.next_attempt_at.is_(None), LabelRow.next_attempt_at <= now)


async def label_with_return(tx: SqlUnitOfWork, label_id: str) -> tuple[LabelRow, ReturnRow]:
    """A label that exists, and its return."""
    row = await tx.session.get(LabelRow, label_id)
    assert row is not None
    ret = await tx.repo.get_return_by_seq(row.return_seq)
    assert ret is not None
    return row, ret


async def locked_label(tx: SqlUnitOfWork, label_id: str, now: datetime) -> tuple[LabelRow, ReturnRow]:
    """A label that exists and its return, read under the order lock (for writes that decide on their state)."""
    owner = select(ReturnRow.tenant, ReturnRow.order_id).join(LabelRow, LabelRow.return_seq == ReturnRow.seq)
    tenant, order_id = (await tx.session.execute(owner.where(LabelRow.id == label_id))).one()
    await tx.repo.lock_order(tenant, order_id, now)
    return await label_with_return(tx, label_id)


def label_key(ret: ReturnRow, issue: int = 1) -> str:
    """The idempotency key of a return's n-th label (the first keeps the historic form)."""
    return f"saleor-returns-label-{ret.id}" if issue == 1 else f"saleor-returns-label-{ret.id}-{issue}"


async def issue_label(deps: Deps, return_id: str, order: Order) -> LabelRow | None:
    """Draw or buy the label; on failure the return stays APPROVED with a LABEL_FAILED event."""
    started = await _start_purchase(deps, return_id, order, reissue=False)
    if started is None:
        return await _current(deps, return_id)
    return await _buy(deps, *started, order)


async def reissue_label(deps: Deps, actor: Actor, return_id: str) -> None:
    """A fresh label when the last one expired, was voided or could not be bought (staff or the shopper)."""
    ret = await get_return(deps, actor, return_id)  # RETURN_NOT_FOUND for other people's returns
    if ret.resolution != Resolution.SHIP_BACK.value or ReturnStatus(ret.status) not in REISSUABLE:
        raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                          f"a return that is {ret.status} ({ret.resolution or 'undecided'}) gets no new label")
    if active_label(ret) is not None:
        raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                          "This return's label is still valid: print it again from its link.")
    order = await deps.orders.get_order(ret.order_id)
    if order is None:
        raise ReturnError(ReturnErrorCode.ORDER_NOT_FOUND, "The order of this return is gone.", "id")
    started = await _start_purchase(deps, return_id, order, reissue=True, actor=actor)
    if started is not None:
        await _buy(deps, *started, order)


async def _current(deps: Deps, return_id: str) -> LabelRow | None:
    async with deps.uow(readonly=True) as tx:
        ret = await tx.repo.get_return(deps.tenant, return_id)
    return active_label(ret) if ret is not None else None


async def _start_purchase(deps: Deps, return_id: str, order: Order, *, reissue: bool,
                          actor: Actor = SYSTEM) -> tuple[LabelRow, ReturnRow] | None:
    """The intent, under the order lock: a new PURCHASING row, or a failed attempt claimed again; both are
    returned as saved, for the call. None when there is nothing to do (a label exists, another call is
    buying, or the status forbids it)."""
    now = deps.clock.now()
    async with deps.uow() as tx:
        await tx.repo.lock_order(deps.tenant, order.id, now)
        ret = await tx.repo.get_return(deps.tenant, return_id)  # read under the lock
        assert ret is not None
        status = ReturnStatus(ret.status)
        allowed = status in REISSUABLE if reissue else can_move(status, ReturnStatus.LABEL_ISSUED)
        if active_label(ret) is not None or not allowed:
            return None
        attempt = open_attempt(ret)
        if attempt is not None:
            claimed = await _claim(tx, attempt, now, force=reissue) is not None
            if claimed:
                await tx.session.refresh(attempt)  # the claiming UPDATE went around the session
                if reissue:
                    tx.repo.add_event(ret, now, actor.label, "LABEL_REQUESTED", "trying the carrier again")
            await tx.commit()
            return (attempt, ret) if claimed else None
        carrier = carrier_for_channel(deps.carrier, ret.channel)
        issue = len(ret.labels) + 1
        row = LabelRow(id=str(uuid.uuid4()), carrier=carrier.name, tracking_number="", pdf=b"", status=PURCHASING,
                       purchase_key=label_key(ret, issue), attempts=0, next_attempt_at=now + LEASE, created_at=now)
        ret.labels.append(row)
        if reissue:
            tx.repo.add_event(ret, now, actor.label, "LABEL_REQUESTED", f"new label from {carrier.name}")
        await tx.commit()
        return row, ret


async def _claim(tx, row: LabelRow, now: datetime, force: bool = False) -> str | None:
    """Take an attempt for this caller only: one UPDATE that succeeds for exactly one claimant."""
    stmt = update(LabelRow).where(LabelRow.id == row.id, LabelRow.status.in_((PURCHASING, FAILED)),
                                  LabelRow.voided_at.is_(None))
    if not force:
        stmt = stmt.where(due(now))
    else:  # a person asks again: a failed attempt now, but never one still in flight
        stmt = stmt.where(or_(LabelRow.status == FAILED, due(now)))
    result = await tx.session.execute(stmt.values(status=PURCHASING, next_attempt_at=now + LEASE)
                                      .execution_options(synchronize_session=False))
    return row.id if result.rowcount == 1 else None


async def claim_attempt(deps: Deps, label_id: str) -> bool:
    """For the worker: claim a due attempt (failed and retryable, or in flight past its lease)."""
    async with deps.uow() as tx:
        row = await tx.session.get(LabelRow, label_id)
        if row is None:
            return False
        claimed = await _claim(tx, row, deps.clock.now())
        await tx.commit()
        return claimed is not None


async def purchase(deps: Deps, label_id: str, order: Order | None = None) -> LabelRow | None:
    """For a claimed attempt (the worker): the call, if the attempt is still PURCHASING (see _buy)."""
    async with deps.uow(readonly=True) as tx:
        row = await tx.session.get(LabelRow, label_id)
        ret = await tx.repo.get_return_by_seq(row.return_seq) if row is not None else None
    if row is None or ret is None or row.status != PURCHASING or row.voided_at is not None:
        return None
    return await _buy(deps, row, ret, order)


async def _buy(deps: Deps, row: LabelRow, ret: ReturnRow, order: Order | None) -> LabelRow | None:
    """The call: prepare (shipment id saved), then buy or reuse; then the outcome. Raises nothing."""
    label_id = row.id
    try:
        order = order or await deps.orders.get_order(ret.order_id)
        if order is None:
            raise LabelError("the order of this return no longer exists", retryable=False, code=LABEL_UNAVAILABLE)
        carrier = carrier_named(deps.carrier, row.carrier)
        if carrier is None:
            raise LabelError(f"the carrier {row.carrier!r} is not configured any more", code=LABEL_NOT_CONFIGURED)
        request = _request(deps, ret, order, row)
        if row.carrier_reference is None:
            reference = await carrier.prepare_label(request)
            if reference:
                await _save_reference(deps, label_id, reference)
                request = replace(request, carrier_reference=reference)
        issued = await carrier.create_label(request)
    except UpstreamUnavailable:
        await record_failure(deps, label_id, LabelError("the store could not be reached", True, LABEL_UNAVAILABLE))
        return None
    except LabelError as exc:
        await record_failure(deps, label_id, exc)
        return None
    return await _record_issued(deps, label_id, issued)


def _request(deps: Deps, ret: ReturnRow, order: Order, row: LabelRow) -> LabelRequest:
    deadline = ship_by(ret, deps.clock.now(), deps.settings.label_valid_days).astimezone(ZoneInfo(ret.timezone))
    return LabelRequest(
        return_id=ret.id, return_number=ret.number, order_number=order.number, ship_from=order.shipping_address,
        ship_to=deps.orders.return_address(order.channel.slug), deadline=deadline, timezone=ret.timezone,
        lines=tuple(LabelLine(line.product_name, line.quantity) for line in ret.lines),
        idempotency_key=row.purchase_key or label_key(ret), channel=ret.channel,
        carrier_reference=row.carrier_reference)


async def _save_reference(deps: Deps, label_id: str, reference: str) -> None:
    async with deps.uow() as tx:
        row = await tx.session.get(LabelRow, label_id)
        assert row is not None
        row.carrier_reference = reference
        await tx.commit()


async def _record_issued(deps: Deps, label_id: str, issued) -> LabelRow | None:
    now = deps.clock.now()
    async with deps.uow() as tx:
        row, ret = await locked_label(tx, label_id, now)
        if row.status == ISSUED:
            return row  # another attempt already recorded it
        row.status, row.tracking_number, row.pdf = ISSUED, issued.tracking_number, issued.pdf
        row.carrier_reference = issued.carrier_reference or row.carrier_reference
        row.cost = issued.cost.amount if issued.cost else None
        row.currency = issued.cost.currency if issued.cost else None
        row.expires_at, row.label_format, row.qr_code_url = issued.expires_at, issued.label_format, issued.qr_code_url
        row.attempts += 1
        row.next_attempt_at, row.error_code, row.error_message = None, None, None
        void_now = row.voided_at is not None  # the return was cancelled while the label was being bought
        if void_now:
            row.void_status = "PENDING"
        elif can_move(ReturnStatus(ret.status), ReturnStatus.LABEL_ISSUED):
            ret.status = ReturnStatus.LABEL_ISSUED.value
            ret.updated_at = now
        cost = f", {issued.cost}" if issued.cost else ""
        tx.repo.add_event(ret, now, SYSTEM.label, ReturnStatus.LABEL_ISSUED.value,
                          f"{issued.carrier} label {issued.tracking_number}{cost}")
        await tx.commit()
    log.info("label issued", extra={"return": ret.number, "carrier": issued.carrier,
                                    "tracking": issued.tracking_number})
    if void_now:
        from .label_voiding import void_label_row  # cycle: voiding needs the label states above

        await void_label_row(deps, label_id)
    return row


async def record_failure(deps: Deps, label_id: str, exc: LabelError) -> None:
    """The outcome of a failed attempt: FAILED with the reason; retryable ones get a next attempt time."""
    now = deps.clock.now()
    async with deps.uow() as tx:
        row, ret = await label_with_return(tx, label_id)
        row.attempts += 1
        row.status, row.error_code, row.error_message = FAILED, exc.code, str(exc)
        again = exc.retryable and row.attempts < MAX_ATTEMPTS
        row.next_attempt_at = now + BACKOFF[min(row.attempts - 1, len(BACKOFF) - 1)] if again else None
        if not exc.retryable:
            row.carrier_reference = None  # nothing was bought: a later try starts from a fresh shipment
        if row.voided_at is not None and row.carrier_reference:
            row.void_status = "PENDING"  # cancelled meanwhile: make sure nothing stays bought
        when = f"; retrying at {row.next_attempt_at.isoformat()}" if again and row.next_attempt_at else ""
        tx.repo.add_event(ret, now, SYSTEM.label, "LABEL_FAILED", f"{exc.code}: {exc}{when}")
        await tx.commit()
    log.warning("label failed", extra={"label": label_id, "code": exc.code, "retryable": exc.retryable,
                                       "error": str(exc)})


def failure_message(row: LabelRow) -> str:
    """What shoppers and staff read next to LABEL_FAILED."""
    why = FAILURE_REASONS.get(row.error_code or "", "the carrier refused the label")
    then = ("We will try again automatically." if row.next_attempt_at is not None
            else "The store has been told; you can also ask for a new label.")
    return f"We could not create your return label: {why} ({row.error_message or row.error_code}). {then}"
