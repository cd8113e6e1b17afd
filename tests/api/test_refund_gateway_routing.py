"""A pending refund is finished by the gateway that began it (the refund's own `gateway`), never by whatever
gateway the deployment is configured with now: an operator who moves from Stripe to another gateway must not
see a refund Stripe may already hold paid a second time elsewhere."""
from __future__ import annotations

from dataclasses import replace

from documents import REQUEST_RETURN, line, request
from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.bootstrap import build
from saleor_returns.services.worker import run_once
from support.fake_stripe import FakeStripe

RETURN_REQUEST = """query($id: ID!) { returnRequest(id: $id) { status
  refunds { status gateway pspReference failureCode failureMessage } } }"""


def cover_pending_at_stripe(app, fake_stripe: FakeStripe) -> dict:
    """Ben keeps the cover while Stripe answers 500 to every try: the refund is PENDING with its key."""
    fake_stripe.fail_next(500, times=3)
    ret = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))["requestReturn"]
    [refund] = ret["returnRequest"]["refunds"]
    assert (refund["status"], refund["gateway"]) == ("PENDING", "stripe")
    assert fake_stripe.refunds_of("pi_demo_1002") == []
    return ret["returnRequest"]


def worker_pass(app, settings, demo_store, clock) -> tuple[object, object]:
    """One pass of a worker built as `saleor-returns worker` builds it, from `settings`."""
    async def one_pass():
        wiring = build(settings, DemoOrderSource(demo_store), clock=clock)
        try:
            return await run_once(wiring.deps), wiring.deps.refunds.default
        finally:
            await wiring.close()

    return app.run(one_pass())


def test_a_pending_stripe_refund_is_finished_by_stripe_after_the_deployment_moved_to_another_gateway(
        stripe_app, fake_stripe: FakeStripe, settings, demo_store, clock):
    # given the cover's refund waits at Stripe (an outage), then the operator switches the deployment to the
    # simulated gateway (Stripe's key is still configured)
    ret = cover_pending_at_stripe(stripe_app, fake_stripe)
    moved = replace(settings, refund_gateway="simulated", stripe_api_key=fake_stripe.api_key,
                    stripe_api_base=fake_stripe.url)

    # when the worker runs once the backoff is over
    clock.advance(seconds=31)
    report, default = worker_pass(stripe_app, moved, demo_store, clock)

    # then Stripe finished it, with the refund's own key, and the new default gateway paid nothing
    assert report.outcomes["SUCCEEDED"] == 1
    [held] = fake_stripe.refunds_of("pi_demo_1002")
    after = stripe_app.gql(RETURN_REQUEST, {"id": ret["id"]}, staff=True)["returnRequest"]
    assert [(r["status"], r["gateway"], r["pspReference"]) for r in after["refunds"]] == [
        ("SUCCEEDED", "stripe", held["id"])]
    assert after["status"] == "REFUNDED"
    keys = {c.idempotency_key for c in fake_stripe.creates("pi_demo_1002")}
    assert keys == {f"saleor-returns-refund-{held['metadata']['refund_id']}"}
    assert default.name == "simulated" and default.refunds == []


def test_a_pending_refund_whose_gateway_is_no_longer_configured_waits_and_says_why(
        stripe_app, fake_stripe: FakeStripe, settings, demo_store, clock):
    # given the cover's refund waits at Stripe, then the deployment runs without any Stripe key
    ret = cover_pending_at_stripe(stripe_app, fake_stripe)
    moved = replace(settings, refund_gateway="simulated", stripe_api_key=None)

    # when the worker runs
    clock.advance(seconds=31)
    report, default = worker_pass(stripe_app, moved, demo_store, clock)

    # then nobody paid it: it stays PENDING, retried later, and staff read why
    assert report.outcomes["PENDING"] == 1 and default.refunds == []
    after = stripe_app.gql(RETURN_REQUEST, {"id": ret["id"]}, staff=True)["returnRequest"]
    [refund] = after["refunds"]
    assert refund["status"] == "PENDING" and "stripe" in refund["failureMessage"]
    assert "not configured" in refund["failureMessage"]
