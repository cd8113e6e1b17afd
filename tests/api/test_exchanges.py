"""Exchanges and store credit over GraphQL on the real database (exchanges.md): the offers, the choices,
what the return shows, and 20 racing identical requests making one replacement and one store credit."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import httpx

from documents import RECEIVED, line, request

RETURN = """
  id number status resolution refundMethod refundTotal { amount currency }
  lines { orderLineId exchangeVariantId refund { amount } }
  storeCredit { code status amount { amount currency } bonus { amount } }
  exchange { status orderNumber priceDifference { amount } lines { variantId productName quantity } }
"""
REQUEST = ("mutation R($input: RequestReturnInput!) { requestReturn(input: $input) { __typename "
           "... on ReturnRequested { returnRequest { " + RETURN + " } } ... on ReturnError { code message field } "
           "... on ReturnNotEligible { lines { orderLineId codes } } } }")
GET = "query G($id: ID!) { returnRequest(id: $id) { " + RETURN + " } }"
ELIGIBILITY = """
query E($orderId: ID!, $email: String) { orderReturnEligibility(orderId: $orderId, email: $email) {
  ... on OrderReturnEligibility { refundMethods { method bonusPercent }
    lines { orderLineId exchangeOptions { variantId name sku unitPrice { amount currency } available } } }
  ... on ReturnError { code } } }"""


def swap(order_line_id: str, variant_id: str, reason: str = "DOES_NOT_FIT") -> dict:
    return {**line(order_line_id, reason=reason), "exchangeVariantId": variant_id}


def with_method(variables: dict, method: str) -> dict:
    variables["input"]["refundMethod"] = method
    return variables


def test_eligibility_offers_the_other_sizes_and_store_credit_with_its_bonus(app):
    data = app.gql(ELIGIBILITY, {"orderId": "ORD-1008", "email": "hal@example.com"})["orderReturnEligibility"]

    assert data["refundMethods"] == [{"method": "ORIGINAL_PAYMENT", "bonusPercent": "0"},
                                     {"method": "STORE_CREDIT", "bonusPercent": "10"}]
    assert data["lines"][0]["exchangeOptions"] == [
        {"variantId": "V-SHOE-43", "name": "43", "sku": "SHOE-43", "unitPrice": {"amount": "89.00", "currency": "USD"},
         "available": True},
        {"variantId": "V-SHOE-44", "name": "44", "sku": "SHOE-44", "unitPrice": {"amount": "89.00", "currency": "USD"},
         "available": False}]


def test_a_dearer_variant_is_a_return_error_on_its_line(app):
    result = app.gql(REQUEST, request("ORD-1008", "hal@example.com", swap("L-1008-1", "V-SHOE-43-GTX")))

    assert result["requestReturn"]["__typename"] == "ReturnError"
    assert (result["requestReturn"]["code"], result["requestReturn"]["field"]) == (
        "INVALID_INPUT", "lines[0].exchangeVariantId")


def test_a_size_swap_shows_its_replacement_once_received(app):
    made = app.gql(REQUEST, request("ORD-1008", "hal@example.com", swap("L-1008-1", "V-SHOE-43")))
    ret = made["requestReturn"]["returnRequest"]
    assert ret["lines"][0]["exchangeVariantId"] == "V-SHOE-43" and ret["exchange"]["status"] == "PENDING"

    app.gql(RECEIVED, {"id": ret["id"]}, staff=True)

    shown = app.gql(GET, {"id": ret["id"]}, staff=True)["returnRequest"]
    assert shown["exchange"] == {"status": "CREATED", "orderNumber": f"X-{ret['number']}",
                                 "priceDifference": {"amount": "0.00"},
                                 "lines": [{"variantId": "V-SHOE-43", "productName": "Trail Shoe 42 → 43",
                                            "quantity": 1}]}
    assert shown["status"] == "REFUNDED"


async def _race(url: str, variables: dict, n: int = 20) -> list[dict]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        async def one() -> dict:
            response = await client.post("/graphql", json={"query": REQUEST, "variables": variables})
            assert response.status_code == 200, response.text
            return response.json()["data"]["requestReturn"]
        return await asyncio.gather(*(one() for _ in range(n)))


async def _ledger(app, number: str) -> tuple[list, int]:
    async with app.deps.uow(readonly=True) as tx:
        credits = await tx.ledger.credits_of(app.deps.tenant, [number])
        sent = await tx.ledger.units_sent(app.deps.tenant, ["V-CASE-15PRO"])
    return credits, sent.get("V-CASE-15PRO", 0)


def test_twenty_identical_requests_make_one_replacement_and_one_store_credit(app):
    # given the case is kept (under the threshold) and swapped for the right model, the rest as store credit:
    # the Pro case costs 12.00 here, so 3.00 goes back as store credit with its 10 % bonus
    store = app.deps.orders.store
    case = store.products["P-CASE"]
    store.products["P-CASE"] = replace(case, variants=tuple(
        replace(v, unit_price=Decimal("12.00")) if v.id == "V-CASE-15PRO" else v
        for v in case.variants))
    variables = with_method(request("ORD-1010", "jon@example.com", swap("L-1010-1", "V-CASE-15PRO", "WRONG_ITEM")),
                            "STORE_CREDIT")

    results = asyncio.run(_race(app.server.url, variables))

    made = [r["returnRequest"] for r in results if r["__typename"] == "ReturnRequested"]
    assert len(made) == 1
    shown = app.gql(GET, {"id": made[0]["id"]}, staff=True)["returnRequest"]
    assert shown["exchange"]["status"] == "CREATED" and shown["exchange"]["priceDifference"] == {"amount": "3.00"}
    assert shown["storeCredit"]["status"] == "ISSUED"
    assert (shown["storeCredit"]["amount"]["amount"], shown["storeCredit"]["bonus"]["amount"]) == ("3.30", "0.30")
    credits, sent = app.run(_ledger(app, shown["number"]))
    assert len(credits) == 1 and credits[0].code == shown["storeCredit"]["code"] and sent == 1


POLICY = """query P($channel: String!) { returnPolicy(channel: $channel) {
  version exchangeMode instantExchange storeCreditBonusPercent storeCreditOffered } }"""
UPDATE = """mutation U($channel: String!, $input: ReturnPolicyInput!) { updateReturnPolicy(channel: $channel,
  input: $input) { __typename ... on ReturnPolicy { version exchangeMode instantExchange storeCreditBonusPercent
  storeCreditOffered } ... on ReturnError { code field message } } }"""
BASE = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
        "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}


def test_the_policy_editor_sets_the_exchange_settings_as_new_versions(app):
    start = app.gql(POLICY, {"channel": "default-channel"}, staff=True)["returnPolicy"]
    assert (start["exchangeMode"], start["storeCreditBonusPercent"], start["storeCreditOffered"]) == (
        "SAME_PRODUCT", "10", True)

    instant = app.gql(UPDATE, {"channel": "default-channel", "input": {
        **BASE, "instantExchange": True, "storeCreditBonusPercent": "12.5"}}, staff=True)["updateReturnPolicy"]
    off = app.gql(UPDATE, {"channel": "default-channel", "input": {
        **BASE, "exchangeMode": "OFF", "storeCreditOffered": False}}, staff=True)["updateReturnPolicy"]
    again = app.gql(UPDATE, {"channel": "default-channel", "input": {**BASE, "storeCreditOffered": True}},
                    staff=True)["updateReturnPolicy"]
    bad = app.gql(UPDATE, {"channel": "default-channel", "input": {**BASE, "storeCreditBonusPercent": "150"}},
                  staff=True)["updateReturnPolicy"]

    assert (instant["version"], instant["instantExchange"], instant["storeCreditBonusPercent"]) == (
        start["version"] + 1, True, "12.5")
    assert (off["exchangeMode"], off["storeCreditOffered"], off["storeCreditBonusPercent"], off["instantExchange"]) == (
        "OFF", False, "0", True)
    assert (again["storeCreditOffered"], again["storeCreditBonusPercent"]) == (True, "0")
    assert (bad["__typename"], bad["code"], bad["field"]) == ("ReturnError", "INVALID_INPUT",
                                                              "input.storeCreditBonusPercent")
