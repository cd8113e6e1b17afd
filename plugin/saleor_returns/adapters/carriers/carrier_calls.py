"""What the carrier adapters share: address lines, rate choice, the label file download, blocking SDK calls."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import httpx

from ...domain.money import Money
from ...domain.order import Address
from ...ports import LABEL_ADDRESS_INVALID, LABEL_TIMEOUT, LABEL_UNAVAILABLE, LabelError

log = logging.getLogger(__name__)
T = TypeVar("T")


RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})  # a carrier's HTTP answers worth trying again


def cost_in(expected: tuple[Money, ...], currency: str) -> Money | None:
    """The configured expected label cost (RETURNS_LABEL_COST) in `currency`, if there is one."""
    return next((m for m in expected if m.currency == currency.upper()), None)


def street_lines(address: Address) -> tuple[str, str]:
    """street1, street2 from our multi-line street."""
    lines = [part.strip() for part in address.street.splitlines() if part.strip()]
    return (lines[0] if lines else ""), ", ".join(lines[1:])


def require_sender(address: Address | None) -> Address:
    """A carrier label needs the shopper's address; orders without one cannot get a carrier label."""
    if address is None:
        raise LabelError("the order has no shipping address to send the parcel from", retryable=False,
                         code=LABEL_ADDRESS_INVALID)
    return address


@dataclass(frozen=True, slots=True)
class RateOption:
    id: str
    carrier: str
    service: str
    amount: Decimal
    currency: str


def choose_rate(rates: Sequence[RateOption], service: str | None, carrier_name: str) -> RateOption | None:
    """The configured service ("CARRIER:service" or "service", case-insensitive) when offered, else the cheapest."""
    if not rates:
        return None
    if service:
        wanted_carrier, _, wanted_service = service.rpartition(":")
        for rate in rates:
            if rate.service.lower() == wanted_service.lower() and (
                    not wanted_carrier or rate.carrier.lower() == wanted_carrier.lower()):
                return rate
        log.warning("configured service not offered; buying the cheapest rate",
                    extra={"carrier": carrier_name, "service": service,
                           "offered": [f"{r.carrier}:{r.service}" for r in rates]})
    return min(rates, key=lambda r: (r.amount, r.carrier, r.service))


async def blocking(call: Callable[[], T]) -> T:
    """Run a call of a synchronous SDK (requests-based) in a worker thread."""
    return await asyncio.to_thread(call)


async def fetch_label_file(url: str, timeout: float, carrier: str) -> bytes:
    """Download the label PDF the carrier made; a failed download is retryable (the label is bought)."""
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:
            response = await client.get(url)
    except httpx.TimeoutException as exc:
        raise LabelError(f"{carrier}: the label file did not download in time", retryable=True,
                         code=LABEL_TIMEOUT) from exc
    except httpx.HTTPError as exc:
        raise LabelError(f"{carrier}: the label file could not be downloaded ({exc})", retryable=True,
                         code=LABEL_UNAVAILABLE) from exc
    if response.status_code != 200 or not response.content.startswith(b"%PDF"):
        raise LabelError(f"{carrier}: the label file could not be downloaded (HTTP {response.status_code})",
                         retryable=True, code=LABEL_UNAVAILABLE)
    return response.content
