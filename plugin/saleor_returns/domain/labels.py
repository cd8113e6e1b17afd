"""A return's label: bought (or drawn) once, maybe retried, printed, scanned, expired or voided."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from .money import Money


class LabelStatus(str, Enum):
    PURCHASING = "PURCHASING"  # the intent is saved; a carrier call may be in flight
    ISSUED = "ISSUED"  # bought or drawn: printable
    FAILED = "FAILED"  # the carrier refused or did not answer; maybe retried (next_attempt_at)


class VoidStatus(str, Enum):
    """Asking the carrier not to charge for an unused label."""

    PENDING = "PENDING"  # the intent is saved
    VOIDING = "VOIDING"  # a caller holds it and is calling the carrier
    DONE = "DONE"
    REJECTED = "REJECTED"
    NOT_NEEDED = "NOT_NEEDED"  # nothing was paid (a local label, or nothing was bought)


class LabelErrorCode(str, Enum):
    """Why a carrier said no: stable values, shown next to LABEL_FAILED."""

    ADDRESS_INVALID = "ADDRESS_INVALID"
    CARRIER_TIMEOUT = "CARRIER_TIMEOUT"
    CARRIER_UNAVAILABLE = "CARRIER_UNAVAILABLE"
    CARRIER_REFUSED = "CARRIER_REFUSED"
    NO_RATE = "NO_RATE"
    CARRIER_NOT_CONFIGURED = "CARRIER_NOT_CONFIGURED"
    RETURN_ADDRESS_INCOMPLETE = "RETURN_ADDRESS_INCOMPLETE"  # the store's return warehouse has no full address

    @classmethod
    def parse(cls, value: str | None) -> "LabelErrorCode | None":
        if value is None:
            return None
        try:
            return cls(value)
        except ValueError:
            return cls.CARRIER_REFUSED


# LabelErrorCode → what shoppers and staff read next to LABEL_FAILED
FAILURE_REASONS = {
    LabelErrorCode.ADDRESS_INVALID: "the carrier could not use the address on the order",
    LabelErrorCode.CARRIER_TIMEOUT: "the carrier did not answer in time",
    LabelErrorCode.CARRIER_UNAVAILABLE: "the carrier could not be reached",
    LabelErrorCode.NO_RATE: "no carrier service covers this route",
    LabelErrorCode.CARRIER_NOT_CONFIGURED: "the store's carrier account is not set up",
    LabelErrorCode.RETURN_ADDRESS_INCOMPLETE: "the store's return address is incomplete",
}

LEASE = timedelta(minutes=2)  # an attempt in flight is left alone this long (longer than any carrier timeout)
PURCHASE_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                    timedelta(hours=6))
MAX_PURCHASE_ATTEMPTS = len(PURCHASE_BACKOFF) + 1
VOID_BACKOFF = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
LOCAL_CARRIER = "local"  # drawn here: nothing to pay, nothing to void


@dataclass(slots=True)
class Label:
    id: str
    carrier: str
    created_at: datetime
    status: LabelStatus = LabelStatus.PURCHASING
    purchase_key: str | None = None  # the idempotency key of the purchase
    tracking_number: str = ""
    carrier_reference: str | None = None  # the carrier's shipment id (checked before buying again, for voiding)
    cost: Money | None = None
    expires_at: datetime | None = None
    label_format: str | None = None
    qr_code_url: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    error_code: LabelErrorCode | None = None
    error_message: str | None = None
    voided_at: datetime | None = None  # void here: not printable any more
    void_status: VoidStatus | None = None
    void_attempts: int = 0
    carrier_voided_at: datetime | None = None
    first_scan_at: datetime | None = None
    delivered_at: datetime | None = None
    expiry_reminded_at: datetime | None = None  # the shopper was reminded it expires soon (once per label)
    pdf: bytes | None = None  # only when just issued (stored once; downloads read it apart)

    @property
    def printable(self) -> bool:
        return self.status is LabelStatus.ISSUED and self.voided_at is None

    @property
    def open_attempt(self) -> bool:
        """A purchase not finished yet (in flight, or failed and maybe retried)."""
        return self.voided_at is None and self.status in (LabelStatus.PURCHASING, LabelStatus.FAILED)

    def due(self, now: datetime) -> bool:
        return self.next_attempt_at is None or self.next_attempt_at <= now

    def failure_message(self) -> str:
        """What shoppers and staff read next to LABEL_FAILED."""
        why = FAILURE_REASONS.get(self.error_code, "the carrier refused the label") if self.error_code else \
            "the carrier refused the label"
        then = ("We will try again automatically." if self.next_attempt_at is not None
                else "The store has been told; you can also ask for a new label.")
        code = self.error_code.value if self.error_code else None
        return f"We could not create your return label: {why} ({self.error_message or code}). {then}"
