"""Reconciliation: our refunds against what (the fake) Stripe holds, as `saleor-returns reconcile` prints it."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from documents import REQUEST_RETURN, line, request
from saleor_returns.services.reconcile import reconcile, render
from support.fake_stripe import FakeStripe, gateway_for


def refund_the_cover_and_a_cable(app) -> list[dict]:
    """Two keep-item returns of Ben's order, each refunded through Stripe."""
    refunds = []
    for order_line in ("L-1002-1", "L-1002-2"):
        ret = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line(order_line)))
        [refund] = ret["requestReturn"]["returnRequest"]["refunds"]
        refunds.append(refund)
    return refunds


def check(app, fake: FakeStripe):
    return app.run(reconcile(app.deps, gateway_for(fake), "stripe", app.deps.clock.now() - timedelta(days=7)))


def test_books_that_agree_show_no_mismatch(stripe_app, fake_stripe: FakeStripe):
    refund_the_cover_and_a_cable(stripe_app)
    result = check(stripe_app, fake_stripe)
    # the two refunds of ORD-1002, and the seeded socks return of ORD-1006
    assert (result.compared, result.payments, result.mismatches) == (3, 2, [])
    assert render(result).endswith(": 0 mismatches")


def test_each_kind_of_disagreement_is_reported_once(stripe_app, fake_stripe: FakeStripe):
    # given two refunds Stripe holds
    cover, cable = refund_the_cover_and_a_cable(stripe_app)
    # when Stripe's books drift: a different amount, a refund that failed without telling us, one that
    # vanished, one carrying our metadata that we never made, and one made in the Dashboard
    fake_stripe.refunds[cover["pspReference"]]["amount"] = 1000
    fake_stripe.refunds[cable["pspReference"]]["status"] = "failed"
    socks = fake_stripe.refunds_of("pi_demo_1006")[0]
    del fake_stripe.refunds[socks["id"]]
    for metadata in ({"refund_id": "00000000-not-ours"}, {}):
        fake_stripe.refunds[f"re_extra{len(metadata)}"] = {
            "id": f"re_extra{len(metadata)}", "object": "refund", "amount": 500, "currency": "usd",
            "status": "succeeded", "payment_intent": "pi_demo_1002", "metadata": metadata, "created": 1}

    result = check(stripe_app, fake_stripe)

    # then each disagreement is one row, and the Dashboard refund is only counted
    assert sorted((m.kind, m.provider_id) for m in result.mismatches) == sorted([
        ("amount", cover["pspReference"]), ("status", cable["pspReference"]),
        ("missing_at_provider", socks["id"]), ("missing_here", "re_extra1")])
    assert result.made_elsewhere == 1
    table = render(result)
    assert table.splitlines()[0].split() == ["KIND", "RETURN", "REFUND", "PAYMENT", "PROVIDER", "REFUND", "OURS",
                                             "PROVIDER"]
    assert "19.99 USD SUCCEEDED  10.00 USD SUCCEEDED" in table and "9.00 USD SUCCEEDED   9.00 USD FAILED" in table
    assert "4 mismatches; 1 refund made outside saleor-returns" in table


def test_the_reconcile_command_prints_the_table_and_exits_1_on_mismatches(stripe_app, fake_stripe, settings):
    # given Stripe lost one of our refunds
    cover, _ = refund_the_cover_and_a_cable(stripe_app)
    env = {**os.environ, "DATABASE_URL": settings.database_url, "RETURNS_ADMIN_TOKEN": settings.admin_token,
           "STRIPE_API_KEY": fake_stripe.api_key, "STRIPE_API_BASE": fake_stripe.url, "RETURNS_LOG_LEVEL": "ERROR"}

    def reconcile_command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "saleor_returns.cli", "reconcile", *args], env=env,
                              capture_output=True, text=True, timeout=60)

    agreed = reconcile_command("--since", "3650d")
    del fake_stripe.refunds[cover["pspReference"]]
    drifted = reconcile_command("--since", "3650d")
    refused = reconcile_command("--since", "a week")

    # then: 0 when the books agree, 1 with the table when they do not, 2 for a wrong window
    assert agreed.returncode == 0 and "0 mismatches" in agreed.stdout, agreed.stderr
    assert drifted.returncode == 1 and "missing_at_provider" in drifted.stdout and cover["id"] in drifted.stdout
    assert refused.returncode == 2 and "--since must be a duration" in refused.stderr
