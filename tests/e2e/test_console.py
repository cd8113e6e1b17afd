"""The staff console in a real browser: standalone with a staff token, and inside a (stand-in) Dashboard."""
from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from saleor_returns.adapters.db.engine import make_engine
from support.dashboard import extension_frame_url
from support.server import ServerThread

pytest_plugins = ("support.browser",)  # browser, open_page, screenshot

REQUEST_RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) { __typename ... on ReturnRequested { returnRequest { id number status } } }
}"""
RETURN_EVENTS = "query($id: ID!) { returnRequest(id: $id) { status events { type } } }"


def ask(app, order_id: str, email: str, line_id: str, reason: str, exception: bool = False,
        note: str | None = None) -> dict:
    data = app.gql(REQUEST_RETURN, {"input": {"orderId": order_id, "email": email, "exceptionRequested": exception,
                                              "note": note,
                                              "lines": [{"orderLineId": line_id, "quantity": 1, "reason": reason}]}})
    return data["requestReturn"]["returnRequest"]


def sign_in(open_page, app, path: str = "/console", token: str | None = None, **kwargs):
    page = open_page(f"{app.server.url}{path}", **kwargs)
    page.get_by_label("Staff token").fill(token or app.gql.admin_token)
    page.get_by_role("button", name="Sign in").click()
    return page


def copies_in_review(database_url: str, source_id: str, count: int) -> None:
    """`count` more returns in review like `source_id` (the demo store has too few orders for a long queue)."""
    async def run() -> None:
        engine = make_engine(database_url)
        try:
            async with engine.begin() as conn:
                cols = [c for c in (await conn.execute(text("SELECT * FROM returns LIMIT 0"))).keys()
                        if c not in ("seq", "id", "number")]
                names = ", ".join(cols)
                for i in range(count):
                    await conn.execute(text(f"INSERT INTO returns (id, number, {names}) SELECT :id, :number, {names} "
                                            "FROM returns WHERE id = :src"),
                                       {"id": str(uuid.uuid4()), "number": f"R-2{i:04d}", "src": source_id})
        finally:
            await engine.dispose()

    thread = threading.Thread(target=lambda: asyncio.run(run()))  # Playwright's loop owns this thread
    thread.start()
    thread.join()


def test_staff_approve_an_exception_reading_words_not_codes_and_no_next_case_appears_under_the_pointer(
        app, open_page, screenshot):
    # given Eve asked for an exception past grace, Dee's camera waits above the review threshold
    eve = ask(app, "ORD-1005", "eve@example.com", "L-1005-1", "CHANGED_MIND", exception=True,
              note="It was a gift and sat unopened in the garage.")
    dee = ask(app, "ORD-1004", "dee@example.com", "L-1004-1", "DOES_NOT_FIT")
    assert (eve["status"], dee["status"]) == ("PENDING_REVIEW", "PENDING_REVIEW")

    # when staff sign in and open Eve's case
    page = sign_in(open_page, app)
    page.locator(f'.case-item[data-return-id="{eve["id"]}"]').click()
    case = page.locator(f'[data-return-id="{eve["id"]}"].case')

    # then they read why in words (rules, verdicts, who did what), with the codes only on demand
    expect(case).to_contain_text("The shopper asked for an exception past the grace period")
    expect(case).to_contain_text("The shopper wrote: “It was a gift and sat unopened in the garage.”")
    window_rule = case.locator('.trace [data-rule="window[L-1005-1]"]')
    expect(window_rule).to_contain_text("Return period · Espresso Machine")
    expect(window_rule).to_contain_text("Return period over")
    expect(window_rule.get_by_text("WINDOW_EXPIRED")).to_be_hidden()
    expect(case.locator('[data-event="REQUESTED"]')).to_contain_text("Shopper (eve@example.com)")
    expect(case.locator('[data-event="PENDING_REVIEW"]')).to_contain_text(
        "The shopper asked for an exception past the grace period")
    expect(case.get_by_text("EXCEPTION_REQUESTED")).to_be_hidden()
    page.get_by_label("Show codes").check()
    expect(window_rule.get_by_text("WINDOW_EXPIRED")).to_be_visible()
    page.get_by_label("Show codes").uncheck()
    # and the goodwill hint is what the server will spend for them
    expect(case.locator("[data-goodwill-hint]")).to_contain_text("Approving spends $449.00 of your goodwill.")
    expect(page.locator('[data-goodwill-left="USD"]')).to_have_text("$2,000.00")
    expect(case).to_contain_text("First return from this customer.")
    screenshot(page, "console-queue")

    # when they approve it with a note, double-clicking
    case.get_by_label("Note").fill("Forgot it in the garage; happy to help.")
    approve = case.get_by_role("button", name="Approve", exact=True)
    box = approve.bounding_box()
    approve.dblclick()

    # then it is approved once, from the goodwill budget, and the case says so: no other case's button is
    # under the pointer (Dee's case opens only when asked)
    done = page.locator(f'[data-done="{eve["id"]}"]')
    expect(done).to_contain_text(f"{eve['number']} approved")
    expect(page.locator('[data-goodwill-left="USD"]')).to_have_text("$1,551.00")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(f'[data-return-id="{dee["id"]}"].case')).to_have_count(0)
    assert app.gql(RETURN_EVENTS, {"id": dee["id"]}, staff=True)["returnRequest"]["status"] == "PENDING_REVIEW"
    events = [e["type"] for e in app.gql(RETURN_EVENTS, {"id": eve["id"]}, staff=True)["returnRequest"]["events"]]
    assert events.count("APPROVED") == 1 and events.count("GOODWILL_SPENT") == 1
    page.get_by_role("button", name="Open the next case").click()
    expect(page.locator(f'[data-return-id="{dee["id"]}"].case')).to_be_visible()


def test_actions_the_server_would_refuse_are_disabled_with_the_reason(app, open_page):
    # given Dee's camera (3,499.00) is in review above the threshold: in policy as it is
    dee = ask(app, "ORD-1004", "dee@example.com", "L-1004-1", "DOES_NOT_FIT")
    page = sign_in(open_page, app)
    case = page.locator(f'[data-return-id="{dee["id"]}"].case')
    # then approving as it is spends nothing; keep-item would need an owner, so that button is disabled
    expect(case.locator("[data-goodwill-hint]")).to_contain_text("Approving as it is spends no goodwill.")
    expect(case.locator("[data-goodwill-hint]")).to_contain_text("Approving as keep-item spends $3,499.00.")
    expect(case.get_by_role("button", name="Approve as keep-item")).to_be_disabled()
    expect(case.get_by_role("button", name="Approve", exact=True)).to_be_enabled()
    expect(case.locator("[data-blocked]")).to_contain_text("a store owner needs to approve it")


def test_cancel_asks_first_and_then_says_the_label_was_voided(app, open_page, screenshot):
    # given Ada's laptop is on its way back with a label
    ada = ask(app, "ORD-1001", "ada@example.com", "L-1001-1", "DAMAGED")
    page = sign_in(open_page, app, f"/console#/returns/{ada['id']}")
    case = page.locator(f'[data-return-id="{ada["id"]}"].case')
    expect(case.locator('[data-label="active"]')).to_be_visible()

    # when staff click "Cancel return", it only asks, and "No" keeps it
    case.get_by_role("button", name="Cancel return").click()
    confirm = case.get_by_role("alertdialog")
    expect(confirm).to_contain_text(f"Cancel {ada['number']}? Its label is voided and nothing is refunded.")
    screenshot(page, "console-cancel-confirm")
    confirm.get_by_role("button", name="No, keep it").click()
    assert app.gql(RETURN_EVENTS, {"id": ada["id"]}, staff=True)["returnRequest"]["status"] == "LABEL_ISSUED"

    # when they confirm
    case.get_by_role("button", name="Cancel return").click()
    case.get_by_role("button", name="Yes: Cancel return").click()

    # then it is cancelled and the label is described as it is: voided
    case = page.locator(f'[data-return-id="{ada["id"]}"].case')
    expect(case.locator('[data-status="CANCELLED"]')).to_be_visible()
    expect(case.locator('[data-label="voided"]')).to_have_text("The label was voided: it can no longer be used.")


def test_the_queue_pages_through_any_number_of_cases_with_counts(app, open_page, settings):
    eve = ask(app, "ORD-1005", "eve@example.com", "L-1005-1", "CHANGED_MIND", exception=True)
    copies_in_review(settings.database_url, eve["id"], 30)
    page = sign_in(open_page, app)
    expect(page.locator("[data-queue-range]")).to_have_text("1–25 of 31 waiting")
    expect(page.locator("[data-queue-count]")).to_have_text("31")
    expect(page.locator(".case-item")).to_have_count(25)
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("[data-queue-range]")).to_have_text("26–31 of 31 waiting")
    expect(page.locator(".case-item")).to_have_count(6)
    # and the returns list counts too
    page.get_by_role("link", name="Returns", exact=True).click()
    expect(page.locator("[data-returns-count]")).to_have_text("Showing 25 of 32")
    page.get_by_role("button", name="Load more").click()
    expect(page.locator("[data-returns-count]")).to_have_text("Showing 32 of 32")


def test_policy_editor_checks_by_field_and_edits_overrides_seasons_reasons_and_fees(app, open_page, screenshot):
    # given staff open the policy of the default channel
    page = sign_in(open_page, app, "/console#/policy/default-channel")
    window = page.get_by_label("Return window (days)")
    expect(window).to_have_value("30")
    expect(page.locator("[data-policy-version]")).to_have_text("version 1")
    screenshot(page, "console-policy")

    # when they ask for a window no merchant could mean, the message is under that field, in words
    window.fill("5000")
    page.get_by_role("button", name="Save as version 2").click()
    expect(window).to_be_focused()
    expect(window).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[data-field="windowDays"] .error-text')).to_have_text(
        "Enter a whole number of days from 0 to 3650.")

    # when they fix it, change the clearance override, add a product override and a holiday season, a fee
    window.fill("45")
    page.get_by_label("Grace period (days)").fill("5")
    first = page.get_by_role("group", name="Override 1")
    expect(first.get_by_label("Name")).to_have_value("Clearance")
    first.get_by_label("Window (days)").fill("14")
    page.get_by_role("button", name="Add an override").click()
    second = page.get_by_role("group", name="Override 2")
    second.get_by_label("Applies to a").select_option("PRODUCT")
    page.get_by_role("button", name="Save as version 2").click()
    # an override without a name is refused by field
    expect(second.get_by_label("Name")).to_be_focused()
    expect(second).to_contain_text("Name the product, product type or category.")
    second.get_by_label("Name").fill("Espresso Machine")
    second.get_by_label("Final sale").select_option("true")
    page.get_by_role("button", name="Add a seasonal window").click()
    season = page.get_by_role("group", name="Seasonal window 1")
    season.get_by_label("Ordered from").fill("2026-11-20")
    season.get_by_label("Ordered until").fill("2026-12-24")
    season.get_by_label("Returnable until").fill("2026-12-20")
    page.get_by_role("button", name="Save as version 2").click()
    expect(season.get_by_label("Returnable until")).to_be_focused()
    expect(season).to_contain_text("This date must not be before “Ordered until”.")
    season.get_by_label("Returnable until").fill("2027-01-31")
    page.get_by_label("Restocking fee (%)").fill("10")
    page.get_by_role("button", name="Save as version 2").click()

    # then a new version is saved and said where they are looking, with no toast beside it
    expect(page.locator("[data-saved]")).to_have_text("Saved as version 2.")
    expect(page.locator("[data-policy-version]")).to_have_text("version 2")
    expect(page.locator(".toast")).to_have_count(0)
    policy = app.gql("""{ returnPolicy(channel: "default-channel") { version windowDays graceDays restockingFeePercent
        overrides { level key windowDays finalSale } seasonal { orderedFrom orderedUntil returnableUntil } } }""",
                     staff=True)["returnPolicy"]
    assert (policy["version"], policy["windowDays"], policy["graceDays"]) == (2, 45, 5)
    assert policy["restockingFeePercent"] == "10"
    assert policy["overrides"] == [
        {"level": "CATEGORY", "key": "Clearance", "windowDays": 14, "finalSale": True},
        {"level": "PRODUCT", "key": "Espresso Machine", "windowDays": None, "finalSale": True}]
    assert policy["seasonal"] == [{"orderedFrom": "2026-11-20", "orderedUntil": "2026-12-24",
                                   "returnableUntil": "2027-01-31"}]

    # when they remove the product override again
    page.get_by_role("group", name="Override 2").get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Save as version 3").click()
    expect(page.locator("[data-policy-version]")).to_have_text("version 3")
    after = app.gql('{ returnPolicy(channel: "default-channel") { overrides { key } } }', staff=True)
    assert after["returnPolicy"]["overrides"] == [{"key": "Clearance"}]


def test_store_settings_set_the_look_and_goodwill_budgets(app, open_page, screenshot):
    from support.constants import OWNER_TOKEN
    page = sign_in(open_page, app, "/console#/store/default-channel", token=OWNER_TOKEN)
    page.get_by_label("Accent colour").fill("#ffee00")
    page.get_by_role("button", name="Save the look").click()
    accent = page.get_by_label("Accent colour")
    expect(accent).to_be_focused()
    expect(accent).to_have_attribute("aria-invalid", "true")
    accent.fill("#1a5fb4")
    page.get_by_label("Store name").fill("Northwind Outdoor")
    page.get_by_label("Shop address").fill("https://shop.example.com/")
    page.get_by_role("button", name="Save the look").click()
    expect(page.locator('[data-saved="look"]')).to_be_visible()
    # a budget for one staff member, in dollars
    page.get_by_label("Daily budget").fill("300")
    page.get_by_label("Staff member").fill("bob")
    page.get_by_role("button", name="Set budget").click()
    expect(page.locator("[data-budgets]")).to_contain_text("bob")
    expect(page.locator("[data-budgets]")).to_contain_text("$300.00")
    screenshot(page, "console-store")
    look = app.gql('{ storeLook(channel: "default-channel") { name accentColor shopUrl } }')["storeLook"]
    assert look == {"name": "Northwind Outdoor", "accentColor": "#1a5fb4", "shopUrl": "https://shop.example.com/"}


HOST_PAGE = """<!doctype html><html><body style="margin:0;background:#111">
<iframe id="app" src="%s" style="border:0;display:block;width:100vw;height:100vh"></iframe>
<script>
  window.received = [];
  window.addEventListener("message", (event) => {
    window.received.push(event.data);
    const frame = document.getElementById("app").contentWindow;
    if (event.data && event.data.type === "notifyReady") {
      // like the Dashboard: the handshake twice (its two bridges), then the theme
      frame.postMessage({type: "handshake", payload: {token: %s, version: 1}}, "*");
      frame.postMessage({type: "handshake", payload: {token: %s, version: 1}}, "*");
      frame.postMessage({type: "theme", payload: {theme: "dark"}}, "*");
    }
  });
</script></body></html>"""


@contextmanager
def stand_in_dashboard(app, src: str) -> Iterator[str]:
    """A stand-in Saleor Dashboard on its own loopback origin that embeds `src` and does the handshake (twice,
    as the real Dashboard does)."""
    token = json.dumps(app.gql.admin_token)
    page = HOST_PAGE % (src, token, token)

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


def test_inside_the_dashboard_the_console_starts_once_fits_the_frame_and_notifies_through_it(
        app, dashboard, open_page, screenshot):
    # given the Dashboard embeds the console as its app page (another origin) and hands over its token twice
    eve = ask(app, "ORD-1005", "eve@example.com", "L-1005-1", "CHANGED_MIND", exception=True)
    page = open_page(None)
    calls: list[str] = []
    page.on("request", lambda r: calls.append(json.loads(r.post_data or "{}").get("query", "")[:40])
            if r.url.endswith("/graphql") and r.method == "POST" else None)
    page.goto(dashboard)
    console = page.frame_locator("#app")

    # then the console shows the queue in the Dashboard's dark theme, with no sign-in of its own, started once
    expect(console.get_by_role("heading", name="Review queue")).to_be_visible()
    case = console.locator(f'[data-return-id="{eve["id"]}"].case')
    expect(case.locator("[data-goodwill-hint]")).to_contain_text("Approving spends $449.00 of your goodwill.")
    expect(console.locator("html")).to_have_attribute("data-theme", "dark")
    expect(console.get_by_role("button", name="Sign out")).to_have_count(0)
    page.wait_for_timeout(500)
    assert sum("ConsoleChannels" in c for c in calls) == 1, calls
    assert sum("ConsoleQueue" in c for c in calls) == 1, calls
    screenshot(page, "console-in-dashboard-dark", full_page=False)

    # and at every frame width nothing is cut off on the right
    frame = page.frame(url=lambda u: "/console" in u)
    for width in (1179, 1024, 800, 600, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        overflow = frame.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px cut off at {width}px"

    # when staff reject the case with a note (after confirming), the Dashboard is asked to show the notification
    page.set_viewport_size({"width": 1280, "height": 860})
    case.get_by_label("Note").fill("Used for a year; we cannot take it back.")
    case.get_by_role("button", name="Reject").click()
    case.get_by_role("button", name="Yes: Reject").click()
    expect(console.locator(f'[data-done="{eve["id"]}"]')).to_contain_text(f"{eve['number']} rejected")
    assert app.gql(RETURN_EVENTS, {"id": eve["id"]}, staff=True)["returnRequest"]["status"] == "REJECTED"
    page.wait_for_function("window.received.some(m => m.type === 'notification')")
    note = next(m for m in page.evaluate("window.received") if m["type"] == "notification")
    assert note["payload"]["status"] == "success" and note["payload"]["actionId"]
    assert note["payload"]["title"] == f"{eve['number']} rejected"


def test_a_notice_never_covers_its_case_and_goes_when_something_goes_wrong(app, open_page):
    # given Dee's camera and Eve's exception wait for review
    dee = ask(app, "ORD-1004", "dee@example.com", "L-1004-1", "DOES_NOT_FIT")
    eve = ask(app, "ORD-1005", "eve@example.com", "L-1005-1", "CHANGED_MIND", exception=True)
    page = sign_in(open_page, app)
    page.locator(f'.case-item[data-return-id="{dee["id"]}"]').click()
    page.locator(f'[data-return-id="{dee["id"]}"].case').get_by_role("button", name="Approve", exact=True).click()

    # then the "approved" notice sits in a corner that takes no clicks, away from the case
    toast = page.locator(".toast.success")
    expect(toast).to_contain_text(f"{dee['number']} approved")
    assert page.locator(".toasts").evaluate("el => getComputedStyle(el).pointerEvents") == "none"
    done, note = page.locator(f'[data-done="{dee["id"]}"]').bounding_box(), toast.bounding_box()
    assert note["x"] >= done["x"] + done["width"] or note["y"] >= done["y"] + done["height"]

    # when staff open Eve's case, which someone else cancelled meanwhile, and try to approve it
    page.get_by_role("button", name="Open the next case").click()
    case = page.locator(f'[data-return-id="{eve["id"]}"].case')
    expect(case).to_be_visible()
    app.gql("mutation($id: ID!) { cancelReturn(id: $id) { __typename } }", {"id": eve["id"]}, staff=True)
    expect(toast).to_be_visible()  # still there (it lives 5 s) when the next action starts
    case.get_by_role("button", name="Approve", exact=True).click()

    # then the error is shown with the case and the earlier "approved" notice is gone
    expect(case.get_by_role("alert")).to_contain_text("That can't be done at this stage of the return.")
    expect(page.locator(".toast")).to_have_count(0)


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
