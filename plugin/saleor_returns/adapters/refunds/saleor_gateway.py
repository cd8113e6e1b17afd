"""Refunds through Saleor (RETURNS_REFUND_GATEWAY=saleor): the store's own payment app pays the money back.

One refund = one granted refund on the charged transaction (orderGrantRefundCreate, our amount, the
return's lines for Saleor's books, our idempotency key in its reason), then
transactionRequestRefundForGrantedRefund. Saleor has no idempotency keys, so every attempt first looks
for the grant carrying our key and carries on from its status; a retry never grants twice. Saleor
confirms through webhooks (ORDER_REFUNDED, ...: services/saleor_webhooks.py); until then the refund is
PENDING and the worker's next attempt is this same status look-up.

With another gateway (Stripe) on a Saleor store nothing is granted: a granted refund could be sent to the
payment app from the Dashboard and pay the same money twice. The write-back books such a refund as an
order note and in the return's summary (services/saleor_refund_notes.py).
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from ...domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from ...ports import GrantLine, GrantPlan  # noqa: F401  (GrantLine: the lines a plan holds)
from ..saleor.client import SaleorClient
from ..saleor.errors import SaleorAuthError, SaleorError, SaleorMutationError, SaleorUnavailable
from ..saleor.markers import grant_reason, refund_id_in

log = logging.getLogger(__name__)
GRANT_STATUS = {"PENDING": RefundStatus.PENDING, "SUCCESS": RefundStatus.SUCCEEDED, "FAILURE": RefundStatus.FAILED}
WAITING = "asked the store's payment app; waiting for Saleor to confirm"


ClientLookup = Callable[[str], Awaitable[SaleorClient | None]]
PlanLookup = Callable[[str], Awaitable[GrantPlan | None]]


class SaleorRefundGateway:
    """A RefundGateway for every installed store: the command's tenant picks the store."""

    name = "saleor"

    def __init__(self, clients: ClientLookup | None = None, plans: PlanLookup | None = None) -> None:
        self.clients = clients
        self.plans = plans

    def wire(self, clients: ClientLookup, plans: PlanLookup | None) -> None:
        """Connect to the installed stores (bootstrap builds the gateway before the tenants exist)."""
        self.clients, self.plans = clients, plans

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        """Grant (once) and request the refund, or report where an earlier attempt got to."""
        client = await self.clients(command.tenant) if self.clients else None
        if client is None:
            return _failed("not_installed", f"{command.tenant} is not a Saleor store with the app installed")
        try:
            order = (await client.execute("GrantedRefunds", {"id": command.order_id})).get("order")
            if order is None:
                return _failed("order_not_found", f"Saleor has no order {command.order_id}")
            grant = find_grant(order, command)
            if grant is None:
                transaction = charged_transaction(order, command.psp_reference)
                if transaction is None:
                    return _failed("no_transaction", f"no charged transaction {command.psp_reference} on the order")
                failed = failed_grant_to_retry(order, command, transaction)
                if failed is not None:
                    return await self._request(client, command, await _adopt(client, command, failed), order,
                                               ask_again=True)
                grant = await self._grant(client, command, transaction)
            return await self._request(client, command, grant, order)
        except SaleorUnavailable as exc:
            return RefundOutcome(RefundStatus.PENDING, psp_reference=command.provider_refund_id, failure_code="network",
                                 failure_message=str(exc), retryable=True)
        except SaleorAuthError as exc:
            return _failed("saleor_forbidden", f"Saleor refused the app token: {exc}")
        except SaleorError as exc:
            code = (exc.saleor_codes[0] if exc.saleor_codes else "saleor_error").lower()
            return _failed(code, str(exc))

    async def _grant(self, client: SaleorClient, command: RefundCommand, transaction_id: str) -> dict[str, Any]:
        plan = await self.plans(command.refund_id) if self.plans else None
        base = {"amount": command.amount.amount, "transactionId": transaction_id,
                "reason": grant_reason(command.return_number, command.idempotency_key)}
        if plan and (plan.lines or plan.shipping):
            detailed = {**base, "lines": [{"id": ln.order_line_id, "quantity": ln.quantity, "reason": ln.reason}
                                          for ln in plan.lines]}
            if plan.shipping:
                detailed["grantRefundForShipping"] = True
            try:
                return await _create_grant(client, command.order_id, detailed)
            except SaleorMutationError as exc:  # e.g. lines granted before: the amount alone still books it
                log.info("granting with lines refused; granting the amount", extra={"error": str(exc)})
        return await _create_grant(client, command.order_id, base)

    async def _request(self, client: SaleorClient, command: RefundCommand, grant: dict[str, Any],
                       order: dict[str, Any], ask_again: bool = False) -> RefundOutcome:
        status = grant.get("status")
        if status in GRANT_STATUS and not (ask_again and status == "FAILURE"):
            return outcome_of(grant)
        transaction = (grant.get("transaction") or {}).get("id") or charged_transaction(order, command.psp_reference)
        try:
            await client.mutate("RequestGrantedRefund", {"grantedRefund": grant["id"], "transaction": transaction},
                                "transactionRequestRefundForGrantedRefund")
        except SaleorMutationError as exc:
            if "REFUND_ALREADY_PROCESSED" in exc.saleor_codes:
                return RefundOutcome(RefundStatus.SUCCEEDED, psp_reference=grant["id"])
            if "REFUND_IS_PENDING" not in exc.saleor_codes:
                raise
        return await self._after_request(client, command, grant["id"])

    async def _after_request(self, client: SaleorClient, command: RefundCommand, grant_id: str) -> RefundOutcome:
        """A payment app may answer at once: look once, so a keep-item refund can be done in the same request."""
        try:
            order = (await client.execute("GrantedRefunds", {"id": command.order_id})).get("order") or {}
        except SaleorUnavailable:
            order = {}
        grant = next((g for g in order.get("grantedRefunds") or () if g.get("id") == grant_id), None)
        if grant is not None and grant.get("status") in ("SUCCESS", "FAILURE"):
            return outcome_of(grant)
        return RefundOutcome(RefundStatus.PENDING, psp_reference=grant_id, failure_message=WAITING)


async def _create_grant(client: SaleorClient, order_id: str, grant_input: dict[str, Any]) -> dict[str, Any]:
    payload = await client.mutate("GrantRefund", {"order": order_id, "input": grant_input}, "orderGrantRefundCreate")
    grant = payload.get("grantedRefund")
    if not grant:
        raise SaleorMutationError("orderGrantRefundCreate answered without a granted refund",
                                  operation="GrantRefund")
    return dict(grant)


def failed_grant_to_retry(order: dict[str, Any], command: RefundCommand, transaction: str) -> dict[str, Any] | None:
    """A FAILURE grant of an earlier refund of this return, same transaction and amount: a retry asks again on
    it instead of granting anew, so Saleor never holds a failed grant staff could send next to the new one."""
    for grant in order.get("grantedRefunds") or ():
        if (grant.get("status") == "FAILURE" and refund_id_in(grant.get("reason"))
                and str(grant.get("reason") or "").startswith(f"Return {command.return_number} (")
                and (grant.get("transaction") or {}).get("id") == transaction
                and Decimal(str((grant.get("amount") or {}).get("amount"))) == command.amount.amount):
            return dict(grant)
    return None


async def _adopt(client: SaleorClient, command: RefundCommand, grant: dict[str, Any]) -> dict[str, Any]:
    """The failed grant now carries this refund's key (found again by it after a crash), then is asked again."""
    earlier = refund_id_in(grant.get("reason"))
    reason = grant_reason(command.return_number, command.idempotency_key, f"retries {earlier}")
    payload = await client.mutate("UpdateGrantReason", {"id": grant["id"], "reason": reason}, "orderGrantRefundUpdate")
    return dict(payload.get("grantedRefund") or {**grant, "reason": reason})


def find_grant(order: dict[str, Any], command: RefundCommand) -> dict[str, Any] | None:
    """The grant an earlier attempt made: by the id we saved, else by our key in its reason."""
    known = command.provider_refund_id
    for grant in order.get("grantedRefunds") or ():
        if (known and grant.get("id") == known) or refund_id_in(grant.get("reason")) == command.refund_id.lower():
            return dict(grant)
    return None


def charged_transaction(order: dict[str, Any], reference: str) -> str | None:
    """The transaction a refund goes back to: ours by id, else by its PSP reference."""
    transactions = [t for t in order.get("transactions") or () if _charged(t)]
    for t in transactions:
        if t.get("id") == reference:
            return str(t["id"])
    return next((str(t["id"]) for t in transactions if t.get("pspReference") == reference), None)


def outcome_of(grant: dict[str, Any]) -> RefundOutcome:
    status = GRANT_STATUS.get(str(grant.get("status")), RefundStatus.PENDING)
    if status is RefundStatus.FAILED:
        return _failed("payment_app_failed", "the store's payment app could not refund", grant["id"])
    return RefundOutcome(status, psp_reference=grant["id"],
                         failure_message=WAITING if status is RefundStatus.PENDING else None)


def _charged(transaction: dict[str, Any]) -> bool:
    amount = (transaction.get("chargedAmount") or {}).get("amount")
    return amount is not None and amount > 0


def _failed(code: str, message: str, reference: str | None = None) -> RefundOutcome:
    return RefundOutcome(RefundStatus.FAILED, psp_reference=reference, failure_code=code, failure_message=message)
