"""What a carrier says about a parcel (a tracking webhook), in our words."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class ParcelStatus(str, Enum):
    PRE_TRANSIT = "PRE_TRANSIT"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    RETURNED = "RETURNED"  # back to the shopper
    FAILURE = "FAILURE"
    UNKNOWN = "UNKNOWN"


MOVING = frozenset({ParcelStatus.IN_TRANSIT, ParcelStatus.OUT_FOR_DELIVERY, ParcelStatus.DELIVERED})
TROUBLE = frozenset({ParcelStatus.RETURNED, ParcelStatus.FAILURE})


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    carrier: str
    event_id: str  # what makes a repeat a repeat
    tracking_number: str
    status: ParcelStatus
    detail: str | None = None
    occurred_at: datetime | None = None
