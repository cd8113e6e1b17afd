"""Which gateway carries on with a refund: the one that began it (the refund's `gateway`, saved with the
intent), never whatever RETURNS_REFUND_GATEWAY says now. A refund begun with Stripe may already be held by
Stripe; paying it through another gateway after the operator switched would pay twice.

New refunds use the deployment's gateway (deps.refunds, its name is saved on the row). A pending refund of
another gateway gets that gateway built from the same settings and wired to the Saleor stores like the
default; when it cannot be built (its key was removed), the refund waits with a message saying so, and
gives up for staff after RETURNS_REFUND_GIVE_UP_AFTER like any unanswered refund.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from ..domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from ..ports import RefundGateway
from ..settings import REFUND_GATEWAYS, SettingsError
from .context import Deps

log = logging.getLogger(__name__)
NOT_CONFIGURED = "gateway_not_configured"


class UnconfiguredGateway:
    """Stands in for a gateway this deployment cannot build: every attempt waits (retryable) and says why."""

    def __init__(self, name: str, why: str) -> None:
        self.name = name
        self.why = why

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        return RefundOutcome(RefundStatus.PENDING, psp_reference=command.provider_refund_id,
                             failure_code=NOT_CONFIGURED, retryable=True,
                             failure_message=f"this refund was begun through {self.name}, which is not configured "
                                             f"in this deployment ({self.why}); it waits for that gateway")


def gateway_for(deps: Deps, command: RefundCommand) -> RefundGateway:
    """The gateway that began this refund (the deployment's own gateway for new refunds)."""
    name = command.payment_gateway
    if name == deps.refunds.name:
        return deps.refunds
    known = deps.other_gateways.get(name)
    if known is None:
        known = deps.other_gateways[name] = _build(deps, name)
    return known


def _build(deps: Deps, name: str) -> RefundGateway:
    from ..bootstrap import refund_gateway

    settings = replace(deps.settings, refund_gateway=name)
    try:
        if name not in REFUND_GATEWAYS:
            raise SettingsError(f"unknown gateway {name!r}")
        if name == "stripe":
            settings.check_stripe()
        gateway = refund_gateway(settings)
    except (SettingsError, ValueError) as exc:
        log.warning("a pending refund's gateway is not configured", extra={"gateway": name, "error": str(exc)})
        return UnconfiguredGateway(name, str(exc))
    if deps.saleor is not None:
        from .tenants import wire_gateway

        gateway = wire_gateway(deps, gateway)
    log.info("finishing refunds through their own gateway", extra={"gateway": name, "default": deps.refunds.name})
    return gateway
