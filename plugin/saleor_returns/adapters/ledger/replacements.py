"""Replacements in the standalone store (ports.exchanges.ReplacementDesk): a shipment with its own number,
its units taken off the stock the orders file gives; found again by its key, so it is made once."""
from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from ...domain.return_exchange import ReplacementOutcome
from ...ports import OrderSource, UnitOfWork, UnitOfWorkFactory
from ...ports.exchanges import ReplacementCommand, StoredReplacement

STOCK_LOCK = "stock"  # one writer of the standalone stock at a time


def replacement_number(return_number: str) -> str:
    """A replacement's number: its return's, marked (one replacement per return)."""
    return f"X-{return_number}"


class LedgerReplacements:
    def __init__(self, uow: UnitOfWorkFactory, catalog: OrderSource, now: Callable[[], datetime]) -> None:
        self.uow, self.catalog, self.now = uow, catalog, now

    async def send(self, command: ReplacementCommand) -> ReplacementOutcome:
        async with self.uow() as uow:
            await uow.lock(command.tenant, STOCK_LOCK)
            found = await uow.ledger.replacement(command.idempotency_key)
            if found is None:
                short = await self._short(uow, command)
                if short:
                    return ReplacementOutcome(created=False, out_of_stock=True, message=f"{short} is out of stock")
                found = StoredReplacement(number=replacement_number(command.return_number), tenant=command.tenant,
                                          idempotency_key=command.idempotency_key,
                                          return_number=command.return_number, order_id=command.order_id,
                                          lines=tuple((ln.variant_id, ln.quantity) for ln in command.lines),
                                          created_at=self.now())
                await uow.ledger.add_replacement(found)
                await uow.commit()
        return ReplacementOutcome(created=True, order_id=found.number, order_number=found.number)

    async def _short(self, uow: UnitOfWork, command: ReplacementCommand) -> str | None:
        """The first line whose variant has fewer units left than it needs, by name (None: all in stock)."""
        sent = await uow.ledger.units_sent(command.tenant, [ln.variant_id for ln in command.lines])
        for ln in command.lines:
            product = await self.catalog.get_product(ln.product_id, command.channel)
            variant = product.variant(ln.variant_id) if product else None
            if variant is None or variant.stock - sent.get(ln.variant_id, 0) < ln.quantity:
                return f"{ln.product_name} ({variant.name if variant else ln.variant_id})"
        return None

    async def units_sent(self, tenant: str, variant_ids: Collection[str]) -> dict[str, int]:
        async with self.uow(readonly=True) as uow:
            return await uow.ledger.units_sent(tenant, variant_ids)
