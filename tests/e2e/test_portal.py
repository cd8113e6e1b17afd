"""The shopper's return portal in a real browser, told as the stories of PRODUCT.md (demo store orders)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

pytest_plugins = ("support.browser",)  # browser, open_page, screenshot

ORDER_RETURNS = """
query OrderReturns($orderId: ID!) {
  returnRequests(filter: {orderId: $orderId}) { edges { node { id number status resolution events { type } } } }
}"""

ZONE_NOTE = "Times are in the store's time zone: Eastern Standard Time (America/New_York)."


def returns_of(app, order_id: str) -> list[dict]:
    data = app.gql(ORDER_RETURNS, {"orderId": order_id}, staff=True)
    return [e["node"] for e in data["returnRequests"]["edges"]]


def find(page, number: str, email: str) -> None:
    page.get_by_label("Order number").fill(number)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Find my order").click()


def test_cheap_cover_is_previewed_then_refunded_at_once_and_kept(app, open_page, screenshot):
    # given Ben opens the portal on his phone and finds his order by the number on the receipt
    page = open_page(f"{app.server.url}/portal", mobile=True)
    find(page, "#1002", "ben@example.com")

    # then the order says until when, in the store's time zone named once, and focus is on the order
    expect(page.get_by_role("heading", name="Order #1002")).to_be_focused()
    expect(page.locator('[data-deadline="open"]')).to_contain_text("Return by")
    expect(page.get_by_text(ZONE_NOTE)).to_have_count(1)
    cover = page.locator('[data-line-id="L-1002-1"]')
    expect(cover).to_contain_text("Returnable until Saturday, December 19, 2026 at 11:59 PM.")

    # when he picks the cover and says it does not fit
    page.get_by_role("checkbox", name='Laptop Cover 13"').check()
    page.get_by_label('Reason for Laptop Cover 13"').select_option("DOES_NOT_FIT")
    expect(page.locator(".estimate")).to_contain_text("$19.99")
    screenshot(page, "portal-order")
    page.get_by_role("button", name="See what happens next").click()

    # then, before anything is saved, he is told it is refunded at once and kept
    preview = page.locator("[data-preview]")
    expect(page.get_by_role("heading", name="Before you send it")).to_be_focused()
    expect(preview.locator('[data-preview-line="L-1002-1"]')).to_contain_text("Keep it, refunded at once")
    expect(preview.locator("[data-preview-total]")).to_have_text("$19.99")
    assert returns_of(app, "ORD-1002") == []

    # when he sends it with a double click
    page.get_by_role("button", name="Send my return").dblclick()

    # then he is refunded at once and keeps the item, told so where focus lands, and only one return exists
    heading = page.get_by_role("heading", name="Refunded: keep the item")
    expect(heading).to_be_focused()
    expect(page.locator('[data-outcome="keep-item"]')).to_contain_text("$19.99")
    expect(page.locator("#live")).to_have_text("Refunded: keep the item")
    screenshot(page, "portal-outcome-keep-item")
    made = returns_of(app, "ORD-1002")
    assert [(r["status"], r["resolution"]) for r in made] == [("REFUNDED", "KEEP_ITEM")]


def test_late_laptop_inside_grace_gets_a_label_and_is_told_what_goes_in_the_box(app, open_page, screenshot):
    # given the storefront links Ada straight to her order (id + e-mail): the lookup runs by itself
    page = open_page(f"{app.server.url}/portal?order=ORD-1001&email=ada@example.com", mobile=True)
    laptop = page.locator('[data-line-id="L-1001-1"]')
    # then one date is said one way: the box and the line name the end of grace, the zone once
    box = page.locator('[data-deadline="open"]')
    expect(box).to_contain_text("Return by")
    expect(box).to_contain_text("Friday, November 27, 2026 at 11:59 PM")
    expect(box).to_contain_text("The usual return period ended on Nov 24, 2026; this is our grace period.")
    expect(laptop).to_contain_text("our grace period lets you return it until Friday, November 27, 2026 at 11:59 PM")
    expect(page.get_by_text(ZONE_NOTE)).to_have_count(1)

    # when she returns it because it arrived dented, and confirms the preview
    page.get_by_role("checkbox", name="Laptop 14").check()
    page.get_by_label("Reason for Laptop 14").select_option("DAMAGED")
    page.get_by_role("button", name="See what happens next").click()
    expect(page.locator('[data-preview-line="L-1001-1"]')).to_contain_text("Goes in the box")
    page.get_by_role("button", name="Send my return").click()

    # then she gets a prepaid label, what goes in the box, the date to ship by, and the label opens as a PDF
    outcome = page.locator('[data-outcome="label"]')
    expect(page.get_by_role("heading", name="Print your label")).to_be_focused()
    expect(outcome.locator("[data-in-the-box]")).to_contain_text("1 × Laptop 14")
    expect(outcome).to_contain_text("Ship it by Friday, November 27, 2026 at 11:59 PM.")
    expect(outcome).to_contain_text("We'll refund $1,299.00 as soon as your parcel reaches us.")
    screenshot(page, "portal-outcome-label")
    with page.context.expect_event("response", lambda r: "/labels/" in r.url) as response_info, \
            page.expect_popup() as popup_info:
        page.get_by_role("link", name="Open your label (PDF)").click()
    response = response_info.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    popup_info.value.close()
    assert page.request.get(response.url).body().startswith(b"%PDF")


def test_a_shopper_who_looks_the_order_up_again_finds_the_return_its_status_and_label(app, open_page, screenshot):
    # given Ada already returned her laptop and has a label
    page = open_page(f"{app.server.url}/portal?order=ORD-1001&email=ada@example.com", mobile=True)
    page.get_by_role("checkbox", name="Laptop 14").check()
    page.get_by_label("Reason for Laptop 14").select_option("DAMAGED")
    page.get_by_role("button", name="See what happens next").click()
    page.get_by_role("button", name="Send my return").click()
    number = page.locator("[data-return-number]").inner_text()

    # when she looks the order up again
    again = open_page(f"{app.server.url}/portal", mobile=True)
    find(again, "1001", "ada@example.com")

    # then she sees the return with its number and status, a link to follow it and her label to print again
    returns = again.locator("[data-order-returns]")
    expect(returns.get_by_role("heading", name="Your return for this order")).to_be_visible()
    row = returns.locator(f'[data-return-number="{number}"]')
    expect(row.locator("[data-status]")).to_have_text("Label ready: waiting for your parcel")
    reprint = row.get_by_role("link", name=f"Print the label again {number}")
    expect(reprint).to_have_attribute("href", re.compile("/labels/"))
    expect(again.locator('[data-line-id="L-1001-1"]')).to_contain_text(f"This item is in return {number}")
    screenshot(again, "portal-order-returns-found-again")
    row.get_by_role("link", name=f"Follow this return {number}").click()
    expect(again.get_by_role("heading", name=f"Return {number}")).to_be_visible()


def test_a_mixed_basket_is_explained_and_the_cheap_items_can_go_alone(app, open_page, screenshot):
    # given Fay picks two pairs of socks (kept when returned alone) and the rain jacket (ships back)
    page = open_page(f"{app.server.url}/portal?order=1006&email=fay@example.com")
    page.get_by_role("checkbox", name="Merino Socks").check()
    page.get_by_label("How many? for Merino Socks").select_option("2")
    page.get_by_label("Reason for Merino Socks").select_option("DOES_NOT_FIT")
    page.get_by_role("checkbox", name="Rain Jacket").check()
    page.get_by_label("Reason for Rain Jacket").select_option("CHANGED_MIND")
    page.get_by_role("button", name="See what happens next").click()

    # then the preview says everything goes in the box, and why the socks are not simply kept
    preview = page.locator("[data-preview]")
    expect(preview.locator("[data-in-the-box]")).to_contain_text("2 × Merino Socks")
    expect(preview.locator("[data-in-the-box]")).to_contain_text("1 × Rain Jacket")
    split = preview.locator("[data-split]")
    expect(split).to_contain_text("Merino Socks would be refunded at once and kept if returned on its own")
    screenshot(page, "portal-preview-mixed-basket")

    # when she chooses to return only the socks
    split.get_by_role("button", name="Return only Merino Socks").click()

    # then the new preview keeps them, and sending it refunds them at once
    expect(page.locator('[data-preview-line="L-1006-1"]')).to_contain_text("Keep it, refunded at once")
    expect(page.locator('[data-preview-line="L-1006-2"]')).to_have_count(0)
    page.get_by_role("button", name="Send my return").click()
    expect(page.get_by_role("heading", name="Refunded: keep the item")).to_be_focused()
    assert sorted(r["resolution"] for r in returns_of(app, "ORD-1006")) == ["KEEP_ITEM", "KEEP_ITEM"]


def test_a_mixed_basket_splits_in_two_returns_each_with_its_best_outcome(app, open_page, screenshot):
    # given Fay picks two pairs of socks (kept when returned alone) and the rain jacket (ships back)
    page = open_page(f"{app.server.url}/portal?order=1006&email=fay@example.com")
    page.get_by_role("checkbox", name="Merino Socks").check()
    page.get_by_label("How many? for Merino Socks").select_option("2")
    page.get_by_label("Reason for Merino Socks").select_option("DOES_NOT_FIT")
    page.get_by_role("checkbox", name="Rain Jacket").check()
    page.get_by_label("Reason for Rain Jacket").select_option("CHANGED_MIND")
    page.get_by_role("button", name="See what happens next").click()

    # when she chooses to keep the socks and send the jacket back
    page.locator("[data-split]").get_by_role("button", name="Keep Merino Socks and send the rest back").click()

    # then two returns are made: the socks refunded at once, the jacket with its label, each with its number
    expect(page.get_by_role("heading", name="Two returns: each item gets its best outcome")).to_be_focused()
    kept, boxed = page.locator("[data-split-return]").all()
    expect(kept.locator('[data-outcome="keep-item"]')).to_contain_text("Refunded: keep the item")
    expect(boxed.locator('[data-outcome="label"] [data-in-the-box]')).to_contain_text("1 × Rain Jacket")
    expect(boxed.locator('[data-outcome="label"] [data-in-the-box]')).not_to_contain_text("Merino Socks")
    expect(boxed.get_by_role("link", name="Open your label (PDF)")).to_have_attribute("href", re.compile("/labels/"))
    screenshot(page, "portal-split-basket")
    made = {r["number"]: r for r in returns_of(app, "ORD-1006")}
    assert [made[x.get_attribute("data-split-return")]["resolution"] for x in (kept, boxed)] == [
        "KEEP_ITEM", "SHIP_BACK"]
    assert made[kept.get_attribute("data-split-return")]["status"] == "REFUNDED"


def test_past_grace_the_dates_agree_and_the_shopper_asks_for_an_exception(app, open_page, screenshot):
    # given the espresso machine is past the window and the grace period
    page = open_page(f"{app.server.url}/portal?order=1005&email=eve@example.com", mobile=True)
    machine = page.locator('[data-line-id="L-1005-1"]')
    ended = page.locator('[data-deadline="ended"]')
    expect(ended).to_contain_text("The return period ended")
    # then the box and the line give the same date, under a heading that matches the button below it
    date = ended.locator("time").inner_text()
    expect(machine).to_contain_text(f"The return period ended {date}.")
    expect(page.get_by_role("heading", name="Past the return period")).to_be_visible()
    expect(page.get_by_role("heading", name="Items that can't be returned")).to_have_count(0)
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
    # (this app has no mail server: the portal promises no e-mail, only what it shows)
    expect(page.locator('[data-outcome="review"]')).to_contain_text("Come back to this page to see the decision.")
    screenshot(page, "portal-outcome-review")
    assert [r["status"] for r in returns_of(app, "ORD-1005")] == ["PENDING_REVIEW"]

    # and her status page says what is true under review: no parcel talk, no return period that is over
    page.get_by_role("link", name="Follow this return").click()
    expect(page).to_have_url(re.compile(r"/portal/returns/[^?]+\?email=eve%40example\.com"))
    expect(page.locator('[data-status="PENDING_REVIEW"]')).to_have_text("Being reviewed")
    expect(page.locator("[data-no-refund]")).to_have_text("No refund yet: it is decided together with the review.")
    expect(page.get_by_text("parcel")).to_have_count(0)
    expect(page.get_by_text(re.compile("Return period: until"))).to_have_count(0)


def test_a_wrong_email_looks_like_a_missing_order(app, open_page):
    page = open_page(f"{app.server.url}/portal")
    find(page, "1002", "someone@example.com")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("We couldn't find an order with that number and e-mail address")
    expect(alert).to_have_attribute("data-code", "ORDER_NOT_FOUND")


UPDATE_LOOK = """mutation($c: String!, $input: StoreLookInput!) {
  updateStoreLook(channel: $c, input: $input) { __typename } }"""


def test_the_portal_wears_the_store_look_of_the_channel(app, open_page, screenshot):
    # given staff gave the default channel a name, an accent colour and a link back to the shop
    app.gql(UPDATE_LOOK, {"c": "default-channel", "input": {"name": "Northwind Outdoor", "accentColor": "#1a5fb4",
                                                            "shopUrl": "https://shop.example.com/"}}, staff=True)
    # when a shopper finds an order of that channel
    page = open_page(f"{app.server.url}/portal?order=1002&email=ben@example.com", mobile=True)
    expect(page.get_by_role("heading", name="Order #1002")).to_be_visible()
    # then the header carries the store's name and a way back to the shop, and buttons its colour
    expect(page.locator("[data-brand]")).to_have_text("Northwind Outdoor")
    expect(page.get_by_role("link", name="Back to Northwind Outdoor")).to_have_attribute("href", "https://shop.example.com/")
    button = page.get_by_role("button", name="See what happens next")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(26, 95, 180)"
    expect(page).to_have_title("Returns · Northwind Outdoor")
    screenshot(page, "portal-store-look")


RECEIVED = 'mutation($id: ID!) { markReturnReceived(id: $id) { __typename } }'


def test_the_status_page_shows_the_refund_once_the_parcel_arrived(app, open_page, screenshot):
    # given Ada's laptop came back and staff marked it received
    made = app.gql("""mutation { requestReturn(input: {orderId: "ORD-1001", email: "ada@example.com", lines: [
      {orderLineId: "L-1001-1", quantity: 1, reason: "DAMAGED"}]}) {
      ... on ReturnRequested { returnRequest { id } } } }""")
    ret_id = made["requestReturn"]["returnRequest"]["id"]
    app.gql(RECEIVED, {"id": ret_id}, staff=True)
    # when she opens her status page
    page = open_page(f"{app.server.url}/portal/returns/{ret_id}?email=ada@example.com", mobile=True)
    # then it says refunded, with the refund sent
    expect(page.locator('[data-status="REFUNDED"]')).to_have_text("Refunded")
    expect(page.locator('[data-refund-status="SUCCEEDED"]')).to_contain_text("$1,299.00")
    expect(page.locator('[data-refund-status="SUCCEEDED"]')).to_contain_text("Sent")
    screenshot(page, "portal-status-refunded")


def test_a_keep_item_refund_still_on_its_way_is_not_shown_as_refunded(app, gateway, open_page):
    # given the payment provider has not answered yet when Ben keeps the cover (Saleor refunds from a
    # background task: a keep-item refund is often still PENDING when the answer comes)
    gateway.unavailable = True
    page = open_page(f"{app.server.url}/portal?order=ORD-1002&email=ben@example.com", mobile=True)
    page.get_by_role("checkbox", name='Laptop Cover 13"').check()
    page.get_by_label('Reason for Laptop Cover 13"').select_option("DOES_NOT_FIT")
    page.get_by_role("button", name="See what happens next").click()
    page.get_by_role("button", name="Send my return").click()

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
