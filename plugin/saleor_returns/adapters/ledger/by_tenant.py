"""Store credit and replacements for every store a deployment serves: the standalone store keeps its own
ledger; an installed Saleor store gets gift cards and orders (adapters/saleor), wired by attach_saleor."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ...domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from ...domain.return_exchange import STORE_CREDIT_GATEWAY, ReplacementOutcome
from ...ports.exchanges import ReplacementCommand


class StoreCreditByTenant:
    """The "store-credit" refund gateway: the command's tenant picks the ledger or the Saleor store."""

    name = STORE_CREDIT_GATEWAY

    def __init__(self, standalone: str, ledger: Any, saleor: Any = None) -> None:
        self.standalone, self.ledger, self.saleor = standalone, ledger, saleor

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        if command.tenant == self.standalone:
            return await self.ledger.refund(command)  # type: ignore[no-any-return]
        if self.saleor is None:
            return RefundOutcome(RefundStatus.FAILED, failure_code="not_installed",
                                 failure_message=f"no store credit for {command.tenant}: not a store this serves")
        return await self.saleor.refund(command)  # type: ignore[no-any-return]


class ReplacementsByTenant:
    """ports.exchanges.ReplacementDesk for every store: the command's tenant picks the ledger or Saleor."""

    def __init__(self, standalone: str, ledger: Any, saleor: Any = None) -> None:
        self.standalone, self.ledger, self.saleor = standalone, ledger, saleor

    def _for(self, tenant: str) -> Any:
        return self.ledger if tenant == self.standalone else self.saleor

    async def send(self, command: ReplacementCommand) -> ReplacementOutcome:
        desk = self._for(command.tenant)
        if desk is None:
            return ReplacementOutcome(created=False, retryable=True, message=f"{command.tenant} is not served here")
        return await desk.send(command)  # type: ignore[no-any-return]

    async def units_sent(self, tenant: str, variant_ids: Collection[str]) -> dict[str, int]:
        desk = self._for(tenant)
        return await desk.units_sent(tenant, variant_ids) if desk is not None else {}  # type: ignore[no-any-return]
