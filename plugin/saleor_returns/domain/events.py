"""The audit trail of a return: every transition and every step of its money, label and paperwork."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from .actors import Actor


class EventType(str, Enum):
    """What happened. The values are stored and shown (ReturnEvent.type); they never change."""

    # the lifecycle (same names as the statuses they lead to)
    REQUESTED = "REQUESTED"
    PENDING_REVIEW = "PENDING_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    LABEL_ISSUED = "LABEL_ISSUED"
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"
    CLOSED = "CLOSED"
    # staff
    GOODWILL_SPENT = "GOODWILL_SPENT"
    REFUND_RETRIED = "REFUND_RETRIED"
    # money
    REFUND_REQUESTED = "REFUND_REQUESTED"
    REFUND_CAPPED = "REFUND_CAPPED"
    REFUND_DELAYED = "REFUND_DELAYED"
    REFUND_SUCCEEDED = "REFUND_SUCCEEDED"
    REFUND_FAILED = "REFUND_FAILED"
    REFUND_REQUIRES_ACTION = "REFUND_REQUIRES_ACTION"
    REFUND_REVERSED = "REFUND_REVERSED"
    REFUND_WAITING = "REFUND_WAITING"
    # the label and the parcel
    LABEL_REQUESTED = "LABEL_REQUESTED"
    LABEL_FAILED = "LABEL_FAILED"
    LABEL_EXPIRED = "LABEL_EXPIRED"
    LABEL_VOIDED = "LABEL_VOIDED"
    LABEL_VOID_FAILED = "LABEL_VOID_FAILED"
    ARRIVED = "ARRIVED"
    TRACKING_PROBLEM = "TRACKING_PROBLEM"
    LABEL_EXPIRING = "LABEL_EXPIRING"  # the shopper was reminded that the unused label expires soon
    # the store's own books (Saleor)
    RECORDED_IN_STORE = "RECORDED_IN_STORE"
    STORE_RECORD_FAILED = "STORE_RECORD_FAILED"
    # exchanges (exchanges.md)
    EXCHANGE_CREATED = "EXCHANGE_CREATED"  # the replacement was sent (its number in the note)
    EXCHANGE_FAILED = "EXCHANGE_FAILED"  # out of stock by then: the line is refunded instead
    REFUND_METHOD_CHANGED = "REFUND_METHOD_CHANGED"  # staff switched it before the refund was carried out
    # an event type this version does not know (stored by a newer one)
    OTHER = "OTHER"

    @classmethod
    def parse(cls, value: str) -> "EventType":
        try:
            return cls(value)
        except ValueError:
            return cls.OTHER


@dataclass(frozen=True, slots=True)
class ReturnEvent:
    at: datetime
    actor: Actor
    type: EventType
    note: str | None = None
    id: int | None = None  # set once stored; None: new in this unit of work
    raw_type: str | None = None  # the stored value when `type` is OTHER

    @property
    def type_name(self) -> str:
        return self.raw_type if self.type is EventType.OTHER and self.raw_type else self.type.value
