"""An e-mail we owe someone, kept in the outbox: written with the change that causes it, sent after the
commit, its outcome saved. One row per (return, kind, event, recipient): the same event never makes two.

Statuses: PENDING (due: the worker or the request's fast path sends it), SENT, FAILED (the mail server
refused it for good, or it kept failing; staff may retry), HELD (kept, not sent: no mail server is
configured, or the store switched its e-mails off; the console shows it as it would have been sent).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from .codes import ReturnError, ReturnErrorCode


class NotificationKind(str, Enum):
    """Which message (the values are stored and shown; they never change)."""

    REQUEST_RECEIVED = "REQUEST_RECEIVED"
    KEEP_ITEM_REFUNDED = "KEEP_ITEM_REFUNDED"
    LABEL_READY = "LABEL_READY"
    UNDER_REVIEW = "UNDER_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    PARCEL_RECEIVED = "PARCEL_RECEIVED"
    REFUND_SENT = "REFUND_SENT"
    LABEL_EXPIRING = "LABEL_EXPIRING"
    STAFF_REVIEW_NEEDED = "STAFF_REVIEW_NEEDED"
    STORE_CREDIT_ISSUED = "STORE_CREDIT_ISSUED"  # exchanges.md: the refund went back as store credit (its code)
    EXCHANGE_CREATED = "EXCHANGE_CREATED"  # the replacement was sent (its number)
    EXCHANGE_FAILED = "EXCHANGE_FAILED"  # the replacement ran out of stock: the item is refunded instead

    @property
    def for_staff(self) -> bool:
        return self is NotificationKind.STAFF_REVIEW_NEEDED


class NotificationStatus(str, Enum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    HELD = "HELD"  # kept, not sent (see the module docstring); the API shows it as PENDING with the reason


# a temporary refusal (4xx, a dropped connection) is tried again after these waits, then it is FAILED
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=3), timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=2)  # a claimed message is left to its sender this long (longer than the SMTP timeout)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message as written for its reader."""

    subject: str
    text: str
    html: str


@dataclass(slots=True)
class Notification:
    id: str
    tenant: str
    return_id: str
    kind: NotificationKind
    to: str  # one address
    dedupe_key: str  # "<return id>:<kind>:<event ordinal>[:<recipient>]": unique
    created_at: datetime
    to_name: str | None = None
    language: str | None = None  # the order's language ("de", "pt_BR"); None: the store's default
    facts: dict[str, Any] = field(default_factory=dict)  # what the message says, as of the event
    status: NotificationStatus = NotificationStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None  # PENDING: not before (a claim pushes it one lease ahead)
    sent_at: datetime | None = None
    error: str | None = None
    rendered: Rendered | None = None  # what was sent (or held), kept as it was

    @property
    def message_id_local(self) -> str:
        """The left part of the Message-ID header: the same for every attempt, so a repeat is recognisable."""
        return f"notification.{self.id}"

    def due(self, now: datetime) -> bool:
        return self.status is NotificationStatus.PENDING and (self.next_attempt_at is None
                                                              or self.next_attempt_at <= now)

    def claim(self, now: datetime, lease: timedelta = LEASE) -> bool:
        """Take a due message for this sender only."""
        if not self.due(now):
            return False
        self.next_attempt_at = now + lease
        return True

    def sent(self, rendered: Rendered, now: datetime) -> None:
        self.status, self.sent_at, self.rendered = NotificationStatus.SENT, now, rendered
        self.attempts += 1
        self.next_attempt_at, self.error = None, None

    def deferred(self, detail: str, now: datetime, rendered: Rendered | None = None) -> None:
        """A temporary refusal: try again after a backoff; after MAX_ATTEMPTS it is FAILED."""
        self.attempts += 1
        self.rendered = rendered or self.rendered
        if self.attempts >= MAX_ATTEMPTS:
            self.status, self.next_attempt_at = NotificationStatus.FAILED, None
            self.error = f"gave up after {self.attempts} attempts; last: {detail}"[:2000]
            return
        self.next_attempt_at = now + BACKOFF[min(self.attempts - 1, len(BACKOFF) - 1)]
        self.error = f"{detail}; trying again at {self.next_attempt_at.isoformat(timespec='seconds')}"[:2000]

    def failed(self, detail: str, rendered: Rendered | None = None) -> None:
        """A permanent refusal (5xx, a bad address): shown to staff, who may retry."""
        self.attempts += 1
        self.status, self.next_attempt_at, self.error = NotificationStatus.FAILED, None, detail[:2000]
        self.rendered = rendered or self.rendered

    def held(self, reason: str, rendered: Rendered) -> None:
        """Kept, not sent (no mail server; the store's e-mails are off)."""
        self.status, self.next_attempt_at, self.error, self.rendered = NotificationStatus.HELD, None, reason, rendered

    def retry(self, now: datetime) -> None:
        """Staff ask again for a FAILED or HELD message: due now, rendered afresh."""
        if self.status not in (NotificationStatus.FAILED, NotificationStatus.HELD):
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              f"a message that is {self.status.value} cannot be retried")
        self.status, self.next_attempt_at, self.error, self.rendered = NotificationStatus.PENDING, now, None, None
        self.attempts = 0
