"""The payment provider's webhooks (apply_provider_event): each event applied once and in any order; a
refund that succeeded and later failed re-opens the return for staff; a second provider refund for one of
ours is a conflict, not an overwrite; words about refunds we never made change nothing."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from conftest import ProviderGateway, make_shop, open_shop, types
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.money import Money
from saleor_returns.domain.refunds import GAVE_UP, PROVIDER_POLL, RefundStatus
from saleor_returns.ports import ProviderEvent, ProviderRefund
from saleor_returns.services.refund_events import EventResult, apply_provider_event
from saleor_returns.services.worker import run_refunds


@pytest.fixture
async def stripe_shop():
    """The demo store refunding through a provider that accepts refunds and settles them later."""
    return await open_shop(make_shop(gateway=ProviderGateway(name="stripe")))


async def pending_cover(shop):
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    [refund] = ret.refunds
    assert (ret.status, refund.status, refund.psp_reference) == (ReturnStatus.APPROVED, RefundStatus.PENDING, "re_1")
    return ret


def event(event_id: str, status: RefundStatus, provider_id: str = "re_1", *, refund_id: str | None = None,
          at=None, amount: str | None = "19.99", code: str | None = None) -> ProviderEvent:
    refund = ProviderRefund(provider_id, "pi_demo_1002", Money(Decimal(amount), "USD") if amount else None, status,
                            refund_id, failure_code=code, failure_message="card closed" if code else None)
    return ProviderEvent("stripe", event_id, f"refund.{status.value.lower()}", at, refund)


async def test_the_provider_settling_a_pending_refund_finishes_the_return_once(stripe_shop):
    shop = stripe_shop
    # given the cover's refund was accepted by the provider and is still processing
    ret = await pending_cover(shop)

    # when the provider says it succeeded, twice (webhooks repeat)
    first = await apply_provider_event(shop.deps, event("evt_1", RefundStatus.SUCCEEDED, at=shop.clock.at))
    again = await apply_provider_event(shop.deps, event("evt_1", RefundStatus.SUCCEEDED, at=shop.clock.at))

    # then it is applied once: the return is REFUNDED by the provider's webhook, and the books hear of it
    assert (first, again) == (EventResult.APPLIED, EventResult.DUPLICATE)
    done = await shop.get(ret.id)
    assert done.status is ReturnStatus.REFUNDED and types(done).count("REFUND_SUCCEEDED") == 1
    assert next(e.actor.id for e in done.events if e.type.value == "REFUNDED") == "stripe-webhook"
    assert shop.recorder.records[-1].status == "REFUNDED"
    assert shop.db.tables.events == {("stripe", "evt_1"): "applied"}


async def test_a_refund_that_succeeded_and_then_failed_reopens_the_return_for_staff(stripe_shop):
    shop = stripe_shop
    ret = await pending_cover(shop)
    await apply_provider_event(shop.deps, event("evt_1", RefundStatus.SUCCEEDED, at=shop.clock.at))

    # when the provider later says the money came back (the card was closed)
    shop.clock.advance(days=2)
    result = await apply_provider_event(shop.deps, event("evt_2", RefundStatus.FAILED, at=shop.clock.at,
                                                         code="expired_or_canceled_card"))

    # then the return is REFUND_FAILED with the reversal and the provider's reason on record, books told
    assert result is EventResult.APPLIED
    failed = await shop.get(ret.id)
    assert failed.status is ReturnStatus.REFUND_FAILED and failed.refunds[0].status is RefundStatus.FAILED
    assert types(failed)[-3:] == ["REFUND_REVERSED", "REFUND_FAILED", "RECORDED_IN_STORE"]
    assert failed.events[-2].note == "expired_or_canceled_card: card closed"
    assert shop.recorder.records[-1].status == "REFUND_FAILED"

    # and a late copy of the success changes nothing: a final state never moves back
    late = await apply_provider_event(shop.deps, event("evt_0", RefundStatus.SUCCEEDED, at=shop.clock.at))
    assert late is EventResult.UNCHANGED and (await shop.get(ret.id)).status is ReturnStatus.REFUND_FAILED


async def test_a_word_that_says_what_we_know_changes_nothing(stripe_shop):
    shop = stripe_shop

    # given the provider already said the cover's refund succeeded
    ret = await pending_cover(shop)
    await apply_provider_event(shop.deps, event("evt_1", RefundStatus.SUCCEEDED, at=shop.clock.at))
    before = types(await shop.get(ret.id))

    # when it says so again in another event
    result = await apply_provider_event(shop.deps, event("evt_2", RefundStatus.SUCCEEDED, at=shop.clock.at))

    # then nothing changes, and the event is kept as unchanged
    assert result is EventResult.UNCHANGED and types(await shop.get(ret.id)) == before
    assert shop.db.tables.events[("stripe", "evt_2")] == "unchanged"


async def test_a_second_provider_refund_for_one_of_ours_is_a_conflict_not_an_overwrite(stripe_shop):
    shop = stripe_shop
    ret = await pending_cover(shop)
    refund_id = ret.refunds[0].id

    # when the provider speaks of another refund (re_99) carrying our refund id in its metadata
    result = await apply_provider_event(shop.deps, event("evt_1", RefundStatus.SUCCEEDED, "re_99",
                                                         refund_id=refund_id, at=shop.clock.at))

    # then it is a conflict for reconciliation; our refund keeps its own provider id and state
    assert result is EventResult.CONFLICT
    kept = (await shop.get(ret.id)).refunds[0]
    assert (kept.psp_reference, kept.status) == ("re_1", RefundStatus.PENDING)


async def test_a_refund_known_only_by_our_id_is_found_from_its_metadata():
    # given the provider timed out on the cover's refund: we hold no provider id for it
    gateway = ProviderGateway(name="stripe")
    shop = await open_shop(make_shop(gateway=gateway))
    real_refund = gateway.refund

    async def timed_out(command):
        await real_refund(command)  # the provider took it, but the answer never arrived
        from saleor_returns.domain.refunds import RefundOutcome
        return RefundOutcome(RefundStatus.PENDING, failure_code="timeout", retryable=True)

    gateway.refund = timed_out
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    assert ret.refunds[0].psp_reference is None

    # when its webhook arrives with our refund id in the metadata
    result = await apply_provider_event(shop.deps, event("evt_1", RefundStatus.SUCCEEDED, "re_1",
                                                         refund_id=ret.refunds[0].id, at=shop.clock.at))

    # then it is applied to that refund, which learns the provider's id
    assert result is EventResult.APPLIED
    done = await shop.get(ret.id)
    assert done.status is ReturnStatus.REFUNDED and done.refunds[0].psp_reference == "re_1"


async def test_the_provider_corrects_a_refund_we_gave_up_on():
    # given the provider did not answer for longer than the give-up time: we marked the refund failed
    gateway = ProviderGateway(name="stripe")
    shop = await open_shop(make_shop(gateway=gateway, refund_give_up_after=timedelta(minutes=30)))
    from saleor_returns.domain.refunds import RefundOutcome

    async def silent(command):
        return RefundOutcome(RefundStatus.PENDING, failure_code="timeout", retryable=True)

    gateway.refund = silent
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    shop.clock.advance(hours=1)
    await run_refunds(shop.deps, 10)
    gave_up = await shop.get(ret.id)
    assert (gave_up.status, gave_up.refunds[0].failure_code) == (ReturnStatus.REFUND_FAILED, GAVE_UP)

    # when the provider's webhook says it went through after all
    result = await apply_provider_event(shop.deps, event("evt_1", RefundStatus.SUCCEEDED, "re_7",
                                                         refund_id=ret.refunds[0].id, at=shop.clock.at))

    # then our guess is corrected: the return is REFUNDED
    assert result is EventResult.APPLIED
    done = await shop.get(ret.id)
    assert (done.status, done.refunds[0].status, done.refunds[0].psp_reference) == (
        ReturnStatus.REFUNDED, RefundStatus.SUCCEEDED, "re_7")


async def test_still_processing_is_noted_and_looked_at_again_later_and_older_words_do_not_count(stripe_shop):
    shop = stripe_shop
    ret = await pending_cover(shop)

    # when the provider says the refund needs action, then that it is still pending (sent earlier, arrived later)
    act = await apply_provider_event(shop.deps, event("evt_2", RefundStatus.REQUIRES_ACTION, at=shop.clock.at))
    older = await apply_provider_event(shop.deps, event("evt_1", RefundStatus.PENDING,
                                                        at=shop.clock.at - timedelta(minutes=1)))

    # then the newer word stands
    assert (act, older) == (EventResult.APPLIED, EventResult.UNCHANGED)
    assert (await shop.get(ret.id)).refunds[0].status is RefundStatus.REQUIRES_ACTION

    # when a newer pending word arrives, then the refund is pending again and looked at after a poll interval
    shop.clock.advance(minutes=5)
    newer = await apply_provider_event(shop.deps, event("evt_3", RefundStatus.PENDING, at=shop.clock.at))
    refund = (await shop.get(ret.id)).refunds[0]
    assert newer is EventResult.APPLIED and refund.status is RefundStatus.PENDING
    assert refund.next_attempt_at == shop.clock.at + PROVIDER_POLL


async def test_a_different_amount_is_logged_but_the_status_is_applied(stripe_shop, caplog):
    shop = stripe_shop

    # given the cover's refund is processing at the provider
    ret = await pending_cover(shop)

    # when the provider says it succeeded for another amount
    result = await apply_provider_event(shop.deps, event("evt_1", RefundStatus.SUCCEEDED, amount="18.00",
                                                         at=shop.clock.at))

    # then the status is applied and the difference is logged for reconciliation
    assert result is EventResult.APPLIED and (await shop.get(ret.id)).status is ReturnStatus.REFUNDED
    assert "provider refund amount differs from ours" in caplog.text


@pytest.mark.parametrize(("sent", "expected"), [
    pytest.param(ProviderEvent("stripe", "evt_c", "charge.succeeded", None, None), EventResult.IGNORED,
                 id="not-about-a-refund"),
    pytest.param(event("evt_u", RefundStatus.SUCCEEDED, "re_dashboard"), EventResult.UNKNOWN_REFUND,
                 id="made-in-the-dashboard"),
])
async def test_events_about_nothing_of_ours_are_kept_and_change_nothing(stripe_shop, sent, expected):
    shop = stripe_shop

    # given the cover's refund is processing at the provider
    ret = await pending_cover(shop)

    # when an event not about one of our refunds arrives, then it is kept (not applied again) and changes nothing
    assert await apply_provider_event(shop.deps, sent) is expected
    assert shop.db.tables.events == {("stripe", sent.event_id): expected.value}
    assert (await shop.get(ret.id)).refunds[0].status is RefundStatus.PENDING
