"""ports.RefundGateway: the simulated gateway and the Stripe gateway (against the fake Stripe on loopback)
refund alike: once per idempotency key, a decline is a FAILED outcome (never an exception), an outage is
PENDING and retryable, and the retry with the same key pays once."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.adapters.refunds.stripe_gateway import StripeRefundGateway
from saleor_returns.adapters.refunds.stripe_units import to_minor
from saleor_returns.domain.money import Money
from saleor_returns.domain.refunds import RefundCommand, RefundStatus, refund_key
from saleor_returns.ports import RefundGateway
from support.fake_stripe import FakeStripe, gateway_for

PAID = Money(Decimal("43.98"), "USD")


class Peer:
    """The payment provider behind a gateway, as the tests set it up and look at it."""

    def payment(self, amount: Money) -> str:
        """A captured payment of `amount`; its reference."""
        raise NotImplementedError

    def decline_next(self, reference: str) -> None:
        """The next refund of this payment is declined by the card issuer."""
        raise NotImplementedError

    def outage(self, on: bool) -> None:
        raise NotImplementedError

    def refunded(self, reference: str) -> list[Money]:
        """What the provider holds as paid back (or on its way) for one payment."""
        raise NotImplementedError


class SimulatedPeer(Peer):
    def __init__(self, gateway: SimulatedRefundGateway) -> None:
        self.gateway, self.count = gateway, 0

    def payment(self, amount: Money) -> str:
        self.count += 1
        self.gateway.captured[f"pi_sim_{self.count}"] = amount
        return f"pi_sim_{self.count}"

    def decline_next(self, reference: str) -> None:
        self.gateway.decline.add(reference)

    def outage(self, on: bool) -> None:
        self.gateway.unavailable = on

    def refunded(self, reference: str) -> list[Money]:
        return [c.amount for c in self.gateway.refunds if c.psp_reference == reference]


class StripePeer(Peer):
    def __init__(self, fake: FakeStripe) -> None:
        self.fake = fake

    def payment(self, amount: Money) -> str:
        return self.fake.add_payment_intent(to_minor(amount), amount.currency)

    def decline_next(self, reference: str) -> None:
        self.fake.decline_next()

    def outage(self, on: bool) -> None:
        self.fake.faults.clear()
        if on:
            self.fake.fail_next(503, times=10)  # more than the client's own retries

    def refunded(self, reference: str) -> list[Money]:
        return [Money(Decimal(r["amount"]) / 100, r["currency"]) for r in self.fake.refunds_of(reference)
                if r["status"] not in ("failed", "canceled")]


@dataclass
class Scene:
    gateway: RefundGateway
    peer: Peer


@pytest.fixture(params=["simulated", "stripe"])
async def scene(request: pytest.FixtureRequest) -> AsyncIterator[Scene]:
    if request.param == "simulated":
        simulated = SimulatedRefundGateway()
        yield Scene(simulated, SimulatedPeer(simulated))
        return
    fake: FakeStripe = request.getfixturevalue("fake_stripe")
    stripe: StripeRefundGateway = gateway_for(fake, max_network_retries=1)
    yield Scene(stripe, StripePeer(fake))
    await stripe.close()


def command(reference: str, amount: str = "19.99", refund_id: str | None = None) -> RefundCommand:
    refund_id = refund_id or str(uuid.uuid4())
    return RefundCommand(refund_id=refund_id, idempotency_key=refund_key(refund_id),
                         amount=Money(Decimal(amount), "USD"), psp_reference=reference,
                         payment_gateway="stripe", order_id="ORD-1002", return_number="R-10001", tenant="demo",
                         metadata={"return_number": "R-10001", "order_id": "ORD-1002", "tenant": "demo",
                                   "refund_id": refund_id})


async def test_a_refund_succeeds_with_the_providers_reference(scene: Scene):
    pi = scene.peer.payment(PAID)
    outcome = await scene.gateway.refund(command(pi))
    assert outcome.status is RefundStatus.SUCCEEDED and outcome.psp_reference
    assert (outcome.failure_code, outcome.retryable) == (None, False)
    assert scene.peer.refunded(pi) == [Money(Decimal("19.99"), "USD")]


async def test_the_same_key_twice_pays_once(scene: Scene):
    pi = scene.peer.payment(PAID)
    cmd = command(pi)
    first = await scene.gateway.refund(cmd)
    again = await scene.gateway.refund(cmd)  # a caller that crashed before recording the outcome
    later = await scene.gateway.refund(replace(cmd, attempt=1, provider_refund_id=first.psp_reference))

    assert first.status is again.status is later.status is RefundStatus.SUCCEEDED
    assert first.psp_reference == again.psp_reference == later.psp_reference
    assert scene.peer.refunded(pi) == [Money(Decimal("19.99"), "USD")]


async def test_two_refunds_of_one_payment_are_two(scene: Scene):
    pi = scene.peer.payment(PAID)
    first = await scene.gateway.refund(command(pi, "19.99"))
    second = await scene.gateway.refund(command(pi, "9.00"))
    assert first.psp_reference != second.psp_reference
    assert sorted(m.amount for m in scene.peer.refunded(pi)) == [Decimal("9.00"), Decimal("19.99")]


async def test_a_decline_is_a_failed_outcome_not_an_exception(scene: Scene):
    pi = scene.peer.payment(PAID)
    scene.peer.decline_next(pi)
    outcome = await scene.gateway.refund(command(pi))
    assert outcome.status is RefundStatus.FAILED and outcome.retryable is False
    assert outcome.failure_code and outcome.failure_message
    assert scene.peer.refunded(pi) == []


async def test_a_declined_key_stays_declined(scene: Scene):
    pi = scene.peer.payment(PAID)
    cmd = command(pi)
    scene.peer.decline_next(pi)
    first = await scene.gateway.refund(cmd)
    again = await scene.gateway.refund(cmd)
    assert first.status is again.status is RefundStatus.FAILED and scene.peer.refunded(pi) == []


async def test_an_outage_is_pending_and_retryable_and_the_retry_pays_once(scene: Scene):
    pi = scene.peer.payment(PAID)
    cmd = command(pi)
    scene.peer.outage(True)

    outcome = await scene.gateway.refund(cmd)

    assert outcome.status is RefundStatus.PENDING and outcome.retryable is True and outcome.failure_code
    assert scene.peer.refunded(pi) == []
    # the provider back: the worker's retry (same key) pays, once
    scene.peer.outage(False)
    retried = await scene.gateway.refund(replace(cmd, attempt=1))
    again = await scene.gateway.refund(replace(cmd, attempt=2))
    assert retried.status is again.status is RefundStatus.SUCCEEDED
    assert retried.psp_reference == again.psp_reference
    assert scene.peer.refunded(pi) == [Money(Decimal("19.99"), "USD")]


async def test_more_than_is_left_on_the_payment_is_refused_and_nothing_more_is_paid(scene: Scene):
    pi = scene.peer.payment(Money(Decimal("20.00"), "USD"))
    first = await scene.gateway.refund(command(pi, "15.00"))
    too_much = await scene.gateway.refund(command(pi, "5.01"))
    assert first.status is RefundStatus.SUCCEEDED
    assert too_much.status is RefundStatus.FAILED and too_much.retryable is False
    assert scene.peer.refunded(pi) == [Money(Decimal("15.00"), "USD")]
