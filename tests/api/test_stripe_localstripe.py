"""The happy path against localstripe, a stateful Stripe look-alike started by the test suite: a payment
intent created and confirmed there, a line returned through our API, one refund of the right amount there."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from documents import REQUEST_RETURN, line, request
from saleor_returns.adapters.demo.orders_file import parse_demo_store
from saleor_returns.adapters.refunds.stripe_gateway import StripeRefundGateway
from saleor_returns.services.reconcile import reconcile
from support.app_runner import running_app
from support.fake_stripe import keep_item_orders
from support.localstripe import API_KEY, LocalStripe


def test_a_kept_item_is_refunded_once_in_localstripe_and_the_books_agree(localstripe: LocalStripe, settings,
                                                                         demo_policies, clock):
    # given a shopper paid 15.99 (a 10.00 cable and 5.99 shipping) with a payment intent confirmed in localstripe
    pi = localstripe.paid_payment_intent(1599, "usd")
    store = parse_demo_store(keep_item_orders([pi], amount="10.00", shipping="5.99"), clock.now())
    gateway = StripeRefundGateway(API_KEY, api_base=localstripe.url, timeout=10, max_network_retries=1)
    stripe_settings = replace(settings, refund_gateway="stripe", stripe_api_key=API_KEY,
                              stripe_api_base=localstripe.url)

    with running_app(stripe_settings, store, demo_policies, gateway, clock) as app:
        # when she returns the cable and keeps it
        result = app.gql(REQUEST_RETURN, request("ORD-K0", "shopper0@example.com", line("L-K0")))
        ret = result["requestReturn"]["returnRequest"]

        # then the return is refunded, and localstripe holds exactly one refund: 1000 cents, marked as ours
        assert ret["status"] == "REFUNDED"
        [ours] = ret["refunds"]
        [theirs] = localstripe.refunds(pi)
        assert (theirs["id"], theirs["amount"], theirs["status"]) == (ours["pspReference"], 1000, "succeeded")
        assert theirs["metadata"]["refund_id"] == ours["id"] and theirs["metadata"]["return_number"] == ret["number"]

        # and reconciliation finds our books and localstripe's in agreement
        checked = app.run(reconcile(app.deps, gateway, "stripe", clock.now() - timedelta(days=7)))
        assert (checked.compared, checked.payments, checked.mismatches) == (1, 1, [])

    asyncio.run(gateway.close())
