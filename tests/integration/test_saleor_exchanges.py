"""Exchanges and store credit in a Saleor store (a fake Saleor on loopback, built from Saleor's SDL): the catalog
read for offers, store credit as a gift card found again by its tag, a replacement as a no-charge order made
from a draft (found again by its external reference) and linked from the original order."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from saleor_returns.adapters.saleor.client import SaleorClient
from saleor_returns.adapters.saleor.order_source import SaleorOrderSource
from saleor_returns.adapters.saleor.replacements import SaleorReplacements
from saleor_returns.adapters.saleor.store_credit import SaleorStoreCredit
from saleor_returns.domain.money import Money
from saleor_returns.domain.refunds import RefundCommand, RefundStatus
from saleor_returns.ports.exchanges import ReplacementCommand, ReplacementLine
from saleor_returns.saleor_settings import SaleorSettings
from support.fake_saleor import FakeSaleor
from support.fake_saleor_exchanges import gid

TENANT = "https://shop.example/graphql/"
PERMISSIONS = ["MANAGE_ORDERS", "HANDLE_PAYMENTS", "MANAGE_GIFT_CARD"]


@pytest.fixture
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "USD", timezone="America/New_York")
    saleor.catalog.add_product("trail-shoe", "Trail Shoe", [
        {"id": "V-42", "name": "42", "sku": "SHOE-42", "price": "89.00", "stock": 5},
        {"id": "V-43", "name": "43", "sku": "SHOE-43", "price": "89.00", "stock": 1}])
    try:
        yield saleor
    finally:
        saleor.stop()


@pytest.fixture
async def client(fake) -> AsyncIterator[SaleorClient]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield SaleorClient(fake.api_url, fake.add_app(PERMISSIONS).token, http)


def a_credit(order_id: str = "T3JkZXI6MQ==") -> RefundCommand:
    return RefundCommand(refund_id="r1", idempotency_key="saleor-returns-refund-r1",
                         amount=Money(Decimal("120.00"), "USD"), psp_reference="pi_1", payment_gateway="store-credit",
                         order_id=order_id, return_number="R-10007", tenant=TENANT,
                         metadata={"credit_bonus_percent": "10", "customer_email": "ivy@example.com",
                                   "channel": "default-channel"})


async def test_the_catalog_is_read_with_prices_in_the_channel_and_stock(fake, client):
    source = SaleorOrderSource(client, SaleorSettings())

    product = await source.get_product("trail-shoe", "default-channel")

    assert [(v.id, v.name, v.unit_price, v.stock) for v in product.variants] == [
        ("V-42", "42", Money(Decimal("89.00"), "USD"), 5), ("V-43", "43", Money(Decimal("89.00"), "USD"), 1)]
    assert await source.get_product("no-such-thing", "default-channel") is None


async def test_store_credit_is_one_gift_card_worth_the_refund_plus_the_bonus_found_again_by_its_tag(fake, client):
    async def clients(tenant: str):
        return client

    gateway = SaleorStoreCredit(clients)

    first = await gateway.refund(a_credit())
    again = await gateway.refund(a_credit())  # a retry, or a racing worker

    assert first.status is RefundStatus.SUCCEEDED and again.psp_reference == first.psp_reference
    (card,) = fake.catalog.gift_cards
    assert card["code"] == first.psp_reference and card["initialBalance"]["amount"] == Decimal("132.00")
    assert (card["_email"], card["_channel"]) == ("ivy@example.com", "default-channel")
    assert {"saleor-returns-refund-r1", "return-r-10007"} <= set(card["_tags"]) and "R-10007" in card["_note"]
    assert fake.calls.count("StoreCreditGiftCardCreate") == 1


async def test_a_key_in_capitals_still_finds_its_gift_card_on_a_retry(fake, client):
    # Saleor keeps tags in lower case (seen on Saleor 3.23) and filters them as written
    async def clients(tenant: str):
        return client

    gateway = SaleorStoreCredit(clients)
    command = replace(a_credit(), idempotency_key="saleor-returns-refund-R1-ABC")

    first, again = await gateway.refund(command), await gateway.refund(command)

    assert again.psp_reference == first.psp_reference and len(fake.catalog.gift_cards) == 1


async def test_store_credit_without_the_gift_card_permission_fails_for_staff_to_see(fake):
    async with httpx.AsyncClient(timeout=5) as http:
        limited = SaleorClient(fake.api_url, fake.add_app(["MANAGE_ORDERS"]).token, http)

        async def clients(tenant: str):
            return limited

        outcome = await SaleorStoreCredit(clients).refund(a_credit())

    assert outcome.status is RefundStatus.FAILED and fake.catalog.gift_cards == []


def replacement(order: dict, key: str = "saleor-returns-exchange-ret1", units: int = 1) -> ReplacementCommand:
    return ReplacementCommand(idempotency_key=key, tenant=TENANT, return_id="ret1", return_number="R-10008",
                              order_id=order["id"], order_number=order["number"], channel="default-channel",
                              customer_email="hal@example.com",
                              lines=(ReplacementLine("trail-shoe", "V-43", "Trail Shoe", "SHOE-43", units),))


async def test_a_replacement_is_an_order_at_no_charge_made_once_and_linked_from_the_original(fake, client):
    original = fake.add_order(email="hal@example.com", user_id=None, shipped_at=datetime.now(UTC) - timedelta(days=3),
                              lines=[{"name": "Trail Shoe", "sku": "SHOE-42", "qty": 1, "price": "89.00",
                                      "slug": "trail-shoe"}])

    async def clients(tenant: str):
        return client

    async def orders(tenant: str, order_id: str):
        return await SaleorOrderSource(client, SaleorSettings()).get_order(order_id)

    desk = SaleorReplacements(clients, orders)
    first = await desk.send(replacement(original))
    again = await desk.send(replacement(original))

    assert first.created and (again.order_id, again.order_number) == (first.order_id, first.order_number)
    made = fake.orders[first.order_id]
    assert made["status"] == "UNFULFILLED" and made["_external"] == "saleor-returns-exchange-ret1"
    assert fake.catalog.charged_total(made) == Decimal(0)  # at no charge to the shopper
    assert made["_shipping"]["streetAddress1"] == "12 Analytical Lane" and made["userEmail"] == "hal@example.com"
    # Saleor completes no draft of shippable items without a shipping method: the cheapest active one it offers
    assert made["_shipping_method"] == gid("ShippingMethod", 2)
    assert fake.catalog.stock["V-43"] == 0
    assert fake.calls.count("ReplacementDraftCreate") == 1 and fake.calls.count("ReplacementComplete") == 1
    note = original["events"][-1]["message"]
    assert "R-10008" in note and f"#{first.order_number}" in note
    assert original["_private"]["returns.exchange.R-10008"] == first.order_id


async def test_a_replacement_no_shipping_method_can_deliver_is_left_for_staff_not_retried(fake, client):
    original = fake.add_order(email="ivy@example.com", user_id=None, shipped_at=datetime.now(UTC) - timedelta(days=3),
                              lines=[{"name": "Trail Shoe", "sku": "SHOE-42", "qty": 1, "price": "89.00",
                                      "slug": "trail-shoe"}])

    async def clients(tenant: str):
        return client

    async def orders(tenant: str, order_id: str):
        return await SaleorOrderSource(client, SaleorSettings()).get_order(order_id)

    desk = SaleorReplacements(clients, orders)
    fake.catalog.shipping_methods = []  # e.g. no shipping zone covers the customer's address
    outcome = await desk.send(replacement(original))

    assert not outcome.created and not outcome.retryable and "shipping method" in outcome.message
    assert fake.calls.count("ReplacementComplete") == 0


async def test_a_replacement_saleor_has_no_stock_for_is_out_of_stock(fake, client):
    original = fake.add_order(email="hal@example.com", user_id=None, shipped_at=datetime.now(UTC) - timedelta(days=3),
                              lines=[{"name": "Trail Shoe", "sku": "SHOE-42", "qty": 1, "price": "89.00"}])

    async def clients(tenant: str):
        return client

    async def orders(tenant: str, order_id: str):
        return None

    outcome = await SaleorReplacements(clients, orders).send(replacement(original, units=2))

    assert (outcome.created, outcome.out_of_stock) == (False, True)
    assert fake.catalog.stock["V-43"] == 1


# --- the whole flow through the app, for an installed store ---------------------------------------------------

RETURN_FIELDS = """id number status resolution refundMethod refundTotal { amount }
  storeCredit { code status amount { amount currency } bonus { amount } }
  exchange { status orderId orderNumber priceDifference { amount } }"""
REQUEST_RETURN = ("mutation($input: RequestReturnInput!) { requestReturn(input: $input) { __typename "
                  "... on ReturnRequested { returnRequest { " + RETURN_FIELDS + " } } "
                  "... on ReturnError { code message field } } }")
ELIGIBILITY = """query($id: ID!) { orderReturnEligibility(orderId: $id) { ... on OrderReturnEligibility {
  refundMethods { method bonusPercent } lines { exchangeOptions { variantId available unitPrice { amount } } } } } }"""
UPDATE_POLICY = """mutation($channel: String!, $input: ReturnPolicyInput!) { updateReturnPolicy(channel: $channel,
  input: $input) { __typename ... on ReturnError { code message } } }"""
OFFERING = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
            "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}], "exchangeMode": "SAME_PRODUCT",
            "storeCreditBonusPercent": "10"}


@pytest.fixture
def returns_app(settings, demo_store, clock) -> Iterator:
    from dataclasses import replace as changed

    from saleor_returns.adapters.demo.order_source import DemoOrderSource
    from support.fake_saleor import ReturnsApp

    app = ReturnsApp(changed(settings, refund_gateway="saleor"), DemoOrderSource(demo_store), clock)
    try:
        yield app
    finally:
        app.close()


def test_a_kept_case_swapped_for_a_cheaper_model_gets_a_no_charge_order_and_a_gift_card_for_the_rest(
        fake, returns_app, clock):
    # given a store offering exchanges and store credit with a 10 % bonus, and a 15.00 case bought
    fake.catalog.add_product("phone-case", "Phone Case", [
        {"id": "V-CASE-15", "name": "iPhone 15", "sku": "CASE-15", "price": "15.00", "stock": 3},
        {"id": "V-CASE-15PRO", "name": "iPhone 15 Pro", "sku": "CASE-15PRO", "price": "12.00", "stock": 3}])
    order = fake.add_order(email="jon@example.com", user_id="VXNlcjoy", shipped_at=clock.now() - timedelta(days=3),
                           lines=[{"name": "Phone Case", "sku": "CASE-15", "qty": 1, "price": "15.00",
                                   "slug": "phone-case"}])
    app_id = fake.install(f"{returns_app.url}/api/manifest").id
    staff = fake.dashboard_token(app_id)
    saved = returns_app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": OFFERING}, token=staff)
    assert saved["data"]["updateReturnPolicy"]["__typename"] == "ReturnPolicy", saved
    shopper = fake.customer_token("jon@example.com", "VXNlcjoy")

    # then the shopper is offered the Pro case and store credit with its bonus
    offers = returns_app.gql(ELIGIBILITY, {"id": order["id"]}, token=shopper)["data"]["orderReturnEligibility"]
    assert offers["refundMethods"][1] == {"method": "STORE_CREDIT", "bonusPercent": "10"}
    assert {"variantId": "V-CASE-15PRO", "available": True, "unitPrice": {"amount": "12.00"}} in \
        offers["lines"][0]["exchangeOptions"]

    # when Jon keeps the wrong case, asks for the Pro one, and takes the 3.00 difference as store credit
    body = returns_app.gql(REQUEST_RETURN, {"input": {"orderId": order["id"], "refundMethod": "STORE_CREDIT", "lines": [
        {"orderLineId": order["lines"][0]["id"], "quantity": 1, "reason": "WRONG_ITEM",
         "exchangeVariantId": "V-CASE-15PRO"}]}}, token=shopper)
    ret = body["data"]["requestReturn"]["returnRequest"]

    # then a no-charge order for the Pro case is made in Saleor and linked from the original order
    assert ret["resolution"] == "KEEP_ITEM" and ret["exchange"]["status"] == "CREATED"
    made = fake.orders[ret["exchange"]["orderId"]]
    assert made["status"] == "UNFULFILLED" and fake.catalog.charged_total(made) == Decimal(0)
    assert fake.catalog.stock["V-CASE-15PRO"] == 2
    assert any(f"#{ret['exchange']['orderNumber']}" in e["message"] for e in order["events"])
    # and a gift card worth 3.30 (3.00 plus 10 %) is issued for Jon in the order's channel
    assert ret["storeCredit"]["status"] == "ISSUED" and ret["storeCredit"]["amount"]["amount"] == "3.30"
    (card,) = fake.catalog.gift_cards
    assert (card["code"], card["initialBalance"]["amount"], card["_email"]) == (
        ret["storeCredit"]["code"], Decimal("3.30"), "jon@example.com")
