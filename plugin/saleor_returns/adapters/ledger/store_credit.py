"""Store credit in the standalone store, as a refund gateway ("store-credit"): a refund taken as store credit
becomes a code in the ledger worth the refund plus the bonus the return was promised. The refund's key finds
the code again, so a retry (or a racing caller) never issues a second one."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from ...domain.money import Money
from ...domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from ...domain.return_exchange import STORE_CREDIT_GATEWAY
from ...ports import UnitOfWorkFactory
from ...ports.exchanges import StoredCredit

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed at a till


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"SC-{body[:4]}-{body[4:8]}-{body[8:]}"


def credit_bonus(command: RefundCommand) -> Money:
    """The bonus on this refund: the percent the return was promised (the command's metadata), on its amount."""
    try:
        pct = Decimal(command.metadata.get("credit_bonus_percent") or "0")
    except InvalidOperation:
        pct = Decimal(0)
    return Money(command.amount.amount * pct / Decimal(100), command.amount.currency)


class LedgerStoreCredit:
    name = STORE_CREDIT_GATEWAY

    def __init__(self, uow: UnitOfWorkFactory, now: Callable[[], datetime]) -> None:
        self.uow, self.now = uow, now

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        async with self.uow() as uow:
            await uow.lock(command.tenant, f"credit:{command.idempotency_key}")
            found = await uow.ledger.credit(command.idempotency_key)
            if found is None:
                bonus = credit_bonus(command)
                found = StoredCredit(code=new_code(), tenant=command.tenant, idempotency_key=command.idempotency_key,
                                     return_number=command.return_number,
                                     customer_email=command.metadata.get("customer_email", ""),
                                     amount=command.amount + bonus, bonus=bonus, created_at=self.now())
                await uow.ledger.add_credit(found)
                await uow.commit()
        return RefundOutcome(RefundStatus.SUCCEEDED, psp_reference=found.code)
