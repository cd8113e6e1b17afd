"""The local carrier: draws a printable 4x6 in return label (label_pdf.py), no network, no cost to the store."""
from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...domain.money import Money
from ...ports import Clock, IssuedLabel, LabelError, LabelRequest, VoidOutcome
from .label_pdf import FORMATS, render_label_pdf

__all__ = ["FORMATS", "LocalLabelCarrier", "render_label_pdf", "tracking_number_for"]


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def tracking_number_for(idempotency_key: str) -> str:
    """"LR" + 12 digits from sha256(key): the same key always draws the same tracking number."""
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    return f"LR{digest % 10**12:012d}"


class LocalLabelCarrier:
    """A LabelCarrier that draws labels itself; tracking numbers are deterministic per idempotency key."""

    name = "local"

    def __init__(self, cost: Money | None = None, valid_days: int = 30, clock: Clock | None = None,
                 label_format: str = "4x6") -> None:
        if valid_days < 1:
            raise ValueError("valid_days must be at least 1")
        if label_format not in FORMATS:
            raise ValueError(f"label_format must be one of {', '.join(FORMATS)}")
        self._cost = cost
        self._valid_days = valid_days
        self._clock: Clock = clock or _UtcClock()
        self.label_format = label_format

    async def prepare_label(self, request: LabelRequest) -> str | None:
        """Nothing to prepare: a local label is drawn in one step."""
        return None

    async def void_label(self, carrier_reference: str | None, tracking_number: str) -> VoidOutcome:
        """A local label was never paid for: voiding it is only our own record."""
        return VoidOutcome(voided=True, detail="local label: nothing to refund")

    def expected_cost(self, currency: str) -> Money | None:
        """The configured cost when it is in `currency`, else None."""
        if self._cost is not None and self._cost.currency == currency.upper():
            return self._cost
        return None

    async def create_label(self, request: LabelRequest) -> IssuedLabel:
        """Draw the label PDF (in a worker thread: reportlab is CPU-bound). Raises LabelError on impossible input."""
        _check(request)
        tracking = tracking_number_for(request.idempotency_key)
        pdf = await asyncio.to_thread(render_label_pdf, request, tracking, self.label_format)
        return IssuedLabel(
            carrier=self.name,
            tracking_number=tracking,
            pdf=pdf,
            cost=self._cost,
            expires_at=self._clock.now() + timedelta(days=self._valid_days),
            carrier_reference=None,
            qr_payload=tracking,
            label_format=self.label_format,
        )


def _check(request: LabelRequest) -> None:
    if not request.return_number.strip():
        raise LabelError("the return number is empty")
    if not request.idempotency_key:
        raise LabelError("the idempotency key is empty")
    if not request.lines or any(line.quantity < 1 for line in request.lines):
        raise LabelError("a label needs at least one line with a positive quantity")
    if request.deadline.tzinfo is None or request.deadline.utcoffset() is None:
        raise LabelError("the deadline must be timezone-aware")
    try:
        ZoneInfo(request.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise LabelError(f"unknown time zone {request.timezone!r}") from exc
