"""The shopper's return portal in a real browser, told as the stories of PRODUCT.md (demo store orders)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

pytest_plugins = ("support.browser",)  # browser, open_page, screenshot

ORDER_RETURNS = """
query OrderReturns($orderId: ID!) {
  returnRequests(filter: {orderId: $orderId}) { edges { node { id status resolution events { type } } } }
}"""


def returns_of(app, order_id: str) -> list[dict]:
    data = app.gql(ORDER_RETURNS, {"orderId": order_id}, staff=True)
    return [e["node"] for e in data["returnRequests"]["edges"]]


def test_cheap_cover_is_refunded_at_once_and_kept(app, open_page, screenshot):
    # given Ben opens the portal on his phone and finds his order by the number on the receipt
    page = open_page(f"{app.server.url}/portal", mobile=True)
    page.get_by_label("Order number").fill("#1002")
    page.get_by_label("E-mail address").fill("ben@example.com")
    page.get_by_role("button", name="Find my order").click()

    # then each line shows its deadline in the store's time zone, and focus is on the order
    expect(page.get_by_role("heading", name="Order #1002")).to_be_focused()
    cover = page.locator('[data-line-id="L-1002-1"]')
    expect(cover).to_contain_text("Returnable until Sat, Dec 19, 2026, 11:59 PM EST (America/New_York)")

    # when he picks the cover, says it does not fit and double-clicks the button
    page.get_by_role("checkbox", name='Laptop Cover 13"').check()
    page.get_by_label('Reason for Laptop Cover 13"').select_option("DOES_NOT_FIT")
    expect(page.locator(".estimate")).to_contain_text("$19.99")
    screenshot(page, "portal-order")
    page.get_by_role("button", name="Return selected items").dblclick()

    # then he is refunded at once and keeps the item, told so where focus lands, and only one return exists
    heading = page.get_by_role("heading", name="Refunded: keep the item")
    expect(heading).to_be_focused()
    expect(page.locator('[data-outcome="keep-item"]')).to_contain_text("$19.99")
    expect(page.locator("#live")).to_have_text("Refunded: keep the item")
    screenshot(page, "portal-outcome-keep-item")
    made = returns_of(app, "ORD-1002")
    assert [(r["status"], r["resolution"]) for r in made] == [("REFUNDED", "KEEP_ITEM")]


def test_late_laptop_inside_grace_gets_a_label_to_print(app, open_page, screenshot):
    # given the storefront links Ada straight to her order (id + e-mail): the lookup runs by itself
    page = open_page(f"{app.server.url}/portal?order=ORD-1001&email=ada@example.com", mobile=True)
    laptop = page.locator('[data-line-id="L-1001-1"]')
    expect(laptop).to_contain_text("within our grace period")
    expect(laptop).to_contain_text("until Friday, November 27, 2026 at 11:59 PM EST (America/New_York)")

    # when she returns it because it arrived dented
    page.get_by_role("checkbox", name="Laptop 14").check()
    page.get_by_label("Reason for Laptop 14").select_option("DAMAGED")
    page.get_by_role("button", name="Return selected items").click()

    # then she gets a prepaid label with the deadline to ship, and the label opens as a PDF
    outcome = page.locator('[data-outcome="label"]')
    expect(page.get_by_role("heading", name="Print your label")).to_be_focused()
    expect(outcome).to_contain_text("Ship it by Friday, November 27, 2026 at 11:59 PM EST (America/New_York)")
    expect(outcome).to_contain_text("We'll refund $1,299.00 as soon as your parcel reaches us.")
    screenshot(page, "portal-outcome-label")
    with page.context.expect_event("response", lambda r: "/labels/" in r.url) as response_info, \
            page.expect_popup() as popup_info:
        page.get_by_role("link", name="Open your label (PDF)").click()
    response = response_info.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    popup_info.value.close()
    # (the browser's PDF viewer stands in for the body it received: fetch the same link for the bytes)
    assert page.request.get(response.url).body().startswith(b"%PDF")


def test_past_grace_the_shopper_asks_for_an_exception(app, open_page, screenshot):
    # given the espresso machine is past the window and the grace period
    page = open_page(f"{app.server.url}/portal?order=1005&email=eve@example.com", mobile=True)
    machine = page.locator('[data-line-id="L-1005-1"]')
    expect(machine).to_contain_text("The return period ended")
    expect(machine.get_by_role("checkbox")).to_have_count(0)

    # when she asks for an exception, first forgetting the comment "something else" needs
    page.get_by_role("button", name="Ask for an exception").click()
    page.get_by_label("Reason for Espresso Machine").select_option("OTHER")
    page.get_by_role("button", name="Send my request").click()
    comment = page.get_by_label("Tell us a little more for Espresso Machine")
    expect(comment).to_be_focused()
    expect(comment).to_have_attribute("aria-invalid", "true")
    comment.fill("It was a gift and sat unopened in the garage.")
    page.get_by_label("Anything you'd like us to know? (optional)").fill("Sorry it's late!")
    page.get_by_role("button", name="Send my request").click()

    # then a person will review it, and she is told what happens next
    expect(page.get_by_role("heading", name="We will review this")).to_be_focused()
    expect(page.locator('[data-outcome="review"]')).to_contain_text("We'll e-mail you at eve@example.com")
    screenshot(page, "portal-outcome-review")
    made = returns_of(app, "ORD-1005")
    assert [r["status"] for r in made] == ["PENDING_REVIEW"]

    # and her status page is linkable and shows the same
    page.get_by_role("link", name="Follow this return").click()
    expect(page).to_have_url(re.compile(r"/portal/returns/[^?]+\?email=eve%40example\.com"))
    expect(page.locator('[data-status="PENDING_REVIEW"]')).to_have_text("Being reviewed")


def test_a_wrong_email_looks_like_a_missing_order(app, open_page):
    page = open_page(f"{app.server.url}/portal")
    page.get_by_label("Order number").fill("1002")
    page.get_by_label("E-mail address").fill("someone@example.com")
    page.get_by_role("button", name="Find my order").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("We couldn't find an order with that number and e-mail address")
    expect(alert).to_have_attribute("data-code", "ORDER_NOT_FOUND")


def test_a_keep_item_refund_still_on_its_way_is_not_shown_as_refunded(app, gateway, open_page):
    # given the payment provider has not answered yet when Ben keeps the cover (Saleor refunds from a
    # background task: a keep-item refund is often still PENDING when the answer comes)
    gateway.unavailable = True
    page = open_page(f"{app.server.url}/portal?order=ORD-1002&email=ben@example.com", mobile=True)
    page.get_by_role("checkbox", name='Laptop Cover 13"').check()
    page.get_by_label('Reason for Laptop Cover 13"').select_option("DOES_NOT_FIT")
    page.get_by_role("button", name="Return selected items").click()

    # then the portal says the refund is on its way, not that it is refunded
    heading = page.get_by_role("heading", name="Refund on its way: keep the item")
    expect(heading).to_be_focused()
    expect(page.locator('[data-outcome="keep-item"]')).to_contain_text("$19.99")
    expect(page.locator('[data-outcome="keep-item"]')).not_to_contain_text("We've refunded you")
    [made] = returns_of(app, "ORD-1002")
    assert (made["status"], made["resolution"]) == ("APPROVED", "KEEP_ITEM")

    # and the return's own page says the same until the money is back
    page.get_by_role("link", name="Follow this return").click()
    expect(page.get_by_role("heading", name="Refund on its way: keep the item")).to_be_visible()
    expect(page.locator('[data-refund-status="PENDING"]')).to_contain_text("Processing")
