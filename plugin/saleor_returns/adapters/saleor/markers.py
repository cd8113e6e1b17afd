"""What we leave in Saleor and find again: the per-return summary in the order's private metadata (which is
also the write-back marker), and our refund key inside a granted refund's reason."""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

MARKER_PREFIX = "saleor-returns:"
STARTED, DONE = "started", "done"
_REFUND_KEY = re.compile(r"saleor-returns-refund-([0-9a-fA-F-]{36})")
# in the reason of a grant that only records a refund another gateway (Stripe) already paid: made by earlier
# versions of this app (now such refunds are booked by a note and the summary); still read, never sent
RECORDED_ONLY = "already refunded through"


def marker_key(return_number: str) -> str:
    """The private metadata key of one return, e.g. saleor-returns:R-10042."""
    return MARKER_PREFIX + return_number


def refund_id_in(reason: str | None) -> str | None:
    """Our refund id, from a granted refund's reason ("... saleor-returns-refund-<uuid>"), if it is ours."""
    match = _REFUND_KEY.search(reason or "")
    return match.group(1).lower() if match else None


def recorded_only(reason: str | None) -> bool:
    """A grant that books a refund paid elsewhere: it must never be sent to the payment app."""
    return RECORDED_ONLY in (reason or "")


def grant_reason(return_number: str, idempotency_key: str, note: str | None = None) -> str:
    """The reason we give a granted refund: people read the return number, we find the key."""
    text = f"Return {return_number} ({idempotency_key})"
    return f"{text}: {note}" if note else text


@dataclass
class MarkerLine:
    line: str  # the order line id
    qty: int
    reason: str
    shipped: str | None = None  # ISO date of the fulfillment the units came from (their window start)


@dataclass
class Marker:
    """The summary of one return as recorded in Saleor, and which write-back steps are done."""

    number: str
    status: str
    resolution: str | None
    refund: str  # "12.00 USD"
    lines: list[MarkerLine] = field(default_factory=list)
    tracking: str | None = None
    steps: dict[str, str] = field(default_factory=dict)  # products / note → started | done; refund:<id> → status
    v: int = 1
    # our refunds as paid or failed: {id, gateway, status, amount, payment, reference} (strings)
    refunds: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | None) -> "Marker | None":
        """The marker, or None when there is none or it cannot be read (then nothing is assumed done)."""
        if not raw:
            return None
        try:
            data: dict[str, Any] = json.loads(raw)
            lines = [MarkerLine(str(x["line"]), int(x["qty"]), str(x.get("reason") or ""), x.get("shipped"))
                     for x in data.get("lines") or ()]
            return cls(number=str(data["number"]), status=str(data.get("status") or ""),
                       resolution=data.get("resolution"), refund=str(data.get("refund") or ""), lines=lines,
                       tracking=data.get("tracking"),
                       steps={str(k): str(v) for k, v in (data.get("steps") or {}).items()},
                       refunds=[{str(k): str(v) for k, v in r.items()} for r in data.get("refunds") or ()
                                if isinstance(r, dict)])
        except (ValueError, KeyError, TypeError):
            return None

    def booked_elsewhere(self) -> list[dict[str, str]]:
        """Refunds paid outside Saleor's payment apps (Stripe directly) that this return booked in Saleor."""
        return [r for r in self.refunds if r.get("gateway") != "saleor" and r.get("status") == "SUCCEEDED"]

    def returned_in_saleor(self) -> bool:
        """Whether our units may already sit in a RETURNED fulfillment (the step ran, or may have)."""
        return self.steps.get("products") in (STARTED, DONE)
