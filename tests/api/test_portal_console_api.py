"""What the portal and the console add to the API: orders by receipt number, the goodwill meter, the channels,
the ship-by date, and the pages and assets themselves (served by the app, no CDN, no build step)."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from documents import (
    APPROVE,
    ELIGIBILITY_BY_NUMBER,
    GOODWILL_BUDGET,
    REQUEST_RETURN,
    RETURN_CHANNELS,
    SHIP_BY,
    line,
    request,
)
from saleor_returns.web.app import create_app
from saleor_returns.web.pages import STATIC_DIR
from support.server import ServerThread


@pytest.mark.parametrize(("reference", "email", "staff", "found"), [
    ("1002", "ben@example.com", False, "ORD-1002"),  # the number on the receipt
    ("  #1002 ", "Ben@Example.com", False, "ORD-1002"),  # as printed, any case of e-mail
    ("ORD-1002", "ben@example.com", False, "ORD-1002"),  # the id of a storefront link works too
    ("1002", "eve@example.com", False, None),  # someone else's e-mail: looks like no order at all
    ("9999", "ben@example.com", False, None),
    ("", "ben@example.com", False, None),
    ("1002", None, True, "ORD-1002"),  # staff need no e-mail
])
def test_a_shopper_finds_the_order_by_the_number_on_the_receipt(app, reference, email, staff, found):
    # when
    result = app.gql(ELIGIBILITY_BY_NUMBER, {"number": reference, "email": email},
                     staff=staff)["orderReturnEligibilityByNumber"]
    # then
    if found:
        assert result["__typename"] == "OrderReturnEligibility" and result["orderId"] == found
        assert result["timezone"] == "America/New_York" and result["orderNumber"] == "1002"
    else:
        assert result == {"__typename": "ReturnError", "code": "ORDER_NOT_FOUND", "field": "orderNumber",
                          "message": "We could not find an order with that number and e-mail address."}


def test_the_goodwill_meter_shows_what_is_left_today_after_an_approval(app):
    # given a fresh day: the whole budget is left
    before = app.gql(GOODWILL_BUDGET, {"currency": "USD"}, staff=True)["goodwillBudget"]
    assert before == {"staff": "admin", "currency": "USD", "day": "2026-11-25", "timezone": "America/New_York",
                      "daily": {"amount": "2000.00", "currency": "USD"}, "spent": {"amount": "0.00", "currency": "USD"},
                      "left": {"amount": "2000.00", "currency": "USD"}}
    # when staff approve Eve's exception past grace (449.00 out of policy)
    asked = app.gql(REQUEST_RETURN, request("ORD-1005", "eve@example.com", line("L-1005-1"), exception=True))
    app.gql(APPROVE, {"id": asked["requestReturn"]["returnRequest"]["id"]}, staff=True)
    # then the meter shows what is left
    after = app.gql(GOODWILL_BUDGET, {"currency": "usd", "channel": "default-channel"}, staff=True)["goodwillBudget"]
    assert (after["spent"]["amount"], after["left"]["amount"]) == ("449.00", "1551.00")


def test_the_goodwill_day_is_the_store_day(app):
    # 17:00 UTC on Nov 25 is already Nov 26 in Tokyo; the yen budget is about the dollar one, not 2,000 yen
    budget = app.gql(GOODWILL_BUDGET, {"currency": "JPY", "channel": "japan"}, staff=True)["goodwillBudget"]
    assert (budget["day"], budget["timezone"], budget["left"]["amount"]) == ("2026-11-26", "Asia/Tokyo", "300000")


@pytest.mark.parametrize(("variables", "token", "code"), [
    ({"currency": "USD"}, None, "FORBIDDEN"),  # shoppers have no goodwill budget
    ({"currency": "XYZ"}, "admin", "INVALID_INPUT"),
    ({"currency": "USD", "channel": "nowhere"}, "admin", "INVALID_INPUT"),
])
def test_goodwill_budget_refusals_carry_a_code(app, variables, token, code):
    body = app.gql.raw(GOODWILL_BUDGET, variables, token=app.gql.admin_token if token else None)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == code


def test_staff_see_the_channels_they_can_configure(app):
    channels = app.gql(RETURN_CHANNELS, staff=True)["returnChannels"]
    assert channels == [
        {"slug": "default-channel", "currency": "USD", "timezone": "America/New_York", "policyVersion": 1},
        {"slug": "japan", "currency": "JPY", "timezone": "Asia/Tokyo", "policyVersion": 1}]
    assert app.gql.raw(RETURN_CHANNELS)["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_ship_by_date_is_the_one_printed_on_the_label(app):
    # given the late laptop is inside grace: the window closed, grace has not
    asked = app.gql(REQUEST_RETURN, request("ORD-1001", "ada@example.com", line("L-1001-1", reason="DAMAGED")))
    ret_id = asked["requestReturn"]["returnRequest"]["id"]
    # then ship by the end of grace, in the store's time zone; a kept item has nothing to ship
    ret = app.gql(SHIP_BY, {"id": ret_id, "email": "ada@example.com"})["returnRequest"]
    assert ret["shipBy"] == ret["graceDeadline"] and ret["shipBy"].endswith("T23:59:59-05:00")
    kept = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))
    kept_id = kept["requestReturn"]["returnRequest"]["id"]
    assert app.gql(SHIP_BY, {"id": kept_id, "email": "ben@example.com"})["returnRequest"]["shipBy"] is None


@pytest.mark.parametrize("path", ["/portal", "/portal/returns/any-id", "/console"])
def test_the_pages_are_served_with_their_assets_and_no_outside_hosts(app, path):
    page = httpx.get(f"{app.server.url}{path}", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert assets and not re.search(r'(?:href|src)="(?:https?:)?//', page.text)  # nothing from a CDN
    for asset in assets:
        assert httpx.get(f"{app.server.url}{asset}", timeout=10).status_code == 200, asset


def test_every_module_import_of_the_pages_resolves(app):
    # no build step: the browser loads the modules as they are, so every relative import must exist
    modules = sorted(STATIC_DIR.rglob("*.js"))
    assert len(modules) > 10
    for module in modules:
        for target in re.findall(r'from\s+"(\.{1,2}/[^"]+)"|import\("(\.{1,2}/[^"]+)"\)', module.read_text()):
            relative = next(t for t in target if t)
            resolved = (module.parent / relative).resolve()
            assert resolved.is_file(), f"{module.relative_to(STATIC_DIR)} imports missing {relative}"
            url = f"{app.server.url}/static/{resolved.relative_to(STATIC_DIR).as_posix()}"
            response = httpx.get(url, timeout=10)
            assert response.status_code == 200 and "javascript" in response.headers["content-type"]


def test_storefronts_on_allowed_origins_may_call_the_api_from_the_browser(app):
    # given a storefront origin is allowed (RETURNS_CORS_ORIGINS)
    deps = replace(app.deps, settings=replace(app.deps.settings, cors_origins=("https://shop.example.com",)))
    server = ServerThread(lambda: create_app(deps)).start()
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    try:
        # then its preflight is answered, and another origin's is not
        allowed = httpx.options(f"{server.url}/graphql", headers={"origin": "https://shop.example.com", **preflight})
        other = httpx.options(f"{server.url}/graphql", headers={"origin": "https://evil.example.com", **preflight})
    finally:
        server.stop()
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example.com"
    assert "access-control-allow-origin" not in other.headers


def test_the_static_files_ship_with_the_package():
    # pyproject's package data must cover every file the pages load
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    for pattern in ("web/static/*/*.html", "web/static/*/*.js", "web/static/*/*.css"):
        assert pattern in pyproject, pattern


def test_a_store_without_a_known_name_has_none_and_the_portal_keeps_its_own_word(app):
    # no RETURNS_STORE_NAME, no look set: no name is invented (the page says "Returns" in its language)
    look = app.gql('{ storeLook(channel: "default-channel") { name customized } }')["storeLook"]
    assert look == {"name": None, "customized": False}
