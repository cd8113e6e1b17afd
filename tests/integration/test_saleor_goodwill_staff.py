"""Goodwill budgets per Dashboard staff member: an owner sets one for a staff user id, and that staff member's
Dashboard token gets it (a fake Saleor on loopback)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from support.fake_saleor import FakeSaleor, ReturnsApp, gid

SET_BUDGET = """mutation($currency: String!, $amount: String, $staff: String) {
  setGoodwillBudget(currency: $currency, amount: $amount, staff: $staff) {
    __typename ... on ReturnError { code } } }"""
BUDGET = "query { goodwillBudget(currency: \"USD\") { staff daily { amount } } }"


@pytest.fixture
def store(settings, demo_store, clock) -> Iterator[tuple[FakeSaleor, ReturnsApp, str]]:
    fake = FakeSaleor().start()
    fake.add_channel("default-channel", "USD")
    app = ReturnsApp(replace(settings, refund_gateway="saleor"), DemoOrderSource(demo_store), clock)
    try:
        yield fake, app, fake.install(f"{app.url}/api/manifest").id
    finally:
        app.close()
        fake.stop()


def test_an_owner_sets_a_budget_for_a_dashboard_staff_member_by_user_id(store):
    fake, app, app_id = store
    staff = fake.dashboard_token(app_id, email="sam@example.com")  # user id User:99
    owner = fake.dashboard_token(app_id, email="olga@example.com",
                                 user_permissions=["MANAGE_ORDERS", "HANDLE_PAYMENTS", "MANAGE_STAFF"])
    # a staff member who is not an owner may not set budgets
    refused = app.gql(SET_BUDGET, {"currency": "USD", "amount": "5000", "staff": gid("User", 99)}, token=staff)
    assert refused["data"]["setGoodwillBudget"] == {"__typename": "ReturnError", "code": "FORBIDDEN"}
    # the owner sets 150.00 for Sam by his Dashboard user id
    saved = app.gql(SET_BUDGET, {"currency": "USD", "amount": "150", "staff": gid("User", 99)}, token=owner)
    assert saved["data"]["setGoodwillBudget"]["__typename"] == "GoodwillBudgetSaved"
    # then Sam's meter (his token names him by e-mail and user id) shows his budget
    assert app.gql(BUDGET, token=staff)["data"]["goodwillBudget"] == {"staff": "sam@example.com",
                                                                       "daily": {"amount": "150.00"}}
    # and removing it brings back the store's
    app.gql(SET_BUDGET, {"currency": "USD", "amount": None, "staff": gid("User", 99)}, token=owner)
    assert app.gql(BUDGET, token=staff)["data"]["goodwillBudget"]["daily"] == {"amount": "2000.00"}
