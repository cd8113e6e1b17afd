"""The refund gateways of a deployment (ports.RefundGateways): new refunds go through the default; each
refund is finished by the gateway that began it, named on the refund — never by whatever the default is now
(a refund begun with Stripe may already be held by Stripe: paying it another way would pay twice)."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from ...domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from ...ports import RefundGateway

NOT_CONFIGURED = "gateway_not_configured"


class Gateways:
    """`build(name)` makes a gateway other than the default when a pending refund names it (once)."""

    def __init__(self, default: RefundGateway, others: Iterable[RefundGateway] = (),
                 build: Callable[[str], RefundGateway] | None = None) -> None:
        self._by_name = {g.name: g for g in others}
        self._by_name[default.name] = default
        self._default = default.name
        self._build = build
        self._built: list[RefundGateway] = []

    @property
    def default(self) -> RefundGateway:
        return self._by_name[self._default]

    def named(self, name: str) -> RefundGateway | None:
        found = self._by_name.get(name)
        if found is None and self._build is not None:
            found = self._by_name[name] = self._build(name)
            self._built.append(found)
        return found

    def all(self) -> dict[str, RefundGateway]:
        return dict(self._by_name)

    async def close(self) -> None:
        """Close the gateways built for pending refunds (their HTTP clients)."""
        for gateway in self._built:
            close = getattr(gateway, "close", None)
            if close is not None:
                await close()


class UnconfiguredGateway:
    """Stands in for a gateway this deployment cannot build: every attempt waits (retryable) and says why, until
    the refund gives up for staff after RETURNS_REFUND_GIVE_UP_AFTER like any unanswered refund."""

    def __init__(self, name: str, why: str) -> None:
        self.name = name
        self.why = why

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        return RefundOutcome(RefundStatus.PENDING, psp_reference=command.provider_refund_id,
                             failure_code=NOT_CONFIGURED, retryable=True,
                             failure_message=f"this refund was begun through {self.name}, which is not configured "
                                             f"in this deployment ({self.why}); it waits for that gateway")
