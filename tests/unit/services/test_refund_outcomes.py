"""What the payment provider answers, and what the worker does with refunds left PENDING: a decline fails the
return for staff, an outage delays it and the worker finishes it with the same key, a provider that never
answers is given up on after RETURNS_REFUND_GIVE_UP_AFTER, a gateway no longer configured waits."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from conftest import ProviderGateway, make_shop, open_shop, types
from saleor_returns.adapters.refunds.directory import Gateways
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.refunds import GAVE_UP, RefundOutcome, RefundStatus
from saleor_returns.ports import WorkItem
from saleor_returns.services.refund_worker import attempt, claim_due
from saleor_returns.services.refunding import perform_refund
from saleor_returns.services.worker import run_once, run_refunds


class KeyRecorder(SimulatedRefundGateway):
    """The simulated gateway, keeping the idempotency key of every call."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []

    async def refund(self, command):
        self.keys.append(command.idempotency_key)
        return await super().refund(command)


async def cover(shop):
    """Ben's cheap cover: keep-the-item, refunded in the same request."""
    return await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))


async def test_a_declined_refund_fails_the_return_for_staff_with_the_reason(shop):
    # given the card issuer declines refunds to Ben's payment
    shop.gateway.decline.add("pi_demo_1002")

    # when he returns the cover
    ret = await cover(shop)

    # then the refund failed for good, the return is REFUND_FAILED, the books know, nobody was paid
    assert (ret.status, [r.status for r in ret.refunds]) == (ReturnStatus.REFUND_FAILED, [RefundStatus.FAILED])
    assert "declined: the card issuer declined the refund" in next(
        e.note for e in ret.events if e.type.value == "REFUND_FAILED")
    assert shop.gateway.refunds == [] and [r.status for r in shop.recorder.records] == ["REFUND_FAILED"]


async def test_an_outage_delays_the_refund_and_the_worker_pays_it_with_the_same_key():
    shop = await open_shop(make_shop(gateway=KeyRecorder()))
    # given the provider cannot be reached when Ben returns the cover
    shop.gateway.unavailable = True
    ret = await cover(shop)

    # then the return is approved, its refund PENDING and delayed, retried in 30 seconds
    [refund] = ret.refunds
    assert (ret.status, refund.status, types(ret)[-2:]) == (
        ReturnStatus.APPROVED, RefundStatus.PENDING, ["REFUND_DELAYED", "RECORDED_IN_STORE"])
    assert refund.next_attempt_at == shop.clock.at + timedelta(seconds=30)

    # when the worker passes before that, then the refund is left alone
    assert (await run_refunds(shop.deps, 10)).claimed == 0

    # when the worker passes after it, still down: delayed again, backing off to two minutes
    shop.clock.advance(seconds=30)
    report = await run_refunds(shop.deps, 10)
    assert (report.claimed, dict(report.outcomes)) == (1, {"PENDING": 1})
    again = (await shop.get(ret.id)).refunds[0]
    assert again.next_attempt_at == shop.clock.at + timedelta(minutes=2) and again.attempts == 2

    # when the provider is back, then the worker pays it, and every call carried the refund's own key
    shop.gateway.unavailable = False
    shop.clock.advance(minutes=2)
    report = await run_once(shop.deps)
    assert dict(report.outcomes) == {"SUCCEEDED": 1}
    done = await shop.get(ret.id)
    assert done.status is ReturnStatus.REFUNDED and types(done)[-2:] == ["REFUNDED", "RECORDED_IN_STORE"]
    assert done.events[-3].actor.id == "worker"
    assert shop.gateway.keys == [refund.idempotency_key] * 3
    assert [c.amount.amount for c in shop.gateway.refunds] == [Decimal("19.99")]


async def test_a_provider_that_never_answers_is_given_up_on_and_staff_can_start_it_again():
    from conftest import STAFF
    from saleor_returns.services.staff_actions import retry_refund

    shop = await open_shop(make_shop(gateway=KeyRecorder(), refund_give_up_after=timedelta(hours=1)))
    # given the provider stays down after Ben's cover was returned
    shop.gateway.unavailable = True
    ret = await cover(shop)

    # when the worker keeps trying for more than the give-up time
    for _ in range(4):
        shop.clock.advance(minutes=20)
        await run_refunds(shop.deps, 10)

    # then the refund is FAILED (gave up) and the return waits for staff with the reason
    failed = await shop.get(ret.id)
    assert failed.status is ReturnStatus.REFUND_FAILED
    assert (failed.refunds[0].status, failed.refunds[0].failure_code) == (RefundStatus.FAILED, GAVE_UP)
    gave_up = next(e for e in failed.events if e.type.value == "REFUND_FAILED")
    assert gave_up.actor.id == "worker" and "no answer from the payment provider for 1.0 h" in gave_up.note
    assert types(failed).count("REFUND_DELAYED") == 3  # the request's own call, then two worker passes
    assert shop.gateway.refunds == []

    # when the provider is back and staff retry, then the same refund starts again with its own key and pays
    shop.gateway.unavailable = False
    done = await retry_refund(shop.deps, STAFF, ret.id)
    assert done.status is ReturnStatus.REFUNDED and [r.id for r in done.refunds] == [ret.refunds[0].id]
    assert set(shop.gateway.keys) == {ret.refunds[0].idempotency_key}
    assert [c.amount.amount for c in shop.gateway.refunds] == [Decimal("19.99")]


async def test_a_refund_whose_gateway_is_no_longer_configured_waits_for_it():
    # given a refund began through a provider, and the deployment switched gateways before it settled
    shop = await open_shop(make_shop())
    shop.gateway.unavailable = True
    ret = await cover(shop)
    shop.deps.refunds = Gateways(ProviderGateway(name="stripe"))

    # when the worker tries it
    shop.clock.advance(minutes=1)
    report = await run_refunds(shop.deps, 10)

    # then it stays PENDING, saying why, and the new gateway was not asked to pay it
    assert dict(report.outcomes) == {"PENDING": 1}
    waiting = await shop.get(ret.id)
    assert waiting.refunds[0].failure_code == "gateway_not_configured"
    assert "'simulated'" in waiting.events[-1].note and shop.deps.refunds.default.commands == []


async def test_the_provider_may_ask_for_action_and_the_trail_says_so():
    # given a provider that needs an action before it refunds
    shop = await open_shop(make_shop(gateway=ProviderGateway(name="stripe", answer=RefundStatus.REQUIRES_ACTION)))

    # when Ben keeps the cover, then the refund waits for that action and the trail says so
    ret = await cover(shop)
    assert ret.refunds[0].status is RefundStatus.REQUIRES_ACTION and types(ret)[-2] == "REFUND_REQUIRES_ACTION"
    assert ret.status is ReturnStatus.APPROVED


async def test_a_refund_settled_meanwhile_is_not_attempted_again():
    # given a refund is delayed, and a worker claims it
    shop = await open_shop(make_shop(gateway=KeyRecorder()))
    shop.gateway.unavailable = True
    ret = await cover(shop)
    shop.clock.advance(minutes=1)
    [item] = await claim_due(shop.deps, 10)
    assert item == WorkItem(item.ref, ret.refunds[0].id)

    # when it is paid by someone else (a staff retry) before that worker gets to it
    shop.gateway.unavailable = False
    assert await perform_refund(shop.deps, item) is RefundStatus.SUCCEEDED

    # then the worker's attempt finds it settled and calls nobody; a second perform does nothing either
    calls = shop.gateway.calls
    assert await attempt(shop.deps, item) is RefundStatus.CANCELED
    assert await perform_refund(shop.deps, item) is None and shop.gateway.calls == calls
    assert (await shop.get(ret.id)).status is ReturnStatus.REFUNDED


class AcceptedThenSilent(ProviderGateway):
    """A provider that accepted the refund (it holds it under its id) and then stops answering look-ups."""

    async def refund(self, command):
        first = await super().refund(command)
        if len(self.commands) == 1:
            return RefundOutcome(RefundStatus.PENDING, psp_reference=first.psp_reference, failure_code="timeout",
                                 retryable=True)
        return RefundOutcome(RefundStatus.PENDING, failure_code="timeout", failure_message="no answer",
                             retryable=True)


async def test_a_refund_the_provider_already_holds_is_never_given_up_on():
    # given the provider took the cover's refund (we know its id) and then stopped answering
    shop = await open_shop(make_shop(gateway=AcceptedThenSilent(), refund_give_up_after=timedelta(hours=1)))
    ret = await cover(shop)
    assert ret.refunds[0].psp_reference == "re_1"

    # when the worker keeps asking for longer than the give-up time
    for _ in range(4):
        shop.clock.advance(minutes=30)
        await run_refunds(shop.deps, 10)

    # then the refund stays PENDING (the money may be on its way): only its webhook or staff settle it
    after = await shop.get(ret.id)
    assert (after.status, after.refunds[0].status) == (ReturnStatus.APPROVED, RefundStatus.PENDING)
    assert "REFUND_FAILED" not in types(after) and len(shop.gateway.commands) == 4  # the request, 3 passes
