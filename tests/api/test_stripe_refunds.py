"""Keep-item refunds through Stripe, told through the API over real HTTP against the fake Stripe:
outages, webhooks that settle or reverse a refund, the worker, and what staff see."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from documents import REQUEST_RETURN, RETRY, RETURN_REQUEST, line, request
from saleor_returns.adapters.db.models import ProcessedEventRow
from saleor_returns.services.worker import run_once
from support.fake_stripe import FakeStripe


def keep_the_cover(app) -> dict:
    """Ben returns the 19.99 laptop cover: a keep-item refund."""
    result = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))["requestReturn"]
    assert result["__typename"] == "ReturnRequested", result
    return result["returnRequest"]


def seen_by_staff(app, return_id: str) -> dict:
    return app.gql(RETURN_REQUEST, {"id": return_id}, staff=True)["returnRequest"]


def processed_events(app) -> int:
    async def count() -> int:
        async with app.deps.uow(readonly=True) as tx:
            return (await tx.session.execute(select(func.count()).select_from(ProcessedEventRow))).scalar_one()
    return app.run(count())


def test_the_cover_is_refunded_once_through_stripe(stripe_app, fake_stripe: FakeStripe):
    # when Ben keeps the cover
    ret = keep_the_cover(stripe_app)

    # then the return is refunded, and Stripe holds one refund of 1999 cents on the order's payment intent
    assert ret["status"] == "REFUNDED"
    [refund] = ret["refunds"]
    assert (refund["status"], refund["gateway"], refund["amount"]["amount"]) == ("SUCCEEDED", "stripe", "19.99")
    [held] = fake_stripe.refunds_of("pi_demo_1002")
    assert held["amount"] == 1999 and held["id"] == refund["pspReference"]
    assert held["metadata"]["return_number"] == ret["number"] and held["metadata"]["refund_id"] == refund["id"]


def test_a_500_then_success_is_one_refund_under_one_key(stripe_app, fake_stripe: FakeStripe):
    fake_stripe.fail_next(500)
    ret = keep_the_cover(stripe_app)
    assert ret["status"] == "REFUNDED"
    assert len(fake_stripe.refunds_of("pi_demo_1002")) == 1
    creates = fake_stripe.creates("pi_demo_1002")
    assert len(creates) == 2 and len({r.idempotency_key for r in creates}) == 1


def test_an_outage_leaves_the_refund_pending_and_the_worker_finishes_it_with_the_same_key(
        stripe_app, fake_stripe: FakeStripe, clock):
    # given Stripe answers 500 to every try of the request (3 = the library's retries)
    fake_stripe.fail_next(500, times=3)
    ret = keep_the_cover(stripe_app)

    # then the shopper's return is approved, its refund waits, and the delay is in the history
    assert ret["status"] == "APPROVED" and [r["status"] for r in ret["refunds"]] == ["PENDING"]
    assert "REFUND_DELAYED" in [e["type"] for e in ret["events"]]
    assert fake_stripe.refunds_of("pi_demo_1002") == []

    # when Stripe is back and the worker runs before the backoff is over, nothing is due yet
    assert stripe_app.run(run_once(stripe_app.deps)).claimed == 0
    clock.advance(seconds=31)
    report = stripe_app.run(run_once(stripe_app.deps))

    # then the worker paid it, once, with the key of the first try
    assert (report.claimed, dict(report.outcomes)) == (1, {"SUCCEEDED": 1})
    assert seen_by_staff(stripe_app, ret["id"])["status"] == "REFUNDED"
    assert len(fake_stripe.refunds_of("pi_demo_1002")) == 1
    assert len({r.idempotency_key for r in fake_stripe.creates("pi_demo_1002")}) == 1


def test_the_worker_gives_up_after_a_day_and_retry_starts_the_same_refund_again(
        stripe_app, fake_stripe: FakeStripe, clock):
    # given Stripe cannot be reached for more than a day
    fake_stripe.fail_next(500, times=3)
    ret = keep_the_cover(stripe_app)
    clock.advance(hours=25)
    fake_stripe.fail_next(500, times=3)
    stripe_app.run(run_once(stripe_app.deps))

    # then the refund failed with the reason, and the return waits for staff
    seen = seen_by_staff(stripe_app, ret["id"])
    [refund] = seen["refunds"]
    assert seen["status"] == "REFUND_FAILED" and refund["status"] == "FAILED"
    assert "gave_up" in seen["events"][-1]["note"] and "no answer" in seen["events"][-1]["note"]

    # when staff retry once Stripe is back
    retried = stripe_app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]["returnRequest"]

    # then the same refund (same id, same key) went through, and Stripe holds exactly one
    assert retried["status"] == "REFUNDED"
    assert [(r["id"], r["status"]) for r in retried["refunds"]] == [(refund["id"], "SUCCEEDED")]
    assert len(fake_stripe.refunds_of("pi_demo_1002")) == 1
    assert len({r.idempotency_key for r in fake_stripe.creates("pi_demo_1002")}) == 1


def test_a_declined_refund_shows_staff_why_and_a_retry_pays_it(stripe_app, fake_stripe: FakeStripe):
    # given the card issuer declines the refund
    fake_stripe.decline_next()
    ret = keep_the_cover(stripe_app)

    # then the return is REFUND_FAILED, and staff read the code and Stripe's message
    assert ret["status"] == "REFUND_FAILED"
    failed = seen_by_staff(stripe_app, ret["id"])
    assert "card_declined" in failed["events"][-1]["note"] and "declined" in failed["events"][-1]["note"]

    # when staff retry
    retried = stripe_app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]["returnRequest"]

    # then a new refund pays it, once
    assert retried["status"] == "REFUNDED"
    assert [r["status"] for r in retried["refunds"]] == ["FAILED", "SUCCEEDED"]
    assert [r["amount"] for r in fake_stripe.refunds_of("pi_demo_1002")] == [1999]


def test_a_pending_refund_is_settled_by_stripes_webhook_once(stripe_app, fake_stripe: FakeStripe):
    # given Stripe accepts the refund but it is still pending
    fake_stripe.outcome_next("pending")
    ret = keep_the_cover(stripe_app)
    assert ret["status"] == "APPROVED" and [r["status"] for r in ret["refunds"]] == ["PENDING"]
    re_id = ret["refunds"][0]["pspReference"]

    # when Stripe says it succeeded (and, as Stripe may, says it twice)
    first = fake_stripe.settle(re_id, "succeeded")
    again = fake_stripe.deliver(fake_stripe.sent_events[-1])

    # then the return is refunded, and the second delivery changed nothing
    assert (first.status_code, first.json()["result"]) == (200, "applied")
    assert (again.status_code, again.json()["result"]) == (200, "duplicate")
    seen = seen_by_staff(stripe_app, ret["id"])
    assert seen["status"] == "REFUNDED" and [r["status"] for r in seen["refunds"]] == ["SUCCEEDED"]
    assert [e["type"] for e in seen["events"]].count("REFUND_SUCCEEDED") == 1
    assert processed_events(stripe_app) == 1


def test_a_refund_that_fails_after_succeeding_reopens_the_return_for_staff(stripe_app, fake_stripe: FakeStripe):
    # given the cover was refunded
    ret = keep_the_cover(stripe_app)
    re_id = ret["refunds"][0]["pspReference"]

    # when Stripe later reports that the refund failed (the card was closed)
    response = fake_stripe.settle(re_id, "failed", failure_reason="expired_or_canceled_card")

    # then the return is REFUND_FAILED again, with the reason for staff
    assert response.json()["result"] == "applied"
    seen = seen_by_staff(stripe_app, ret["id"])
    assert seen["status"] == "REFUND_FAILED" and seen["refunds"][0]["status"] == "FAILED"
    assert [e["type"] for e in seen["events"]][-2:] == ["REFUND_REVERSED", "REFUND_FAILED"]
    assert "expired_or_canceled_card" in seen["events"][-1]["note"]

    # and a staff retry pays the shopper with a new refund
    retried = stripe_app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]["returnRequest"]
    assert retried["status"] == "REFUNDED"
    assert [r["status"] for r in fake_stripe.refunds_of("pi_demo_1002")] == ["failed", "succeeded"]


def test_events_in_any_order_never_move_a_refund_backwards(stripe_app, fake_stripe: FakeStripe):
    # given a pending refund
    fake_stripe.outcome_next("pending")
    ret = keep_the_cover(stripe_app)
    refund = dict(fake_stripe.refunds[ret["refunds"][0]["pspReference"]])

    # when its events arrive out of order: failed, then the older succeeded, then the oldest created (pending)
    failed = fake_stripe.event("refund.failed", {**refund, "status": "failed", "failure_reason": "declined"})
    succeeded = fake_stripe.event("refund.updated", {**refund, "status": "succeeded"})
    created = fake_stripe.event("refund.created", refund)
    results = [fake_stripe.deliver(e).json()["result"] for e in (failed, succeeded, created)]

    # then only the failure counted: a failed refund never becomes paid or pending again
    assert results == ["applied", "unchanged", "unchanged"]
    seen = seen_by_staff(stripe_app, ret["id"])
    assert seen["status"] == "REFUND_FAILED" and seen["refunds"][0]["status"] == "FAILED"


BAD_DELIVERIES = [
    ("no signature", {"signature": ""}, "BAD_SIGNATURE"),
    ("garbage signature", {"signature": "t=1,v1=deadbeef"}, "BAD_SIGNATURE"),
    ("signed with another secret", {"secret": "whsec_someone_else"}, "BAD_SIGNATURE"),
    ("signed six minutes ago", {"timestamp_offset": -360}, "STALE_TIMESTAMP"),
]


def test_unsigned_forged_or_stale_events_are_refused_and_change_nothing(stripe_app, fake_stripe: FakeStripe):
    import time

    # given a refund that succeeded
    ret = keep_the_cover(stripe_app)
    refund = fake_stripe.refunds[ret["refunds"][0]["pspReference"]]
    forged = fake_stripe.event("refund.failed", {**refund, "status": "failed", "failure_reason": "declined"})

    for scene, how, code in BAD_DELIVERIES:
        # when someone posts a failure that Stripe did not sign (or signed long ago)
        kwargs = {k: v for k, v in how.items() if k != "timestamp_offset"}
        if "timestamp_offset" in how:
            kwargs["timestamp"] = int(time.time()) + how["timestamp_offset"]
        response = fake_stripe.deliver(forged, **kwargs)

        # then it is refused with a code, and nothing changed
        assert (response.status_code, response.json()["code"]) == (400, code), scene
    seen = seen_by_staff(stripe_app, ret["id"])
    assert seen["status"] == "REFUNDED" and seen["refunds"][0]["status"] == "SUCCEEDED"
    assert processed_events(stripe_app) == 0

    # and the same event, properly signed now, is still applied (a refusal does not use up the event id)
    assert fake_stripe.deliver(forged).json()["result"] == "applied"


def test_a_webhook_that_overtakes_our_own_answer_finds_the_refund_by_its_metadata(stripe_app, fake_stripe):
    # given Stripe made the refund but its answer to us is still on the way
    hold = fake_stripe.hold_next()
    with ThreadPoolExecutor(1) as pool:
        asked = pool.submit(keep_the_cover, stripe_app)
        assert hold.reached.wait(10)
        [held] = fake_stripe.refunds_of("pi_demo_1002")

        # when Stripe's refund.created webhook arrives first
        response = fake_stripe.deliver(fake_stripe.event("refund.created", held))
        hold.release.set()
        ret = asked.result(timeout=30)

    # then it was matched through the refund id in the metadata, and the late answer changed nothing more
    assert response.json()["result"] == "applied"
    seen = seen_by_staff(stripe_app, ret["id"])
    assert seen["status"] == "REFUNDED" and seen["refunds"][0]["pspReference"] == held["id"]
    assert [e["type"] for e in seen["events"]].count("REFUND_SUCCEEDED") == 1


def test_events_about_other_refunds_are_acknowledged_and_ignored(stripe_app, fake_stripe: FakeStripe):
    stranger = {"id": "re_dashboard", "object": "refund", "amount": 500, "currency": "usd", "status": "succeeded",
                "payment_intent": "pi_demo_1002", "metadata": {}}
    assert fake_stripe.deliver(fake_stripe.event("refund.updated", stranger)).json()["result"] == "unknown_refund"
    payout = fake_stripe.event("payout.paid", {"id": "po_1", "object": "payout"})
    assert fake_stripe.deliver(payout).json()["result"] == "ignored"


def test_a_jpy_refund_is_sent_in_whole_yen(stripe_app, fake_stripe: FakeStripe):
    result = stripe_app.gql(REQUEST_RETURN, request("ORD-2001", "hana@example.jp", line("L-2001-1")))
    assert result["requestReturn"]["returnRequest"]["status"] == "REFUNDED"
    assert [r["amount"] for r in fake_stripe.refunds_of("pi_demo_2001")] == [1800]


def test_a_refund_pending_at_stripe_is_polled_by_the_worker_when_no_webhook_comes(stripe_app, fake_stripe, clock):
    # given Stripe accepted the refund as pending and its webhook got lost
    fake_stripe.outcome_next("pending")
    ret = keep_the_cover(stripe_app)
    fake_stripe.refunds[ret["refunds"][0]["pspReference"]]["status"] = "succeeded"

    # when the worker looks an hour later
    clock.advance(hours=1, seconds=1)
    stripe_app.run(run_once(stripe_app.deps))

    # then it read the refund (no second one was created) and the return is refunded
    assert seen_by_staff(stripe_app, ret["id"])["status"] == "REFUNDED"
    assert len(fake_stripe.creates("pi_demo_1002")) == 1 and len(fake_stripe.refunds_of("pi_demo_1002")) == 1


def test_without_a_signing_secret_the_endpoint_says_it_is_not_configured(app):
    import httpx

    response = httpx.post(f"{app.server.url}/webhooks/stripe", content=b"{}", headers={"stripe-signature": "t=1"})
    assert (response.status_code, response.json()["code"]) == (503, "WEBHOOK_NOT_CONFIGURED")
