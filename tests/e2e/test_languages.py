"""Every language the pages offer, in a real browser: the page language is set, the words come from that
language's catalog (dates and amounts agree with them), and axe finds no serious or critical problem in any
language, on the portal's and the console's main views."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from saleor_returns.web.pages import LANGUAGES, catalog, lookup

pytest_plugins = ("support.browser",)  # browser, open_page, screenshot

AXE = Path(__file__).resolve().parents[1] / "support" / "vendor" / "axe.min.js"
LOCALES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "ja": "ja-JP"}
REQUEST_RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) { __typename ... on ReturnRequested { returnRequest { id number status } } }
}"""


@pytest.fixture
def localized(browser: Any) -> Iterator[Callable[..., Any]]:
    """localized(url, lang, mobile=False) → a page in a browser set to that language (axe may be injected)."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _open(url: str, lang: str, *, mobile: bool = False) -> Any:
        viewport = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 860}
        context = browser.new_context(viewport=viewport,
                                      locale=LOCALES[lang], timezone_id="America/New_York", bypass_csp=True,
                                      device_scale_factor=1, service_workers="block")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


def serious_problems(page: Any, exclude: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's violations of impact serious or critical on the page as it is now (`exclude`: selectors)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (exclude) => {
      const context = exclude.length ? {include: [document], exclude: exclude.map((s) => [s])} : document;
      const result = await axe.run(context, {resultTypes: ["violations"]});
      return result.violations.filter((v) => ["serious", "critical"].includes(v.impact))
        .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target)}));
    }""", list(exclude))


def t(lang: str, key: str, **values: str) -> str:
    text = lookup(lang, key)
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def test_every_catalog_names_its_language_and_the_server_sets_the_page_language(app):
    for lang in LANGUAGES:
        assert catalog(lang)["portal"]["pageTitle"]
        html = app.gql.http.get(f"/portal?locale={LOCALES[lang]}").text
        assert f'<html lang="{lang}">' in html
        assert f"<title>{t(lang, 'portal.pageTitle')}</title>" in html
    german_browser = app.gql.http.get("/console", headers={"accept-language": "de-CH,de;q=0.9,en;q=0.5"}).text
    assert '<html lang="de">' in german_browser


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_portal_speaks_the_shoppers_language_and_stays_accessible(app, localized, screenshot, lang):
    # given a shopper whose browser speaks `lang` opens the portal
    page = localized(f"{app.server.url}/portal", lang, mobile=True)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", name=t(lang, "find.title"))).to_be_visible()
    assert serious_problems(page) == []

    # when Fay finds her order and previews socks and jacket together
    page.get_by_label(t(lang, "find.orderNumber")).fill("1006")
    page.get_by_label(t(lang, "find.email")).fill("fay@example.com")
    page.get_by_role("button", name=t(lang, "find.submit")).click()
    expect(page.get_by_role("heading", name=t(lang, "order.title", number="1006"))).to_be_visible()
    # then the deadline is written in the same language as the words around it
    box = page.locator('[data-deadline="open"]')
    expect(box).to_contain_text(t(lang, "order.returnBy"))
    written = page.evaluate("(lang) => new Intl.DateTimeFormat(lang, {month: 'long', timeZone: 'America/New_York'})"
                            ".format(new Date('2026-12-27T12:00:00Z'))", LOCALES[lang])
    expect(box).to_contain_text(written)
    assert serious_problems(page) == []
    if lang == "de":
        screenshot(page, "portal-order-de")
    for line, reason in (("L-1006-1", "DOES_NOT_FIT"), ("L-1006-2", "CHANGED_MIND")):
        row = page.locator(f'[data-line-id="{line}"]')
        row.get_by_role("checkbox").check()
        row.locator('select[name="reason"]').select_option(reason)
    page.get_by_role("button", name=t(lang, "order.continue")).click()
    expect(page.get_by_role("heading", name=t(lang, "preview.title"))).to_be_focused()
    expect(page.locator("[data-split]")).to_contain_text(t(lang, "preview.splitTitle"))
    assert serious_problems(page) == []
    if lang == "ja":
        screenshot(page, "portal-preview-ja")

    # when she sends it, the outcome is in her language too
    page.get_by_role("button", name=t(lang, "preview.confirm")).click()
    expect(page.get_by_role("heading", name=t(lang, "outcome.labelTitle"))).to_be_focused()
    assert serious_problems(page) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_console_speaks_the_staff_language_and_stays_accessible(app, localized, screenshot, lang):
    asked = app.gql(REQUEST_RETURN, {"input": {"orderId": "ORD-1005", "email": "eve@example.com",
                                               "exceptionRequested": True, "lines": [
                                                   {"orderLineId": "L-1005-1", "quantity": 1,
                                                    "reason": "CHANGED_MIND"}]}})["requestReturn"]["returnRequest"]
    page = localized(f"{app.server.url}/console", lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert serious_problems(page) == []
    page.get_by_label(t(lang, "console.token")).fill(app.gql.admin_token)
    page.get_by_role("button", name=t(lang, "console.signIn")).click()

    # the review queue with the case open: rules, verdicts and events in words of this language
    case = page.locator(f'[data-return-id="{asked["id"]}"].case')
    expect(case.locator('.trace [data-rule="window[L-1005-1]"]')).to_contain_text(t(lang, "codes.WINDOW_EXPIRED"))
    expect(case).to_contain_text(t(lang, "review.EXCEPTION_REQUESTED"))
    assert serious_problems(page) == []
    if lang == "ja":
        screenshot(page, "console-queue-ja")
    if lang == "de":
        screenshot(page, "console-queue-de")

    # the policy editor and the store settings
    page.get_by_role("link", name=t(lang, "console.tabs.policy")).click()
    expect(page.get_by_label(t(lang, "policy.windowDays"))).to_have_value("30")
    assert serious_problems(page) == []
    page.get_by_role("link", name=t(lang, "console.tabs.store")).click()
    expect(page.get_by_role("heading", name=t(lang, "store.lookTitle"))).to_be_visible()
    assert serious_problems(page) == []
    page.get_by_role("link", name=t(lang, "console.tabs.returns"), exact=True).click()
    expect(page.locator("[data-returns-count]")).to_have_text(t(lang, "returns.count", shown="2", total="2"))
    assert serious_problems(page) == []

    # the insights of every channel and the store's e-mails
    page.get_by_role("link", name=t(lang, "console.tabs.insights")).click()
    expect(page.get_by_role("heading", name=t(lang, "insights.title"), exact=True)).to_be_visible()
    period = page.get_by_label(t(lang, "insights.period"))
    expect(period).to_contain_text(t(lang, "insights.lastDays_other", count="30"))
    # (the browser's clock is today's, the returns are the test clock's: none in the period)
    expect(page.locator(".insights .empty")).to_have_text(t(lang, "insights.none_other", count="90"))
    assert serious_problems(page) == []
    page.get_by_role("link", name=t(lang, "console.tabs.messages")).click()
    expect(page.get_by_role("heading", name=t(lang, "mail.title"), exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=t(lang, "mail.settings.title"))).to_be_visible()
    expect(page.get_by_label(t(lang, "mail.settings.senderName"))).to_be_visible()
    messages = page.locator(".messages-table [data-notification-id]")
    expect(messages.first).to_contain_text(t(lang, "mail.kinds.UNDER_REVIEW"))  # Eve's return, newest first
    expect(messages.first.locator("[data-delivery]")).to_have_text(t(lang, "mail.delivery.PENDING"))
    expect(page.locator(".messages-table thead")).to_contain_text(t(lang, "mail.col.written"))
    assert serious_problems(page) == []
    messages.first.get_by_role("link", name=t(lang, "mail.kinds.UNDER_REVIEW")).click()
    expect(page.get_by_role("link", name=t(lang, "mail.back"))).to_be_visible()
    expect(page.locator(".meta")).to_contain_text(t(lang, "mail.col.attempts"))
    expect(page.get_by_role("heading", name=t(lang, "mail.asSeen"))).to_be_visible()
    assert serious_problems(page) == []  # the e-mail as its reader got it too (its footer once failed contrast)


def test_graphiql_is_served_by_us_and_works_offline(app, open_page):
    # given a browser that may reach nothing but this app
    page = open_page(None)
    outside: list[str] = []

    def only_here(route: Any) -> None:
        url = route.request.url
        if url.startswith(app.server.url) or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_here)
    page.goto(f"{app.server.url}/graphql")
    # then GraphiQL starts, loads the schema from our endpoint and runs a query
    expect(page.locator(".graphiql-container")).to_be_visible()
    page.wait_for_function("() => document.querySelector('.graphiql-query-editor') !== null")

    def the_query(r: Any) -> bool:  # not the schema's introspection, which may still be on its way
        posted = r.request.post_data or ""
        return r.url.endswith("/graphql") and r.request.method == "POST" and "returnPolicy" in posted

    with page.expect_response(the_query) as answer:
        page.locator(".graphiql-execute-button").click()
    assert json.loads(answer.value.text())["data"]["returnPolicy"]["channel"] == "default-channel"
    assert outside == []
