"""Store credit in a Saleor store: a gift card (giftCardCreate) in the order's currency and channel, for the
customer's e-mail, worth the refund plus the bonus, tagged with the refund's idempotency key and the return
number and noted with the return. Saleor has no idempotency keys: every attempt first looks for the gift card
carrying our tag, so a retry finds it instead of making another."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ...domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from ...domain.return_exchange import STORE_CREDIT_GATEWAY
from ..ledger.store_credit import credit_bonus
from .client import SaleorClient
from .errors import SaleorAuthError, SaleorError, SaleorUnavailable

ClientLookup = Callable[[str], Awaitable[SaleorClient | None]]
APP_TAG = "saleor-returns"


def _failed(code: str, message: str) -> RefundOutcome:
    return RefundOutcome(RefundStatus.FAILED, failure_code=code, failure_message=message)


def _tag(value: str) -> str:
    """Saleor keeps gift card tags in lower case and filters them as written: look for what it keeps."""
    return value.lower()


class SaleorStoreCredit:
    name = STORE_CREDIT_GATEWAY

    def __init__(self, clients: ClientLookup) -> None:
        self.clients = clients

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        client = await self.clients(command.tenant)
        if client is None:
            return _failed("not_installed", f"{command.tenant} is not a Saleor store with the app installed")
        try:
            card = await self._find(client, command.idempotency_key) or await self._create(client, command)
        except SaleorUnavailable as exc:
            return RefundOutcome(RefundStatus.PENDING, failure_code="network", failure_message=str(exc),
                                 retryable=True)
        except SaleorAuthError as exc:
            return _failed("saleor_forbidden", f"Saleor refused the app token (MANAGE_GIFT_CARD needed): {exc}")
        except SaleorError as exc:
            code = (exc.saleor_codes[0] if exc.saleor_codes else "saleor_error").lower()
            return _failed(code, str(exc))
        return RefundOutcome(RefundStatus.SUCCEEDED, psp_reference=card["code"])

    async def _find(self, client: SaleorClient, key: str) -> dict[str, Any] | None:
        edges = ((await client.execute("StoreCreditGiftCards", {"tag": _tag(key)})).get("giftCards") or {}).get(
            "edges")
        return next((e["node"] for e in edges or () if e.get("node")), None)

    async def _create(self, client: SaleorClient, command: RefundCommand) -> dict[str, Any]:
        value = command.amount + credit_bonus(command)
        note = (f"Store credit for return {command.return_number} of order {command.order_id}: "
                f"refund {command.amount} plus bonus {credit_bonus(command)}")
        payload = await client.mutate("StoreCreditGiftCardCreate", {"input": {
            "addTags": [_tag(command.idempotency_key), _tag(f"return-{command.return_number}"), APP_TAG],
            "balance": {"amount": value.amount, "currency": value.currency},
            "userEmail": command.metadata.get("customer_email") or None,
            "channel": command.metadata.get("channel") or None,
            "isActive": True, "note": note,
            "privateMetadata": [{"key": "returns.return", "value": command.return_number},
                                {"key": "returns.key", "value": command.idempotency_key}]}}, "giftCardCreate")
        card: dict[str, Any] = payload["giftCard"]
        return card
