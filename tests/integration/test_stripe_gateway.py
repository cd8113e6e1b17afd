"""The Stripe gateway over real HTTP against the fake Stripe: what each of Stripe's answers becomes."""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest

from saleor_returns.domain.money import Money
from saleor_returns.domain.refunds import RefundCommand, RefundStatus, refund_key
from support.fake_stripe import FakeStripe, gateway_for


def command(pi: str, amount: str = "19.99", currency: str = "USD", **changes) -> RefundCommand:
    refund_id = changes.pop("refund_id", str(uuid.uuid4()))
    cmd = RefundCommand(refund_id=refund_id, idempotency_key=refund_key(refund_id),
                        amount=Money(Decimal(amount), currency), psp_reference=pi, payment_gateway="stripe",
                        order_id="ORD-1002", return_number="R-10001", tenant="demo")
    return replace(cmd, **changes)


def refund(gateway, cmd: RefundCommand):
    return asyncio.run(gateway.refund(cmd))


def test_a_refund_goes_to_the_payment_intent_with_minor_units_metadata_and_our_key(fake_stripe: FakeStripe):
    # given a paid payment intent of 43.98 USD
    pi = fake_stripe.add_payment_intent(4398, "usd")
    cmd = command(pi)

    # when we refund 19.99 of it
    outcome = refund(gateway_for(fake_stripe), cmd)

    # then Stripe holds one refund of 1999 cents, tagged with whose it is, sent under our key
    assert outcome.status is RefundStatus.SUCCEEDED and outcome.psp_reference.startswith("re_")
    [held] = fake_stripe.refunds_of(pi)
    assert held["amount"] == 1999 and held["id"] == outcome.psp_reference
    assert held["metadata"] == {"return_number": "R-10001", "order_id": "ORD-1002", "tenant": "demo",
                                "refund_id": cmd.refund_id}
    assert [r.idempotency_key for r in fake_stripe.creates()] == [cmd.idempotency_key]


@pytest.mark.parametrize("currency, amount, minor", [
    ("USD", "19.99", 1999), ("JPY", "1800", 1800), ("KWD", "1.250", 1250), ("ISK", "500", 50000),
])
def test_the_amount_is_sent_in_stripes_own_minor_units(fake_stripe: FakeStripe, currency, amount, minor):
    pi = fake_stripe.add_payment_intent(10 ** 7, currency)
    outcome = refund(gateway_for(fake_stripe), command(pi, amount, currency))
    assert outcome.status is RefundStatus.SUCCEEDED
    assert [r["amount"] for r in fake_stripe.refunds_of(pi)] == [minor]


def test_an_amount_stripe_cannot_take_fails_clearly_and_nothing_is_sent(fake_stripe: FakeStripe):
    pi = fake_stripe.add_payment_intent(10 ** 6, "kwd")
    outcome = refund(gateway_for(fake_stripe), command(pi, "1.235", "KWD"))
    assert (outcome.status, outcome.failure_code, outcome.retryable) == (RefundStatus.FAILED, "amount_not_supported",
                                                                         False)
    assert fake_stripe.requests == []


# Stripe's answer to the first request(s) → what we record, and how many refunds Stripe holds after
FAULTS = [
    # (scene, status, failure code, retryable, refunds at Stripe, create requests)
    ("500 then success", RefundStatus.SUCCEEDED, None, False, 1, 2),
    ("500 every time", RefundStatus.PENDING, "provider_unavailable", True, 0, 3),
    ("429 twice then success", RefundStatus.SUCCEEDED, None, False, 1, 3),
    ("429 every time", RefundStatus.PENDING, "rate_limited", True, 0, 4),
    ("answer too late once", RefundStatus.SUCCEEDED, None, False, 1, 2),
    ("card declined", RefundStatus.FAILED, "card_declined", False, 0, 1),
    ("unknown payment intent", RefundStatus.FAILED, "invalid_request", False, 0, 1),
    ("more than was paid", RefundStatus.FAILED, "invalid_request", False, 0, 1),
    ("wrong API key", RefundStatus.FAILED, "authentication_failed", False, 0, 1),
    ("refund pending at Stripe", RefundStatus.PENDING, None, False, 1, 1),
    ("refund needs the shopper", RefundStatus.REQUIRES_ACTION, "requires_action", False, 1, 1),
    ("refund failed at once", RefundStatus.FAILED, "declined", False, 1, 1),
]


def _scene(fake: FakeStripe, scene: str) -> tuple[dict, dict]:
    """Set the fake up for `scene`; returns (gateway options, command changes)."""
    setups = {
        "500 then success": lambda: fake.fail_next(500),
        "500 every time": lambda: fake.fail_next(500, times=3),
        "429 twice then success": lambda: fake.fail_next(429, times=2),
        "429 every time": lambda: fake.fail_next(429, times=4),
        "answer too late once": lambda: fake.delay_next(1.5),
        "card declined": fake.decline_next,
        "refund pending at Stripe": lambda: fake.outcome_next("pending"),
        "refund needs the shopper": lambda: fake.outcome_next("requires_action"),
        "refund failed at once": lambda: fake.outcome_next("failed", "declined"),
    }
    setups.get(scene, lambda: None)()
    options = {"timeout": 0.5} if scene == "answer too late once" else {}
    if scene == "wrong API key":
        options["api_key"] = "sk_test_wrong"
    changes = {"psp_reference": "pi_nobody"} if scene == "unknown payment intent" else {}
    if scene == "more than was paid":
        changes["amount_"] = "50.00"
    return options, changes


@pytest.mark.parametrize("scene, status, code, retryable, held, creates", FAULTS, ids=[f[0] for f in FAULTS])
def test_each_answer_of_stripe_becomes_one_clear_outcome(fake_stripe: FakeStripe, scene, status, code, retryable,
                                                         held, creates):
    # given a paid payment intent and Stripe behaving as in the scene
    pi = fake_stripe.add_payment_intent(4398, "usd")
    options, changes = _scene(fake_stripe, scene)
    cmd = command(pi, changes.pop("amount_", "19.99"), **changes)
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    # when we refund
    outcome = refund(gateway_for(fake_stripe, sleep=pause, **options), cmd)

    # then the outcome says what happened, every request carried the same key, and Stripe paid at most once
    assert (outcome.status, outcome.failure_code, outcome.retryable) == (status, code, retryable)
    assert len(fake_stripe.refunds) == held
    assert len(fake_stripe.creates()) == creates
    assert {r.idempotency_key for r in fake_stripe.creates()} == {cmd.idempotency_key}
    if scene.startswith("429"):  # our own backoff: growing pauses
        assert len(pauses) == min(creates - 1, 3) and pauses == sorted(pauses) and pauses[0] > 0
    if status is RefundStatus.FAILED and code != "declined":
        assert outcome.failure_message  # says what Stripe said


def test_the_same_key_with_other_parameters_is_an_idempotency_conflict_and_pays_nothing_more(fake_stripe):
    # given a refund was made under our key
    pi = fake_stripe.add_payment_intent(4398, "usd")
    first = command(pi)
    gateway = gateway_for(fake_stripe)
    assert refund(gateway, first).status is RefundStatus.SUCCEEDED

    # when a request reuses that key with another amount
    outcome = refund(gateway, command(pi, "5.00", refund_id=first.refund_id))

    # then Stripe refuses it as an IdempotencyError and still holds one refund
    assert (outcome.status, outcome.failure_code) == (RefundStatus.FAILED, "idempotency_conflict")
    assert "different request" in outcome.failure_message
    assert len(fake_stripe.refunds_of(pi)) == 1


def test_the_same_command_twice_is_one_refund(fake_stripe: FakeStripe):
    pi = fake_stripe.add_payment_intent(4398, "usd")
    cmd = command(pi)
    gateway = gateway_for(fake_stripe)
    first, again = refund(gateway, cmd), refund(gateway, cmd)
    assert first == again and len(fake_stripe.refunds_of(pi)) == 1
    assert [r.replayed for r in fake_stripe.creates()] == [False, True]


def test_a_refund_stripe_accepted_is_looked_up_never_created_again(fake_stripe: FakeStripe):
    # given Stripe accepted a refund that was still pending, and later paid it
    pi = fake_stripe.add_payment_intent(4398, "usd")
    fake_stripe.outcome_next("pending")
    cmd = command(pi)
    gateway = gateway_for(fake_stripe)
    pending = refund(gateway, cmd)
    fake_stripe.refunds[pending.psp_reference]["status"] = "succeeded"

    # when the worker asks again about it
    outcome = refund(gateway, command(pi, refund_id=cmd.refund_id, provider_refund_id=pending.psp_reference,
                                      attempt=1))

    # then it reads Stripe's refund and creates nothing
    assert outcome.status is RefundStatus.SUCCEEDED and outcome.psp_reference == pending.psp_reference
    assert len(fake_stripe.creates()) == 1 and len(fake_stripe.refunds_of(pi)) == 1


def test_a_later_attempt_finds_the_refund_by_our_id_even_when_the_key_is_forgotten(fake_stripe: FakeStripe):
    # given Stripe holds our refund, but its idempotency key has expired (kept at least 24 h)
    pi = fake_stripe.add_payment_intent(4398, "usd")
    cmd = command(pi)
    gateway = gateway_for(fake_stripe)
    refund(gateway, cmd)
    fake_stripe._saved.clear()

    # when a later attempt (e.g. retried after a give-up) comes
    outcome = refund(gateway, command(pi, refund_id=cmd.refund_id, attempt=3))

    # then it finds that refund by the refund id in its metadata and pays nothing more
    assert outcome.status is RefundStatus.SUCCEEDED
    assert len(fake_stripe.creates()) == 1 and len(fake_stripe.refunds_of(pi)) == 1


def test_listing_refunds_reads_amounts_statuses_and_our_ids(fake_stripe: FakeStripe):
    pi = fake_stripe.add_payment_intent(200_000, "jpy")
    cmd = command(pi, "1800", "JPY")
    gateway = gateway_for(fake_stripe)
    refund(gateway, cmd)
    [listed] = asyncio.run(gateway.list_refunds(pi))
    assert (listed.amount, listed.status, listed.refund_id, listed.payment_reference) == (
        Money(Decimal("1800"), "JPY"), RefundStatus.SUCCEEDED, cmd.refund_id, pi)
