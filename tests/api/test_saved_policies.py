"""Issue 11, point 3: staff cannot save a policy that breaks every shopper request on the channel, and a
version saved before the bounds does not break them either."""
from __future__ import annotations

import pytest

from documents import ELIGIBILITY, POLICY, REQUEST_RETURN, UPDATE_POLICY, line, request
from saleor_returns.domain.policy import policy_from_dict

GOOD = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
        "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}


def version(app) -> int:
    return app.gql(POLICY, {"channel": "default-channel"}, staff=True)["returnPolicy"]["version"]


def shoppers_are_served(app) -> None:
    seen = app.gql(ELIGIBILITY, {"orderId": "ORD-1001", "email": "ada@example.com"})["orderReturnEligibility"]
    assert seen["__typename"] == "OrderReturnEligibility", seen
    asked = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))["requestReturn"]
    assert asked["__typename"] == "ReturnRequested", asked


@pytest.mark.parametrize(("change", "field", "words"), [
    pytest.param({"seasonal": [{"orderedFrom": "2026-11-01", "orderedUntil": "2026-12-24",
                                "returnableUntil": "9999-12-31"}]}, "input.seasonal", "returnable_until",
                 id="returnable-until-9999-12-31"),
    pytest.param({"keepItemLimitDays": 740_000}, "input.keepItemLimits", "keep_item_limits.days",
                 id="keep-item-limit-days-740000"),
    pytest.param({"keepItemLimitCount": 2_000_000_000}, "input.keepItemLimits", "max_count", id="limit-count"),
    pytest.param({"reviewAbove": [{"amount": "99999999999999", "currency": "USD"}]}, "input.reviewAbove",
                 "review_above", id="review-above-absurd"),
    pytest.param({"reasons": ["OTHER", "X" * 65]}, "input.reasons", "64", id="reason-longer-than-kept"),
])
def test_a_policy_that_would_break_requests_is_refused_by_field(app, change: dict, field: str, words: str):
    before = version(app)
    result = app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": {**GOOD, **change}},
                     staff=True)["updateReturnPolicy"]
    assert (result["__typename"], result["code"], result["field"]) == ("ReturnError", "INVALID_INPUT", field)
    assert words in result["message"]
    assert version(app) == before
    shoppers_are_served(app)


def test_a_version_saved_before_the_bounds_still_serves_shoppers(app):
    # given a version as staff could save it before: returnable until 9999-12-31 and 740,000 days of look-back
    current = app.gql(POLICY, {"channel": "default-channel"}, staff=True)["returnPolicy"]
    old = policy_from_dict({"keep_item_thresholds": {"USD": "25.00"}, "grace_days": 3650,
                            "keep_item_limits": {"days": 740_000},
                            "seasonal": [{"ordered_from": "2000-01-01", "ordered_until": "2100-12-31",
                                          "returnable_until": "9999-12-31"}]})

    async def save_directly() -> None:
        async with app.deps.uow() as tx:
            await tx.policies.add(app.deps.tenant, "default-channel", old, "staff:before", app.deps.clock.now())
            await tx.commit()

    app.run(save_directly())
    assert version(app) == current["version"] + 1

    # then shoppers still see deadlines and get their returns, with no INTERNAL_ERROR
    seen = app.gql(ELIGIBILITY, {"orderId": "ORD-1001", "email": "ada@example.com"})["orderReturnEligibility"]
    assert seen["deadline"].startswith("9999-12-")
    shoppers_are_served(app)
