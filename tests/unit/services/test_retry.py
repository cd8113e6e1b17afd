"""retryRefund: a waiting refund tried again with its own key; a failed one puts the return back where it was
and pays once; a refund that never started (the store was down) starts; nothing to retry is said so."""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import STAFF, types
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.domain.tracking import ParcelStatus, TrackingUpdate
from saleor_returns.services.policies import update_policy
from saleor_returns.services.staff_actions import mark_received, retry_refund
from saleor_returns.services.tracking import apply_tracking


def paid(shop) -> list[Decimal]:
    return [c.amount.amount for c in shop.gateway.refunds]


async def failed_keep_item(shop):
    """Ben's cover, kept; the refund is declined: REFUND_FAILED from APPROVED."""
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    assert ret.status is ReturnStatus.REFUND_FAILED
    return ret


async def failed_on_approval(shop):
    """The laptop, refunded with its label (ON_APPROVAL); the refund is declined: from LABEL_ISSUED."""
    await update_policy(shop.deps, STAFF, "default-channel", {"refund_timing": "ON_APPROVAL"})
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    assert ret.status is ReturnStatus.REFUND_FAILED and ret.active_label is not None
    return ret


async def failed_on_first_scan(shop):
    """The laptop, refunded at the first scan; the refund is declined: from IN_TRANSIT."""
    await update_policy(shop.deps, STAFF, "default-channel", {"refund_timing": "ON_FIRST_SCAN"})
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    label = ret.labels[0]
    await apply_tracking(shop.deps, TrackingUpdate(label.carrier, "e1", label.tracking_number,
                                                   ParcelStatus.IN_TRANSIT))
    after = await shop.get(ret.id)
    assert after.status is ReturnStatus.REFUND_FAILED
    return after


async def failed_at_receipt(shop):
    """The laptop, received; the refund is declined: from RECEIVED."""
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    failed = await mark_received(shop.deps, STAFF, ret.id, None)
    assert failed.status is ReturnStatus.REFUND_FAILED
    return failed


@pytest.mark.parametrize(("make", "payment", "back_to", "after_paying"), [
    pytest.param(failed_keep_item, "pi_demo_1002", ReturnStatus.APPROVED, ReturnStatus.REFUNDED, id="kept"),
    pytest.param(failed_on_approval, "pi_demo_1001", ReturnStatus.LABEL_ISSUED, ReturnStatus.LABEL_ISSUED,
                 id="on-approval"),
    pytest.param(failed_on_first_scan, "pi_demo_1001", ReturnStatus.IN_TRANSIT, ReturnStatus.IN_TRANSIT,
                 id="on-first-scan"),
    pytest.param(failed_at_receipt, "pi_demo_1001", ReturnStatus.RECEIVED, ReturnStatus.REFUNDED, id="at-receipt"),
])
async def test_a_failed_refund_retried_goes_back_to_where_it_was_and_pays_once(shop, make, payment, back_to,
                                                                              after_paying):
    # given the card issuer declined the refund
    shop.gateway.decline.add(payment)
    failed = await make(shop)
    assert paid(shop) == []

    # when the issuer accepts again and staff retry
    shop.gateway.decline.clear()
    done = await retry_refund(shop.deps, STAFF, failed.id)

    # then the return went back to where it was, a new refund paid the whole amount once
    retried = next(e for e in done.events if e.type.value == "REFUND_RETRIED")
    assert (retried.actor, retried.note) == (STAFF, f"back to {back_to.value}")
    assert done.status is after_paying
    assert [r.status for r in done.refunds] == [RefundStatus.FAILED, RefundStatus.SUCCEEDED]
    assert paid(shop) == [failed.refund_total.amount]

    # and a second retry finds nothing to do
    with pytest.raises(ReturnError) as err:
        await retry_refund(shop.deps, STAFF, failed.id)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION
    assert paid(shop) == [failed.refund_total.amount]


async def test_a_retry_while_the_provider_is_down_keeps_the_same_refund_waiting(shop):
    # given the provider was down when Ben's cover was returned: its refund is PENDING
    shop.gateway.unavailable = True
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    [refund] = ret.refunds

    # when staff retry while it is still down, then the same refund waits (no second intent)
    waiting = await retry_refund(shop.deps, STAFF, ret.id)
    assert [(r.id, r.status) for r in waiting.refunds] == [(refund.id, RefundStatus.PENDING)]
    assert types(waiting).count("REFUND_DELAYED") == 2

    # when it is back and staff retry again, then that refund is paid, once
    shop.gateway.unavailable = False
    done = await retry_refund(shop.deps, STAFF, ret.id)
    assert done.status is ReturnStatus.REFUNDED and [r.id for r in done.refunds] == [refund.id]
    assert paid(shop) == [Decimal("19.99")]


async def test_a_refund_that_never_started_starts_on_retry(shop):
    # given the store was down when the laptop was received: the refund is owed but never planned
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    shop.orders.down = True
    waiting = await mark_received(shop.deps, STAFF, ret.id, None)
    assert waiting.refunds == [] and waiting.status is ReturnStatus.RECEIVED

    # when the store is back and staff retry
    shop.orders.down = False
    done = await retry_refund(shop.deps, STAFF, ret.id)

    # then it is paid, once
    assert done.status is ReturnStatus.REFUNDED and paid(shop) == [Decimal("1299.00")]


async def test_there_is_nothing_to_retry_before_any_refund_is_owed(shop):
    # given the laptop is on its way back: no refund is owed yet
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))

    # when staff retry, then there is nothing to retry and nobody is paid
    with pytest.raises(ReturnError) as err:
        await retry_refund(shop.deps, STAFF, ret.id)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION and "no refund to retry" in err.value.message
    assert shop.gateway.calls == 0


async def test_only_staff_retry(shop):
    # given the cover's refund was declined
    shop.gateway.decline.add("pi_demo_1002")
    failed = await failed_keep_item(shop)

    # when Ben retries it himself, then he may not
    with pytest.raises(ReturnError) as err:
        await retry_refund(shop.deps, shop.shopper("ORD-1002"), failed.id)
    assert err.value.code is ReturnErrorCode.FORBIDDEN
    assert (await shop.get(failed.id)).status is ReturnStatus.REFUND_FAILED


async def test_a_retry_while_the_store_is_down_stands_and_the_worker_pays_it_later(shop):
    from saleor_returns.services.worker import run_once

    # given the cover's refund was declined, and the issuer accepts again, but the store cannot be reached
    shop.gateway.decline.add("pi_demo_1002")
    failed = await failed_keep_item(shop)
    shop.gateway.decline.clear()
    shop.orders.down = True

    # when staff retry
    waiting = await retry_refund(shop.deps, STAFF, failed.id)

    # then the retry stands like a receipt does: back to APPROVED, the refund due and waiting, nobody paid
    assert waiting.status is ReturnStatus.APPROVED and types(waiting)[-1] == "REFUND_WAITING"
    assert waiting.refund_due_at is not None and paid(shop) == []

    # when the store is back, then the worker pays it, once
    shop.orders.down = False
    shop.clock.advance(minutes=5)
    await run_once(shop.deps)
    assert (await shop.get(failed.id)).status is ReturnStatus.REFUNDED and paid(shop) == [Decimal("19.99")]


async def test_a_refund_waiting_for_the_store_can_be_retried_once_it_is_back(shop):
    # given staff retried the declined cover while the store was down: the refund waits
    shop.gateway.decline.add("pi_demo_1002")
    failed = await failed_keep_item(shop)
    shop.gateway.decline.clear()
    shop.orders.down = True
    await retry_refund(shop.deps, STAFF, failed.id)

    # when the store is back and staff retry again (before the worker passes)
    shop.orders.down = False
    done = await retry_refund(shop.deps, STAFF, failed.id)

    # then the waiting refund is paid now, once
    assert done.status is ReturnStatus.REFUNDED and paid(shop) == [Decimal("19.99")]
