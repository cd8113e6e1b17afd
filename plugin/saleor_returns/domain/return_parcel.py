"""The return's label and parcel: a label bought at most once (intent → purchase → outcome), reissued,
expired and voided with its carrier; tracking moving the return to IN_TRANSIT and noting delivery."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .actors import SYSTEM, Actor
from .codes import ReturnError, ReturnErrorCode
from .events import EventType
from .labels import (
    LEASE,
    LOCAL_CARRIER,
    MAX_PURCHASE_ATTEMPTS,
    PURCHASE_BACKOFF,
    VOID_BACKOFF,
    Label,
    LabelErrorCode,
    LabelStatus,
    VoidStatus,
)
from .lifecycle import Resolution, ReturnStatus, can_move
from .money import Money
from .policy import RefundTiming
from .tracking import MOVING, TROUBLE, ParcelStatus, TrackingUpdate

if TYPE_CHECKING:
    from .events import ReturnEvent

REISSUABLE = frozenset({ReturnStatus.APPROVED, ReturnStatus.LABEL_ISSUED})
AWAITING_PARCEL = REISSUABLE  # a label may still be used: its shopper is reminded before it expires


class ParcelMoves:
    """Part of Return (domain/returns.py): everything about its labels and its parcel."""

    if TYPE_CHECKING:
        id: str
        status: ReturnStatus
        resolution: Resolution | None
        labels: list[Label]
        events: list[ReturnEvent]
        deadline: datetime | None
        grace_deadline: datetime | None
        refund_due_at: datetime | None
        updated_at: datetime

        @property
        def refund_timing(self) -> RefundTiming: ...
        def log(self, at: datetime, actor: Actor, type_: EventType, note: str | None = None) -> None: ...
        def replacement_not_back(self, now: datetime) -> None: ...

    # --- what it is ----------------------------------------------------------------------------
    @property
    def active_label(self) -> Label | None:
        """The label to print: issued, not voided (expired labels are voided)."""
        printable = [lb for lb in self.labels if lb.printable]
        return printable[-1] if printable else None

    @property
    def open_attempt(self) -> Label | None:
        """A purchase not finished yet (in flight, or failed and maybe retried)."""
        attempts = [lb for lb in self.labels if lb.open_attempt]
        return attempts[-1] if attempts else None

    @property
    def label_failure(self) -> Label | None:
        """The failed attempt shoppers and staff should hear about (none while a label is printable)."""
        attempt = self.open_attempt
        failed = attempt is not None and attempt.status is LabelStatus.FAILED
        return attempt if failed and self.active_label is None else None

    def label(self, label_id: str) -> Label:
        for lb in self.labels:
            if lb.id == label_id:
                return lb
        raise KeyError(label_id)

    def ship_by(self, now: datetime, valid_days: int) -> datetime:
        """The one deadline while it is ahead; past it (grace, exceptions) the label's own validity."""
        for moment in (self.deadline, self.grace_deadline):
            if moment is not None and now <= moment:
                return moment
        return now + timedelta(days=valid_days)

    def label_key(self, issue: int) -> str:
        """The idempotency key of the return's n-th label (the first keeps the historic form)."""
        return f"saleor-returns-label-{self.id}" if issue == 1 else f"saleor-returns-label-{self.id}-{issue}"

    # --- buying ----------------------------------------------------------------------------------
    def request_label(self, carrier: str, now: datetime, *, actor: Actor | None = None) -> Label | None:
        """The intent to buy a label: a new PURCHASING label, or a failed attempt taken up again. None when
        there is nothing to do (a label is printable, another attempt is in flight, or the status forbids)."""
        reissue = actor is not None
        allowed = self.status in REISSUABLE if reissue else can_move(self.status, ReturnStatus.LABEL_ISSUED)
        if self.active_label is not None or not allowed or self.resolution is not Resolution.SHIP_BACK:
            return None
        attempt = self.open_attempt
        if attempt is not None:
            claimed = self.claim_purchase(attempt.id, now, force=reissue)
            if claimed and actor is not None:
                self.log(now, actor, EventType.LABEL_REQUESTED, "trying the carrier again")
            return attempt if claimed else None
        label = Label(id=str(uuid.uuid4()), carrier=carrier, created_at=now, status=LabelStatus.PURCHASING,
                      purchase_key=self.label_key(len(self.labels) + 1), next_attempt_at=now + LEASE)
        self.labels.append(label)
        if actor is not None:
            self.log(now, actor, EventType.LABEL_REQUESTED, f"new label from {carrier}")
        return label

    def reissue_label(self, actor: Actor, carrier: str, now: datetime) -> Label | None:
        """A fresh label when the last one expired, was voided or could not be bought (staff or the shopper)."""
        if self.resolution is not Resolution.SHIP_BACK or self.status not in REISSUABLE:
            how = self.resolution.value if self.resolution else "undecided"
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              f"a return that is {self.status.value} ({how}) gets no new label")
        if self.active_label is not None:
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              "This return's label is still valid: print it again from its link.")
        return self.request_label(carrier, now, actor=actor)

    def claim_purchase(self, label_id: str, now: datetime, *, force: bool = False) -> bool:
        """Take an attempt for this caller only (the worker, or a person asking again): failed and due, or in
        flight past its lease; `force`: a failed one now, but never one still in flight."""
        lb = self.label(label_id)
        if not lb.open_attempt:
            return False
        if not (lb.due(now) or (force and lb.status is LabelStatus.FAILED)):
            return False
        lb.status, lb.next_attempt_at = LabelStatus.PURCHASING, now + LEASE
        return True

    def label_prepared(self, label_id: str, carrier_reference: str) -> None:
        """The carrier's shipment exists (nothing bought yet): a retry checks it before buying."""
        self.label(label_id).carrier_reference = carrier_reference

    def label_issued(self, label_id: str, *, carrier: str, tracking_number: str, pdf: bytes,
                     carrier_reference: str | None, cost: Money | None, expires_at: datetime | None,
                     label_format: str | None, qr_code_url: str | None, now: datetime) -> bool:
        """The purchase went through. True when the label must now be voided with its carrier (the return was
        cancelled while it was being bought)."""
        lb = self.label(label_id)
        if lb.status is LabelStatus.ISSUED:
            return False  # another attempt already recorded it
        lb.status, lb.tracking_number, lb.pdf = LabelStatus.ISSUED, tracking_number, pdf
        lb.carrier_reference = carrier_reference or lb.carrier_reference
        lb.cost, lb.expires_at, lb.label_format, lb.qr_code_url = cost, expires_at, label_format, qr_code_url
        lb.attempts += 1
        lb.next_attempt_at, lb.error_code, lb.error_message = None, None, None
        void_now = lb.voided_at is not None
        if void_now:
            lb.void_status = VoidStatus.PENDING
        elif can_move(self.status, ReturnStatus.LABEL_ISSUED):
            self.status, self.updated_at = ReturnStatus.LABEL_ISSUED, now
        price = f", {cost}" if cost else ""
        self.log(now, SYSTEM, EventType.LABEL_ISSUED, f"{carrier} label {tracking_number}{price}")
        return void_now

    def label_failed(self, label_id: str, code: LabelErrorCode, message: str, retryable: bool,
                     now: datetime) -> None:
        """The purchase failed: FAILED with the reason; a passing reason gets a next attempt time."""
        lb = self.label(label_id)
        if lb.status is LabelStatus.ISSUED:
            return  # another attempt bought it meanwhile
        lb.attempts += 1
        lb.status, lb.error_code, lb.error_message = LabelStatus.FAILED, code, message
        again = retryable and lb.attempts < MAX_PURCHASE_ATTEMPTS
        lb.next_attempt_at = now + PURCHASE_BACKOFF[min(lb.attempts - 1, len(PURCHASE_BACKOFF) - 1)] if again \
            else None
        if not retryable:
            lb.carrier_reference = None  # nothing was bought: a later try starts from a fresh shipment
        if lb.voided_at is not None and lb.carrier_reference:
            lb.void_status = VoidStatus.PENDING  # cancelled meanwhile: make sure nothing stays bought
        when = f"; retrying at {lb.next_attempt_at.isoformat()}" if lb.next_attempt_at else ""
        self.log(now, SYSTEM, EventType.LABEL_FAILED, f"{code.value}: {message}{when}")

    # --- expiry and voiding ----------------------------------------------------------------------
    def expire_label(self, label_id: str, now: datetime) -> bool:
        """An unused label past its expiry is voided here (a new one can be asked for); True when its carrier
        must be asked to void it too."""
        lb = self.label(label_id)
        if not lb.printable or lb.first_scan_at is not None:
            return False
        lb.voided_at = now
        local = lb.carrier == LOCAL_CARRIER
        lb.void_status = VoidStatus.NOT_NEEDED if local else VoidStatus.PENDING
        self.log(now, SYSTEM, EventType.LABEL_EXPIRED,
                 f"{lb.carrier} label {lb.tracking_number} expired unused; a new one can be issued")
        self.replacement_not_back(now)
        return not local

    def void_labels(self, now: datetime) -> list[str]:
        """Every label is void here (the return is cancelled); bought ones get a void intent for their carrier.
        Returns the ids of those."""
        pending = []
        for lb in self.labels:
            if lb.voided_at is None:
                lb.voided_at = now
            if lb.void_status is not None or lb.status not in (LabelStatus.ISSUED, LabelStatus.FAILED):
                continue  # a purchase in flight: its outcome asks for the void (label_issued)
            if lb.carrier == LOCAL_CARRIER or (lb.status is LabelStatus.FAILED and not lb.carrier_reference):
                lb.void_status = VoidStatus.NOT_NEEDED
            else:
                lb.void_status, lb.next_attempt_at = VoidStatus.PENDING, None
                pending.append(lb.id)
        return pending

    def claim_void(self, label_id: str, now: datetime) -> bool:
        """Take a due void (pending, or held past its lease) for this caller only."""
        lb = self.label(label_id)
        if lb.void_status not in (VoidStatus.PENDING, VoidStatus.VOIDING) or not lb.due(now):
            return False
        lb.void_status, lb.next_attempt_at = VoidStatus.VOIDING, now + LEASE
        return True

    def label_void_outcome(self, label_id: str, *, voided: bool, retryable: bool, detail: str | None,
                           now: datetime) -> None:
        lb = self.label(label_id)
        lb.void_attempts += 1
        if voided:
            lb.void_status, lb.carrier_voided_at, lb.next_attempt_at = VoidStatus.DONE, now, None
            what = lb.tracking_number or "(not bought)"
            self.log(now, SYSTEM, EventType.LABEL_VOIDED, f"{lb.carrier} label {what}: {detail or 'voided'}")
        elif retryable:
            lb.void_status = VoidStatus.PENDING
            lb.next_attempt_at = now + VOID_BACKOFF[min(lb.void_attempts - 1, len(VOID_BACKOFF) - 1)]
        else:
            lb.void_status, lb.next_attempt_at = VoidStatus.REJECTED, None
            self.log(now, SYSTEM, EventType.LABEL_VOID_FAILED,
                     f"{lb.carrier} label {lb.tracking_number}: {detail or 'refused'}")

    def remind_label_expiry(self, label_id: str, now: datetime) -> bool:
        """Tell the shopper an unused label expires soon (once per label; the e-mail follows the event)."""
        lb = self.label(label_id)
        if not lb.printable or lb.first_scan_at is not None or lb.expiry_reminded_at is not None:
            return False
        if self.status not in AWAITING_PARCEL or lb.expires_at is None or lb.expires_at <= now:
            return False
        lb.expiry_reminded_at = now
        self.log(now, SYSTEM, EventType.LABEL_EXPIRING,
                 f"{lb.carrier} label {lb.tracking_number} expires {lb.expires_at.isoformat(timespec='minutes')}")
        return True

    # --- the parcel on its way -------------------------------------------------------------------
    def track(self, label_id: str, update: TrackingUpdate, now: datetime) -> None:
        """A carrier's word on the parcel: the first scan moves the return to IN_TRANSIT (and makes an
        ON_FIRST_SCAN refund due); delivery is noted for staff, who check the items and mark it received."""
        lb = self.label(label_id)
        actor = Actor.system(f"webhook:{update.carrier}")
        where = f"{update.carrier} {update.tracking_number}"
        if update.status in MOVING and lb.first_scan_at is None:
            lb.first_scan_at = update.occurred_at or now
            if self.status is not ReturnStatus.IN_TRANSIT and can_move(self.status, ReturnStatus.IN_TRANSIT):
                self.status, self.updated_at = ReturnStatus.IN_TRANSIT, now
                self.log(now, actor, EventType.IN_TRANSIT, f"{where}: {update.detail or 'first scan'}")
                if self.refund_timing is RefundTiming.ON_FIRST_SCAN:
                    self.refund_due_at = now
        if update.status is ParcelStatus.DELIVERED and lb.delivered_at is None:
            lb.delivered_at = update.occurred_at or now
            self.log(now, actor, EventType.ARRIVED,
                     f"delivered to the warehouse ({where}); check the items and mark the return received")
        elif update.status in TROUBLE:
            self.log(now, actor, EventType.TRACKING_PROBLEM,
                     f"{where}: {update.status.value} ({update.detail or 'no detail'})")
