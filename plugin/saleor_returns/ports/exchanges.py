"""What exchanges and store credit need (exchanges.md): the desk that sends a replacement, and the standalone
store's own ledger of store credit and replacement shipments (part of the unit of work)."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.money import Money
from ..domain.return_exchange import ReplacementOutcome


@dataclass(frozen=True, slots=True)
class ReplacementLine:
    product_id: str
    variant_id: str
    product_name: str
    sku: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class ReplacementCommand:
    """One replacement to send; `idempotency_key` is the return's (domain.return_exchange.exchange_key), reused
    on every attempt so a retry finds the replacement made instead of making another."""

    idempotency_key: str
    tenant: str
    return_id: str
    return_number: str
    order_id: str
    order_number: str
    channel: str
    customer_email: str
    lines: tuple[ReplacementLine, ...]


class ReplacementDesk(Protocol):
    """Sends replacements: the standalone ledger (a shipment with its own number, stock taken off), or Saleor (a
    no-charge order). Never raises for the store's refusals: out of stock is an outcome; an outage is retryable."""

    async def send(self, command: ReplacementCommand) -> ReplacementOutcome:
        ...

    async def units_sent(self, tenant: str, variant_ids: Collection[str]) -> dict[str, int]:
        """Units of these variants this app already sent (the standalone stock is the file's less these)."""
        ...


@dataclass(frozen=True, slots=True)
class StoredCredit:
    code: str
    tenant: str
    idempotency_key: str
    return_number: str
    customer_email: str
    amount: Money  # the refund plus the bonus
    bonus: Money
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredReplacement:
    number: str
    tenant: str
    idempotency_key: str
    return_number: str
    order_id: str
    lines: tuple[tuple[str, int], ...]  # (variant id, units)
    created_at: datetime


class LedgerRepository(Protocol):
    """The standalone store's store credit and replacement shipments, each found by its idempotency key."""

    async def credit(self, idempotency_key: str) -> StoredCredit | None:
        ...

    async def add_credit(self, credit: StoredCredit) -> None:
        ...

    async def credits_of(self, tenant: str, return_numbers: Collection[str]) -> list[StoredCredit]:
        ...

    async def replacement(self, idempotency_key: str) -> StoredReplacement | None:
        ...

    async def add_replacement(self, replacement: StoredReplacement) -> None:
        ...

    async def units_sent(self, tenant: str, variant_ids: Collection[str]) -> dict[str, int]:
        ...
