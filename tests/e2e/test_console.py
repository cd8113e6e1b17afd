"""The staff console in a real browser: standalone with the admin token, and inside a (stand-in) Dashboard."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from support.dashboard import extension_frame_url
from support.server import ServerThread

pytest_plugins = ("support.browser",)  # browser, open_page, screenshot

REQUEST_RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) { __typename ... on ReturnRequested { returnRequest { id number status } } }
}"""


def ask(app, order_id: str, email: str, line_id: str, reason: str, exception: bool = False,
        note: str | None = None) -> dict:
    data = app.gql(REQUEST_RETURN, {"input": {"orderId": order_id, "email": email, "exceptionRequested": exception,
                                              "note": note,
                                              "lines": [{"orderLineId": line_id, "quantity": 1, "reason": reason}]}})
    return data["requestReturn"]["returnRequest"]


def sign_in(open_page, app, path: str = "/console"):
    page = open_page(f"{app.server.url}{path}")
    page.get_by_label("Admin token").fill(app.gql.admin_token)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_staff_approve_an_exception_within_goodwill_and_receive_a_parcel(app, open_page, screenshot):
    # given Eve asked for an exception past grace, and Ada's laptop is on its way back with a label
    eve = ask(app, "ORD-1005", "eve@example.com", "L-1005-1", "CHANGED_MIND", exception=True,
              note="It was a gift and sat unopened in the garage.")
    ada = ask(app, "ORD-1001", "ada@example.com", "L-1001-1", "DAMAGED")
    assert (eve["status"], ada["status"]) == ("PENDING_REVIEW", "LABEL_ISSUED")

    # when staff sign in, the queue shows Eve's case with why it is here, and today's goodwill budget
    page = sign_in(open_page, app)
    case = page.locator(f'[data-return-id="{eve["id"]}"].case')
    expect(case).to_contain_text("The shopper asked for an exception past the grace period")
    expect(case).to_contain_text("The shopper wrote: “It was a gift and sat unopened in the garage.”")
    expect(case.locator(".trace")).to_contain_text("WINDOW_EXPIRED")
    expect(case).to_contain_text("First return from this customer.")
    expect(page.locator('[data-goodwill-left="USD"]')).to_have_text("$2,000.00")
    expect(case.locator("[data-goodwill-hint]")).to_contain_text("approving spends $449.00 of your goodwill")
    screenshot(page, "console-queue")

    # and they approve it with a note (double-clicked: still one approval)
    case.get_by_label("Note").fill("Forgot it in the garage; happy to help.")
    case.get_by_role("button", name="Approve", exact=True).dblclick()

    # then it is approved from the goodwill budget and a label is issued
    expect(page.locator(".toast.success")).to_contain_text(f"{eve['number']} approved")
    expect(page.locator('[data-goodwill-left="USD"]')).to_have_text("$1,551.00")
    expect(page.locator(".empty")).to_contain_text("Nothing waiting for review.")
    events = [e["type"] for e in app.gql(RETURN_EVENTS, {"id": eve["id"]}, staff=True)["returnRequest"]["events"]]
    assert events.count("APPROVED") == 1 and events.count("GOODWILL_SPENT") == 1

    # when they find Ada's return by her e-mail and mark the parcel received
    page.get_by_role("link", name="Returns", exact=True).click()
    page.get_by_label("Search").fill("ada@example.com")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name=ada["number"]).click()
    page.get_by_role("button", name="Mark received").click()
    expect(page.locator(f'[data-return-id="{ada["id"]}"] [data-status]').first).to_have_text("Refunded")

    # then Ada's status page shows the refund
    shopper = open_page(f"{app.server.url}/portal/returns/{ada['id']}?email=ada@example.com", mobile=True)
    expect(shopper.locator('[data-status="REFUNDED"]')).to_have_text("Refunded")
    expect(shopper.locator('[data-refund-status="SUCCEEDED"]')).to_contain_text("$1,299.00")
    expect(shopper.locator('[data-refund-status="SUCCEEDED"]')).to_contain_text("Sent")
    screenshot(shopper, "portal-status-refunded")


RETURN_EVENTS = "query($id: ID!) { returnRequest(id: $id) { events { type } } }"


def test_policy_editor_shows_the_api_validation_by_field_then_saves_a_version(app, open_page, screenshot):
    # given staff open the policy of the default channel
    page = sign_in(open_page, app, "/console#/policy/default-channel")
    window = page.get_by_label("Return window (days)")
    expect(window).to_have_value("30")
    expect(page.locator("[data-policy-version]")).to_have_text("version 1")
    screenshot(page, "console-policy")

    # when they ask for a window no merchant could mean
    window.fill("5000")
    page.get_by_role("button", name="Save as version 2").click()

    # then the API's message is shown under that field, which gets the focus, and nothing is saved
    expect(window).to_be_focused()
    expect(window).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[data-field="windowDays"] .error-text')).to_contain_text("from 0 to 3650")

    # when they set a 45-day window and a 5-day grace period instead
    window.fill("45")
    page.get_by_label("Grace period (days)").fill("5")
    page.get_by_role("button", name="Save as version 2").click()

    # then a new version is saved and shown
    expect(page.locator("[data-policy-version]")).to_have_text("version 2")
    policy = app.gql("{ returnPolicy(channel: \"default-channel\") { version windowDays graceDays } }", staff=True)
    assert policy["returnPolicy"] == {"version": 2, "windowDays": 45, "graceDays": 5}


HOST_PAGE = """<!doctype html><html><body style="margin:0;background:#111">
<iframe id="app" src="%s" style="border:0;display:block;width:100vw;height:100vh"></iframe>
<script>
  window.received = [];
  window.addEventListener("message", (event) => {
    window.received.push(event.data);
    const frame = document.getElementById("app").contentWindow;
    if (event.data && event.data.type === "notifyReady") {
      frame.postMessage({type: "handshake", payload: {token: %s, version: 1}}, "*");
      frame.postMessage({type: "theme", payload: {theme: "dark"}}, "*");
    }
  });
</script></body></html>"""


@contextmanager
def stand_in_dashboard(app, src: str) -> Iterator[str]:
    """A stand-in Saleor Dashboard on its own loopback origin that embeds `src` and does the handshake."""
    page = HOST_PAGE % (src, json.dumps(app.gql.admin_token))

    async def app_page(_):
        return HTMLResponse(page)

    server = ServerThread(lambda: Starlette(routes=[Route("/apps/app-1/app", app_page)])).start()
    try:
        yield f"{server.url}/apps/app-1/app"
    finally:
        server.stop()


@pytest.fixture
def dashboard(app) -> Iterator[str]:
    with stand_in_dashboard(app, f"{app.server.url}/console?id=app-1&theme=light&locale=en-US") as url:
        yield url


def test_inside_the_dashboard_the_console_takes_the_token_and_theme_and_notifies_through_it(
        app, dashboard, open_page, screenshot):
    # given the Dashboard embeds the console as its app page (another origin) and hands over its token
    eve = ask(app, "ORD-1005", "eve@example.com", "L-1005-1", "CHANGED_MIND", exception=True)
    page = open_page(dashboard)
    console = page.frame_locator("#app")

    # then the console shows the queue in the Dashboard's dark theme, with no sign-in of its own
    expect(console.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(console.locator("html")).to_have_attribute("data-theme", "dark")
    expect(console.get_by_role("button", name="Sign out")).to_have_count(0)
    screenshot(page, "console-in-dashboard-dark", full_page=False)

    # when staff reject the case with a note, the Dashboard is asked to show the notification
    case = console.locator(f'[data-return-id="{eve["id"]}"].case')
    case.get_by_label("Note").fill("Used for a year; we cannot take it back.")
    case.get_by_role("button", name="Reject").click()
    expect(console.locator(".empty")).to_contain_text("Nothing waiting for review.")
    status = app.gql("query($id: ID!) { returnRequest(id: $id) { status } }", {"id": eve["id"]}, staff=True)
    assert status["returnRequest"]["status"] == "REJECTED"
    page.wait_for_function("window.received.some(m => m.type === 'notification')")
    note = next(m for m in page.evaluate("window.received") if m["type"] == "notification")
    assert note["payload"]["status"] == "success" and note["payload"]["actionId"]
    assert note["payload"]["title"] == f"{eve['number']} rejected"


def test_the_order_action_in_the_dashboard_opens_that_orders_returns(app, open_page):
    # given Ada's laptop and Eve's exception are both returns, and Eve's waits in the review queue
    ada = ask(app, "ORD-1001", "ada@example.com", "L-1001-1", "DAMAGED")
    ask(app, "ORD-1005", "eve@example.com", "L-1005-1", "CHANGED_MIND", exception=True)

    # when staff open "Returns of this order" from Ada's order: the Dashboard frames the extension's URL
    # joined to appUrl, with the order as `orderId` (and its own app id as `id`)
    manifest = app.gql.http.get("/api/manifest").json()
    [action] = [e for e in manifest["extensions"] if e["mount"] == "ORDER_DETAILS_MORE_ACTIONS"]
    src = extension_frame_url(app_url=manifest["appUrl"], extension_url=action["url"], app_id="QXBwOjE=",
                              api_url=None, params={"orderId": "ORD-1001"})
    with stand_in_dashboard(app, src) as url:
        console = open_page(url).frame_locator("#app")

        # then the console shows that order's returns, not the review queue
        expect(console.get_by_role("heading", name="Returns", exact=True)).to_be_visible()
        expect(console.locator(f'[data-return-id="{ada["id"]}"]')).to_contain_text(ada["number"])
        expect(console.locator("tbody tr")).to_have_count(1)
        expect(console.get_by_label("Search")).to_have_value("ORD-1001")
