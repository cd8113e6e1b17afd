"""A refund gateway for the demo and tests: always answers, honours idempotency keys."""
from __future__ import annotations

import asyncio
import hashlib
from decimal import Decimal

from ...domain.money import Money
from ...domain.refunds import RefundCommand, RefundOutcome, RefundStatus


class SimulatedRefundGateway:
    """Records every refund it performs. `decline` lists payment references whose refunds fail for good;
    `unavailable` makes every call look like a network outage (retryable); `captured` (payment reference →
    amount) makes it refuse more than is left on a payment, as a real provider does (unknown payments: no
    limit)."""

    name = "simulated"

    def __init__(self, decline: set[str] | None = None, captured: dict[str, Money] | None = None) -> None:
        self.decline = set(decline or ())
        self.captured = dict(captured or {})
        self.unavailable = False
        self.performed: dict[str, tuple[RefundCommand, RefundOutcome]] = {}
        self.calls = 0
        self._lock = asyncio.Lock()

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        async with self._lock:
            self.calls += 1
            if self.unavailable:
                return RefundOutcome(RefundStatus.PENDING, failure_code="network",
                                     failure_message="simulated outage", retryable=True)
            seen = self.performed.get(command.idempotency_key)
            if seen is not None:
                return seen[1]  # same key: the same refund, never a second one
            outcome = self._perform(command)
            self.performed[command.idempotency_key] = (command, outcome)
            return outcome

    def _perform(self, command: RefundCommand) -> RefundOutcome:
        ref = "sim_re_" + hashlib.sha256(command.idempotency_key.encode()).hexdigest()[:20]
        if command.psp_reference in self.decline:
            return RefundOutcome(RefundStatus.FAILED, psp_reference=ref, failure_code="declined",
                                 failure_message="the card issuer declined the refund")
        left = self._left(command.psp_reference)
        if left is not None and command.amount > left:
            # refused before anything moves (Stripe: 400 amount_too_large): no refund exists at the provider
            return RefundOutcome(RefundStatus.FAILED, failure_code="amount_too_large",
                                 failure_message=f"{command.amount} is more than the {left} left on the payment")
        return RefundOutcome(RefundStatus.SUCCEEDED, psp_reference=ref)

    def _left(self, payment_reference: str) -> Money | None:
        paid = self.captured.get(payment_reference)
        if paid is None:
            return None
        refunded = sum((c.amount.amount for c in self.refunds if c.psp_reference == payment_reference), Decimal(0))
        return Money(paid.amount - refunded, paid.currency)

    @property
    def refunds(self) -> list[RefundCommand]:
        """Refunds that went through (what a real provider would hold)."""
        return [c for c, o in self.performed.values() if o.status is RefundStatus.SUCCEEDED]
