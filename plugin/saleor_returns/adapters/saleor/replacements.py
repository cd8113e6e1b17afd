"""Replacements in a Saleor store: a new order for the replacement variants at no charge to the shopper — a
draft order (draftOrderCreate: the customer, the original addresses, the return's key as external reference),
a 100 % discount (orderDiscountAdd), then draftOrderComplete — linked from the original order's note and
private metadata. Every attempt first looks the order up by its external reference, so a retry carries on
from where the last one stopped and never makes a second order. Out of stock is Saleor's INSUFFICIENT_STOCK."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from decimal import Decimal
from typing import Any

from ...domain.order import Address, Order
from ...domain.return_exchange import ReplacementOutcome
from ...ports.exchanges import ReplacementCommand
from .client import SaleorClient
from .errors import SaleorError, SaleorMutationError, SaleorUnavailable

ClientLookup = Callable[[str], Awaitable[SaleorClient | None]]
OrderLookup = Callable[[str, str], Awaitable[Order | None]]  # (tenant, order id) -> the original order


def address_input(a: Address | None) -> dict[str, Any] | None:
    if a is None:
        return None
    first, _, last = a.name.partition(" ")
    return {"firstName": first, "lastName": last, "companyName": a.company or "", "streetAddress1": a.street,
            "city": a.city, "postalCode": a.postal_code, "country": a.country, "countryArea": a.country_area or ""}


class SaleorReplacements:
    def __init__(self, clients: ClientLookup, orders: OrderLookup) -> None:
        self.clients, self.orders = clients, orders

    async def send(self, command: ReplacementCommand) -> ReplacementOutcome:
        client = await self.clients(command.tenant)
        if client is None:
            return ReplacementOutcome(created=False, retryable=True, message=f"{command.tenant} is not installed")
        try:
            found = (await client.execute("ReplacementOrder", {"reference": command.idempotency_key})).get("order")
            if found is None:
                found = await self._draft(client, command)
            if found.get("status") == "DRAFT":
                if not await self._ship(client, found):
                    return ReplacementOutcome(created=False, retryable=False, message=(
                        "no shipping method in Saleor can deliver the replacement to the customer's address"))
                found = await self._complete(client, command, found)
                await self._link(client, command, found)
        except SaleorUnavailable as exc:
            return ReplacementOutcome(created=False, retryable=True, message=f"Saleor did not answer: {exc}")
        except SaleorMutationError as exc:
            if "INSUFFICIENT_STOCK" in exc.saleor_codes:
                return ReplacementOutcome(created=False, out_of_stock=True, message=f"out of stock in Saleor ({exc})")
            return ReplacementOutcome(created=False, retryable=True, message=str(exc))
        except SaleorError as exc:
            return ReplacementOutcome(created=False, retryable=True, message=str(exc))
        return ReplacementOutcome(created=True, order_id=found["id"], order_number=str(found["number"]))

    async def _draft(self, client: SaleorClient, command: ReplacementCommand) -> dict[str, Any]:
        original = await self.orders(command.tenant, command.order_id)
        channel = original.channel if original else None
        channel_id = await self._channel_id(client, channel.slug if channel else command.channel)
        address = address_input(original.shipping_address if original else None)
        payload = await client.mutate("ReplacementDraftCreate", {"input": {
            "userEmail": command.customer_email, "user": original.user_id if original else None,
            "channelId": channel_id, "shippingAddress": address, "billingAddress": address,
            "externalReference": command.idempotency_key,
            "customerNote": f"Replacement for return {command.return_number} of order {command.order_number}",
            "privateMetadata": [{"key": "returns.return", "value": command.return_number},
                                {"key": "returns.original_order", "value": command.order_id}],
            "lines": [{"variantId": ln.variant_id, "quantity": ln.quantity} for ln in command.lines]}},
            "draftOrderCreate")
        order: dict[str, Any] = payload["order"]
        await client.mutate("ReplacementDiscount", {"id": order["id"], "reason": f"Exchange for return "
                                                                                 f"{command.return_number}"},
                            "orderDiscountAdd")
        return order

    async def _ship(self, client: SaleorClient, draft: dict[str, Any]) -> bool:
        """Saleor completes a draft of shippable items only with a shipping method: the cheapest active one the
        draft may use (its price is inside the 100 % discount). False when none can deliver there."""
        found = (await client.execute("ReplacementShippingMethods", {"id": draft["id"]})).get("order") or {}
        usable = [m for m in found.get("shippingMethods") or () if m.get("active")]
        if not usable:
            return False
        cheapest = min(usable, key=lambda m: Decimal(str((m.get("price") or {}).get("amount") or 0)))
        await client.mutate("ReplacementShipping", {"id": draft["id"], "method": cheapest["id"]}, "draftOrderUpdate")
        return True

    async def _channel_id(self, client: SaleorClient, slug: str) -> str | None:
        channel = (await client.execute("ReplacementChannel", {"slug": slug})).get("channel")
        return channel.get("id") if channel else None

    async def _complete(self, client: SaleorClient, command: ReplacementCommand,
                        draft: dict[str, Any]) -> dict[str, Any]:
        payload = await client.mutate("ReplacementComplete", {"id": draft["id"]}, "draftOrderComplete")
        order: dict[str, Any] = payload["order"]
        return order

    async def _link(self, client: SaleorClient, command: ReplacementCommand, order: dict[str, Any]) -> None:
        """The original order says where its replacement went (a note, and its private metadata)."""
        await client.mutate("OrderNoteAdd", {"order": command.order_id, "message":
                            f"Return {command.return_number}: replacement order #{order['number']} sent at no "
                            f"charge ({', '.join(f'{ln.quantity} x {ln.product_name}' for ln in command.lines)})"},
                            "orderNoteAdd")
        await client.mutate("UpdateOrderPrivateMetadata", {"id": command.order_id, "input": [
            {"key": f"returns.exchange.{command.return_number}", "value": order["id"]}]}, "updatePrivateMetadata")

    async def units_sent(self, tenant: str, variant_ids: Collection[str]) -> dict[str, int]:
        return {}  # Saleor's own stock already counts the replacement orders
