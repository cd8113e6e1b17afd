"""A shopper signed in on a Saleor storefront: the storefront hands the portal the customer's token, and the
portal shows their order and its returns without asking for the e-mail again (a fake Saleor on loopback)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from support.fake_saleor import FakeSaleor, ReturnsApp

pytest_plugins = ("support.browser",)  # browser, open_page, screenshot

BEN, BEN_ID = "ben@example.com", "VXNlcjox"
COVER = {"name": "Laptop cover", "sku": "COV-14", "qty": 1, "price": "19.00"}
UPDATE_POLICY = """mutation($channel: String!, $input: ReturnPolicyInput!) { updateReturnPolicy(channel: $channel,
  input: $input) { __typename } }"""
KEEP_UP_TO_25 = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
                 "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}


@pytest.fixture
def saleor_store(settings, demo_store, clock) -> Iterator[tuple[FakeSaleor, ReturnsApp, dict]]:
    fake = FakeSaleor().start()
    fake.add_channel("default-channel", "USD", timezone="America/New_York")
    app = ReturnsApp(replace(settings, refund_gateway="saleor"), DemoOrderSource(demo_store), clock)
    try:
        saleor_app = fake.install(f"{app.url}/api/manifest")
        staff = fake.dashboard_token(saleor_app.id)
        assert app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": KEEP_UP_TO_25},
                       token=staff)["data"]["updateReturnPolicy"]["__typename"] == "ReturnPolicy"
        order = fake.add_order(email=BEN, user_id=BEN_ID, lines=[COVER], shipped_at=clock.now() - timedelta(days=5))
        yield fake, app, order
    finally:
        app.close()
        fake.stop()


def test_a_signed_in_customer_opens_the_portal_with_their_token_and_no_email(saleor_store, open_page, screenshot):
    fake, app, order = saleor_store
    token = fake.customer_token(BEN, BEN_ID)
    # given the storefront opens the portal for Ben's order with his token in the fragment (never sent in a URL)
    page = open_page(f"{app.url}/portal?order={order['number']}&channel=default-channel#customerToken={token}",
                     mobile=True)
    # then his order shows at once, under the shop's own name, without asking for his e-mail
    expect(page.get_by_role("heading", name=f"Order #{order['number']}")).to_be_visible()
    expect(page.locator("[data-brand]")).to_have_text("Saleor Demo Shop")
    expect(page.get_by_text("One of your orders.")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_have_count(0)
    assert "customerToken" not in page.url

    # when he returns the cover (kept: under the threshold)
    page.get_by_role("checkbox", name="Laptop cover").check()
    page.get_by_label("Reason for Laptop cover").select_option("DOES_NOT_FIT")
    page.get_by_role("button", name="See what happens next").click()
    page.get_by_role("button", name="Send my return").click()
    expect(page.get_by_role("heading", name="Refund on its way: keep the item")).to_be_visible()

    # then his status page needs no e-mail either, and a new look-up lists the return
    page.get_by_role("link", name="Follow this return").click()
    expect(page.locator('[data-status="APPROVED"], [data-status="REFUNDED"]')).to_be_visible()
    assert "email=" not in page.url
    page.goto(f"{app.url}/portal?order={order['number']}")
    expect(page.locator("[data-order-returns]")).to_be_visible()
    screenshot(page, "portal-signed-in-customer")
