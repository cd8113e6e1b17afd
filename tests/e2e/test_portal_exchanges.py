"""Exchanges and store credit in the shopper's portal, in a real browser (exchanges.md): the choice sits in the
return form (no new screen), and the outcome and status pages show the replacement and the store credit code."""
from __future__ import annotations

import re

from playwright.sync_api import expect

pytest_plugins = ("support.browser",)  # browser, open_page, screenshot

ORDER_RETURNS = """
query OrderReturns($orderId: ID!) {
  returnRequests(filter: {orderId: $orderId}) { edges { node { id number status } } }
}"""
RECEIVED = 'mutation($id: ID!) { markReturnReceived(id: $id) { __typename } }'


def returns_of(app, order_id: str) -> list[dict]:
    data = app.gql(ORDER_RETURNS, {"orderId": order_id}, staff=True)
    return [e["node"] for e in data["returnRequests"]["edges"]]


def find(page, number: str, email: str) -> None:
    page.get_by_label("Order number").fill(number)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Find my order").click()


def test_a_shoe_swapped_for_the_next_size_shows_its_replacement_once_received(app, open_page, screenshot):
    page = open_page(f"{app.server.url}/portal", mobile=True)
    find(page, "1008", "hal@example.com")

    # when Hal picks the shoe, says it does not fit and asks for the 43 (the 44 is shown, out of stock)
    page.get_by_role("checkbox", name="Trail Shoe 42").check()
    page.get_by_label("Reason for Trail Shoe 42").select_option("DOES_NOT_FIT")
    instead = page.get_by_label("Instead of a refund for Trail Shoe 42")
    expect(instead.locator("option[disabled]")).to_have_text("44 (out of stock)")
    instead.select_option("V-SHOE-43")
    screenshot(page, "portal-exchange-choice")
    page.get_by_role("button", name="See what happens next").click()
    page.get_by_role("button", name="Send my return").click()

    # then the outcome says the 43 will be sent once the shoe is on its way back
    expect(page.locator('[data-exchange="PENDING"]')).to_contain_text("Trail Shoe 42 → 43")
    (ret,) = returns_of(app, "ORD-1008")

    # when the shoe is received, his status page shows the replacement's number
    app.gql(RECEIVED, {"id": ret["id"]}, staff=True)
    page = open_page(f"{app.server.url}/portal/returns/{ret['id']}?email=hal@example.com", mobile=True)
    expect(page.locator("[data-replacement]")).to_have_text(f"X-{ret['number']}")
    screenshot(page, "portal-exchange-sent")


def test_a_sweater_returned_for_store_credit_shows_its_code_once_received(app, open_page):
    page = open_page(f"{app.server.url}/portal", mobile=True)
    find(page, "1009", "ivy@example.com")

    page.get_by_role("checkbox", name="Wool Sweater M").check()
    page.get_by_label("Reason for Wool Sweater M").select_option("CHANGED_MIND")
    page.get_by_label("As store credit, with a 10 % bonus").check()
    page.get_by_role("button", name="See what happens next").click()
    page.get_by_role("button", name="Send my return").click()

    expect(page.locator('[data-store-credit="PENDING"]')).to_contain_text("$132.00")
    (ret,) = returns_of(app, "ORD-1009")

    app.gql(RECEIVED, {"id": ret["id"]}, staff=True)
    page = open_page(f"{app.server.url}/portal/returns/{ret['id']}?email=ivy@example.com", mobile=True)
    expect(page.locator('[data-store-credit="ISSUED"]')).to_contain_text("$132.00")
    expect(page.locator("[data-credit-code]")).to_have_text(re.compile(r"^SC-"))
