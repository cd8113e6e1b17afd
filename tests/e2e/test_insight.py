"""The policy preview and the insights view in a real browser, on the demo store with its quarter of past returns."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from saleor_returns.adapters.demo.orders_file import load_demo_store
from saleor_returns.demo_seed import seed_demo_history, with_history
from saleor_returns.web.pages import lookup
from support.constants import EXAMPLES

pytest_plugins = ("support.browser",)  # browser, open_page, screenshot

SIMULATE = """query($input: ReturnPolicyInput!, $since: DateTime!) {
  simulateReturnPolicy(channel: "default-channel", input: $input, since: $since) {
    ... on PolicySimulation { replayed current { keepItem shipBack } proposed { keepItem shipBack } changed { number } }
  }
}"""
ANALYTICS = """query($since: DateTime!) {
  returnAnalytics(channel: "default-channel", since: $since) {
    ... on ReturnAnalytics { returns units byReason { key units } daily { date } }
  }
}"""
AXE = Path(__file__).resolve().parents[1] / "support" / "vendor" / "axe.min.js"
DEMO_POLICY = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
               "keepItemThresholds": [{"amount": "15.00", "currency": "USD"}],
               "reviewAbove": [{"amount": "2000.00", "currency": "USD"}]}


@pytest.fixture
def store_and_history(clock):
    now = clock.now()
    return with_history(load_demo_store(EXAMPLES / "demo-orders.json", now), EXAMPLES / "demo-history.json", now)


@pytest.fixture
def demo_store(store_and_history):
    """The demo store with the history's orders (overrides the plain one for this module's app)."""
    return store_and_history[0]


@pytest.fixture
def past(app, store_and_history, demo_policies):
    store, history = store_and_history
    assert app.run(seed_demo_history(app.deps, store, history, demo_policies)) > 200
    return app


def console(open_page, app, path: str, color_scheme: str = "light"):
    """The console signed in, with the browser's clock at the app's (frozen) time, and CSP reports kept."""
    page = open_page("", color_scheme=color_scheme)
    page.clock.set_fixed_time(app.deps.clock.now())
    page.csp = []
    page.on("console", lambda m: page.csp.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{app.server.url}{path}")
    page.get_by_label("Staff token").fill(app.gql.admin_token)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_the_policy_editor_previews_a_lower_threshold_on_the_last_90_days_before_saving(past, open_page, screenshot):
    # given staff edit the default channel's policy: the keep-item threshold from 25.00 to 15.00 USD
    page = console(open_page, past, "/console#/policy/default-channel")
    threshold = page.get_by_label("Keep-item threshold per currency: amount")
    expect(threshold).to_have_value("25.00")
    threshold.fill("15.00")

    # when they preview it on the last 90 days
    page.get_by_role("button", name="Preview on the last 90 days").click()

    # then the totals as decided and with the change stand side by side, as the API computes them
    since = (past.deps.clock.now() - timedelta(days=90)).isoformat()
    api = past.gql(SIMULATE, {"input": DEMO_POLICY, "since": since}, staff=True)["simulateReturnPolicy"]
    assert api["changed"] and api["proposed"]["keepItem"] < api["current"]["keepItem"]
    result = page.locator("[data-simulation]")
    expect(result).to_have_attribute("data-replayed", str(api["replayed"]))
    kept = result.locator("[data-totals] tbody tr").first
    expect(kept.locator('[data-col="current"]')).to_have_text(str(api["current"]["keepItem"]))
    expect(kept.locator('[data-col="proposed"]')).to_have_text(str(api["proposed"]["keepItem"]))
    # and every return that changes is listed with the rule that changed it
    rows = result.locator("[data-changed] tbody tr")
    expect(rows).to_have_count(min(25, len(api["changed"])))
    expect(rows.first).to_contain_text("Keep the item")
    expect(rows.first).to_contain_text("Ship back")
    expect(rows.first.locator(".why")).to_contain_text("keep_item: KEEP_ITEM → SHIP_BACK")
    # and a chart of daily outcomes before and after is drawn, with its table for screen readers
    figure = result.locator('[data-chart="preview-daily"]')
    expect(figure.locator("canvas")).to_be_visible()
    assert page.evaluate("() => !!Chart.getChart(document.querySelector('[data-chart=preview-daily] canvas'))")
    table = figure.locator("table")
    expect(figure.locator(".chart-data")).to_have_class("chart-data visually-hidden")  # read, not shown
    expect(table.locator("tbody tr")).to_have_count(len(page.evaluate(
        "() => Chart.getChart(document.querySelector('[data-chart=preview-daily] canvas')).data.labels")))
    figure.get_by_role("button", name="Show as a table").click()
    expect(table).to_be_visible()
    figure.get_by_role("button", name="Hide the table").click()
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky bar stays at the top of the picture
    screenshot(page, "console-policy-preview")

    # and nothing was saved: the policy is still version 1
    expect(page.locator("[data-policy-version]")).to_have_text("version 1")
    policy = past.gql('{ returnPolicy(channel: "default-channel") { version } }', staff=True)["returnPolicy"]
    assert policy == {"version": 1} and page.csp == []


def test_a_preview_of_an_invalid_policy_points_at_the_field(past, open_page):
    page = console(open_page, past, "/console#/policy/default-channel")
    window = page.get_by_label("Return window (days)")
    window.fill("5000")
    page.get_by_role("button", name="Preview on the last 30 days").click()
    expect(page.locator(".preview [role=alert]")).to_contain_text("Check the highlighted fields first.")
    expect(window).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[data-field="windowDays"] .error-text')).to_contain_text("from 0 to 3650")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_insights_show_returns_reasons_products_and_refunds_as_charts_with_tables(past, open_page, screenshot, scheme):
    # when staff open the insights of the default channel for the last 90 days
    page = console(open_page, past, "/console#/insights/default-channel?days=90", color_scheme=scheme)

    # then the figures are the API's
    since = (past.deps.clock.now() - timedelta(days=90)).isoformat()
    api = past.gql(ANALYTICS, {"since": since}, staff=True)["returnAnalytics"]
    assert api["returns"] > 150
    expect(page.locator('[data-kpi="returns"] dd')).to_have_text(str(api["returns"]))
    expect(page.locator('[data-kpi="units"] dd')).to_have_text(str(api["units"]))
    # and each chart is drawn by Chart.js, in the theme's colours, with a table of the same figures behind it
    charts = {"returns-per-day": len(api["daily"]), "reasons": len(api["byReason"]), "products": 10,
              "refunds": len(api["daily"]), "resolutions": 2}
    for key, rows in charts.items():
        figure = page.locator(f'[data-chart="{key}"]')
        expect(figure.locator("canvas")).to_be_visible()
        expect(figure.locator("table tbody tr")).to_have_count(rows)
        drawn = page.evaluate(f"() => Chart.getChart(document.querySelector('[data-chart={key}] canvas')).data"
                              ".datasets[0].data.length")
        assert drawn == rows
    text = page.evaluate("() => getComputedStyle(document.documentElement).getPropertyValue('--sr-text').trim()")
    legend = page.evaluate("() => Chart.getChart(document.querySelector('[data-chart=products] canvas'))"
                           ".options.plugins.legend.labels.color")
    assert legend == text
    page.locator('[data-chart="reasons"]').get_by_role("button", name="Show as a table").click()
    top = page.locator('[data-chart="reasons"] table tbody tr').first
    expect(top.locator("td")).to_have_text(str(api["byReason"][0]["units"]))  # the most given reason first
    page.locator('[data-chart="reasons"]').get_by_role("button", name="Hide the table").click()
    screenshot(page, "console-insights" if scheme == "light" else "console-insights-dark")
    assert page.csp == []


def t(lang: str, key: str, **values: Any) -> str:
    text = lookup(lang, key)
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", str(value))
    return text


def serious_problems(page: Any) -> list[dict]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
      const result = await axe.run(document, {resultTypes: ["violations"]});
      return result.violations.filter((v) => ["serious", "critical"].includes(v.impact))
        .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target)}));
    }""")


def no_english(text: str, keys: list[str], **values: Any) -> list[str]:
    """The English words of `keys` that still stand in `text` (each differs from its German)."""
    english = [t("en", key, **values) for key in keys]
    assert all(e != t("de", key, **values) for e, key in zip(english, keys, strict=True))
    return [e for e in english if e in text]


@pytest.fixture
def german_page(browser):
    """A page in a browser whose language is German (CSP bypassed so axe can be injected); no script errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="de-DE",
                                  timezone_id="America/New_York", bypass_csp=True, device_scale_factor=1,
                                  service_workers="block")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


def test_insights_and_the_policy_preview_speak_german(past, german_page, screenshot):
    # given staff whose browser speaks German open the insights of the default channel
    page = german_page
    page.clock.set_fixed_time(past.deps.clock.now())
    page.goto(f"{past.server.url}/console#/insights/default-channel?days=90")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_label(t("de", "console.token")).fill(past.gql.admin_token)
    page.get_by_role("button", name=t("de", "console.signIn")).click()

    # then the view, its figures and its charts are in German
    expect(page.get_by_role("heading", name="Einblicke", exact=True)).to_be_visible()
    expect(page.locator('[data-kpi="returns"] dt')).to_have_text("Retouren")
    expect(page.locator('[data-chart="returns-per-day"] figcaption')).to_have_text("Retouren im Zeitverlauf")
    expect(page.locator('[data-chart="reasons"] figcaption')).to_have_text("Warum Artikel zurückkommen")
    expect(page.get_by_role("heading", name="Wo die Retouren jetzt stehen")).to_be_visible()
    expect(page.locator('[data-chart="reasons"]').get_by_role("button", name="Als Tabelle zeigen")).to_be_visible()
    expect(page.locator('select[name="days"] option:checked')).to_have_text("Letzte 90 Tage")
    legend = page.evaluate("() => Chart.getChart(document.querySelector('[data-chart=products] canvas'))"
                           ".data.datasets.map((d) => d.label)")
    assert legend == ["Stück", "Retouren"]
    text = page.locator("#app").inner_text()
    assert no_english(text, ["insights.title", "insights.everyChannel", "insights.loading", "insights.kpi.keepItem",
                             "insights.kpi.labelCost", "insights.kpi.median", "insights.charts.perDay",
                             "insights.charts.reasons", "insights.charts.products", "insights.whereNow",
                             "insights.head.resolution", "insights.kept", "insights.shippedBack",
                             "charts.showTable"]) == []
    assert "Refunds and keep-item spend" not in text and "Refunded by resolution" not in text
    assert serious_problems(page) == []

    # when they preview a lower keep-item threshold in the policy editor
    page.get_by_role("link", name=t("de", "console.tabs.policy")).click()
    threshold = page.get_by_label(t("de", "policy.amountOf", what=t("de", "policy.thresholds")))
    expect(threshold).to_have_value("25.00")
    threshold.fill("15.00")
    page.get_by_role("button", name="Vorschau auf die letzten 90 Tage").click()

    # then the preview, its totals, its chart and the returns that change are in German
    result = page.locator("[data-simulation]")
    expect(result.locator("[data-changed] tbody tr").first).to_contain_text("Artikel behalten")
    expect(page.get_by_role("heading", name="Vor dem Speichern: Was hätte sich geändert?")).to_be_visible()
    expect(result.locator("[data-totals] thead")).to_contain_text("Wie entschieden")
    expect(result.locator("[data-totals] thead")).to_contain_text("Mit Ihren Änderungen")
    expect(result.locator("[data-totals] tbody tr").first.locator("th")).to_have_text(
        "Artikel behalten (sofort erstattet)")
    expect(result).to_contain_text("Retouren der letzten 90 Tage durchgespielt")
    expect(result.locator("[data-changed] tbody tr").first).to_contain_text("Zurücksenden")
    # and why: the rule and its verdicts in words, the server's trace only with "Show codes"
    why = result.locator("[data-changed] tbody tr").first.locator(".why")
    expect(why).to_contain_text(t("de", "policyPreview.why.line", what=t("de", "rules.keep_item"),
                                  before=t("de", "resolution.KEEP_ITEM"), after=t("de", "resolution.SHIP_BACK")))
    expect(why.locator(".code").first).to_be_hidden()
    expect(result.locator('[data-chart="preview-daily"] figcaption')).to_contain_text("Ergebnisse pro Tag")
    preview = page.locator(".preview").inner_text()
    assert no_english(preview, ["policyPreview.title", "policyPreview.intro", "policyPreview.col.asDecided",
                                "policyPreview.col.withChanges", "policyPreview.col.difference",
                                "policyPreview.col.requested", "policyPreview.rows.keepItem",
                                "policyPreview.rows.shipBack", "policyPreview.rows.review",
                                "policyPreview.outcome.KEEP_ITEM", "policyPreview.outcome.SHIP_BACK",
                                "charts.showTable"]) == []
    assert "returns of the last" not in preview and "would end differently" not in preview
    assert serious_problems(page) == []
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "console-policy-preview-de")
