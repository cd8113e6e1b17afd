"""Bad input, all with a clear code and nothing saved.

Every case goes over real HTTP to the GraphQL API, gets the union member `ReturnError` with its exact
code (or, for the non-union staff list and malformed requests, a clean top-level error), and leaves the
store as it was: the same returns with the same statuses and events, the same rows in every table, and
no call to the refund gateway.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from documents import (
    APPROVE,
    CANCEL,
    ELIGIBILITY,
    POLICY,
    RECEIVED,
    REJECT,
    REQUEST_RETURN,
    RETRY,
    RETURN_REQUEST,
    RETURN_REQUESTS,
    UPDATE_POLICY,
    line,
    request,
)
from saleor_returns.adapters.db.models import Base

WRONG_TOKEN = "not-the-admin-token-0123456789"
NO_SUCH_RETURN = "00000000-0000-4000-8000-000000000000"

STATE = """
query State {
  returnRequests(first: 100) {
    edges { node { id number status resolution refundTotal { amount currency }
                   lines { orderLineId quantity } refunds { status amount { amount } } events { type } } }
  }
}"""


# --- what "nothing saved" means ---------------------------------------------------------------------

async def _row_counts(deps) -> dict[str, int]:
    async with deps.uow(readonly=True) as tx:
        return {t.name: (await tx.session.execute(select(func.count()).select_from(t))).scalar_one()
                for t in Base.metadata.sorted_tables
                if t.name != "rate_limit_counters"}  # every request counts there (PostgreSQL): not a saved thing


def saved(app) -> dict[str, Any]:
    """Everything a refused request must leave alone: returns (as staff see them), rows, gateway calls."""
    listed = app.gql(STATE, staff=True)["returnRequests"]["edges"]
    gateway = app.deps.refunds.default
    return {"returns": [e["node"] for e in listed], "rows": app.run(_row_counts(app.deps)),
            "gateway": (gateway.calls, sorted(gateway.performed))}


@pytest.fixture
def unchanged(app):
    """Call after the `given` steps; the returned check asserts nothing was saved since."""
    before = saved(app)

    def check() -> None:
        assert saved(app) == before

    return check


def post(app, payload: Any, *, token: str | None = None, content: bytes | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if content is not None:
        return httpx.post(f"{app.server.url}/graphql", content=content, timeout=10,
                          headers={**headers, "content-type": "application/json"})
    return httpx.post(f"{app.server.url}/graphql", json=payload, headers=headers, timeout=10)


# --- givens: returns in known states ---------------------------------------------------------------

def refunded_cover(app) -> str:
    """The cheap cover, kept and refunded at once: REFUNDED."""
    ret = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))
    ret = ret["requestReturn"]["returnRequest"]
    assert ret["status"] == "REFUNDED"
    return ret["id"]


def camera_in_review(app) -> str:
    ret = app.gql(REQUEST_RETURN, request("ORD-1004", "dee@example.com", line("L-1004-1")))
    ret = ret["requestReturn"]["returnRequest"]
    assert ret["status"] == "PENDING_REVIEW"
    return ret["id"]


def laptop_with_label(app) -> str:
    ret = app.gql(REQUEST_RETURN, request("ORD-1001", "ada@example.com", line("L-1001-1")))
    ret = ret["requestReturn"]["returnRequest"]
    assert ret["status"] == "LABEL_ISSUED"
    return ret["id"]


def cancelled_laptop(app) -> str:
    rid = laptop_with_label(app)
    cancelled = app.gql(CANCEL, {"id": rid, "email": "ada@example.com"})["cancelReturn"]
    assert cancelled["returnRequest"]["status"] == "CANCELLED"
    return rid


def rejected_camera(app) -> str:
    rid = camera_in_review(app)
    assert app.gql(REJECT, {"id": rid, "note": "used"}, staff=True)["rejectReturn"]["returnRequest"]["status"] \
        == "REJECTED"
    return rid


def cover_refund_waiting(app) -> str:
    """The cover kept while the payment provider is down: APPROVED (KEEP_ITEM), its refund PENDING."""
    app.deps.refunds.default.unavailable = True
    ret = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))
    ret = ret["requestReturn"]["returnRequest"]
    assert (ret["status"], ret["resolution"], [r["status"] for r in ret["refunds"]]) == \
        ("APPROVED", "KEEP_ITEM", ["PENDING"])
    return ret["id"]


def nothing(app) -> None:
    return None


# --- requestReturn ---------------------------------------------------------------------------------

REQUEST_CASES = [
    pytest.param(nothing, request("ORD-9999", "ada@example.com", line("L-1001-1")),
                 "ORDER_NOT_FOUND", "orderId", id="unknown-order"),
    pytest.param(nothing, request("ORD-1001", "mallory@example.com", line("L-1001-1")),
                 "ORDER_NOT_FOUND", "orderId", id="wrong-email-for-a-real-order"),
    pytest.param(nothing, request("ORD-1001", None, line("L-1001-1")),
                 "ORDER_NOT_FOUND", "orderId", id="no-email-for-a-real-order"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1001-1")),
                 "INVALID_INPUT", "lines[0].orderLineId", id="line-of-another-order"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-NOPE")),
                 "INVALID_INPUT", "lines[0].orderLineId", id="unknown-line"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-2", 0)),
                 "INVALID_INPUT", "lines[0].quantity", id="quantity-zero"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-2", -1)),
                 "INVALID_INPUT", "lines[0].quantity", id="quantity-negative"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-1"), line("L-1002-2", 0)),
                 "INVALID_INPUT", "lines[1].quantity", id="one-bad-line-refuses-the-whole-request"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-2", 3)),
                 "QUANTITY_EXCEEDED", "lines[0].quantity", id="quantity-above-ordered"),
    pytest.param(nothing, request("ORD-1006", "fay@example.com", line("L-1006-1", 3)),
                 "QUANTITY_EXCEEDED", "lines[0].quantity", id="quantity-above-what-is-left"),
    pytest.param(nothing, request("ORD-1005", "eve@example.com", line("L-1005-1", 2), exception=True),
                 "QUANTITY_EXCEEDED", "lines[0].quantity", id="quantity-above-ordered-in-an-exception"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-2", 10**9)),
                 "QUANTITY_EXCEEDED", "lines[0].quantity", id="quantity-absurd"),
    pytest.param(refunded_cover, request("ORD-1002", "ben@example.com", line("L-1002-1")),
                 "ALREADY_RETURNED", "lines[0].orderLineId", id="line-already-returned"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-2"), line("L-1002-2")),
                 "INVALID_INPUT", "lines[1]", id="duplicate-lines"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com"),
                 "INVALID_INPUT", "lines", id="no-lines"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-1", reason="BORED")),
                 "UNKNOWN_REASON", "lines[0].reason", id="unknown-reason"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-1", reason="")),
                 "UNKNOWN_REASON", "lines[0].reason", id="empty-reason"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-1", reason="OTHER")),
                 "COMMENT_REQUIRED", "lines[0].comment", id="other-without-comment"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-1", reason="OTHER", comment="  ")),
                 "COMMENT_REQUIRED", "lines[0].comment", id="other-with-a-blank-comment"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", line("L-1002-1", comment="x" * 2001)),
                 "INVALID_INPUT", "lines[0].comment", id="comment-too-long"),
    pytest.param(nothing, {"input": {**request("ORD-1002", "ben@example.com", line("L-1002-1"))["input"],
                                     "note": "x" * 2001}},
                 "INVALID_INPUT", "note", id="note-too-long"),
    pytest.param(nothing, request("ORD-1002", "ben@example.com", *[line(f"L-{i}") for i in range(501)]),
                 "INVALID_INPUT", "lines", id="too-many-lines"),
]


@pytest.mark.parametrize(("given", "variables", "code", "field"), REQUEST_CASES)
def test_request_return_refuses_bad_input(app, given: Callable, variables: dict, code: str, field: str):
    given(app)
    before = saved(app)

    result = app.gql(REQUEST_RETURN, variables)["requestReturn"]

    assert result["__typename"] == "ReturnError", result
    assert (result["code"], result["field"]) == (code, field)
    assert result["message"].strip()
    assert saved(app) == before


def test_a_wrong_email_looks_exactly_like_an_unknown_order(app, unchanged):
    # when one shopper probes an order id that exists (with their own e-mail) and one that does not
    real = app.gql(REQUEST_RETURN, request("ORD-1001", "mallory@example.com", line("L-1001-1")))["requestReturn"]
    fake = app.gql(REQUEST_RETURN, request("ORD-9999", "mallory@example.com", line("L-1001-1")))["requestReturn"]
    seen_real = app.gql(ELIGIBILITY, {"orderId": "ORD-1001", "email": "mallory@example.com"})
    seen_fake = app.gql(ELIGIBILITY, {"orderId": "ORD-9999", "email": "mallory@example.com"})

    # then both answers are the same, word for word, so order ids cannot be probed
    assert real == fake and real["code"] == "ORDER_NOT_FOUND"
    assert seen_real == seen_fake
    assert seen_real["orderReturnEligibility"] == {**real}
    unchanged()


def test_a_quantity_beyond_graphql_int_is_a_clean_top_level_error(app, unchanged):
    variables = request("ORD-1002", "ben@example.com", line("L-1002-2", 2**31))
    response = post(app, {"query": REQUEST_RETURN, "variables": variables})
    assert response.status_code == 200
    body = response.json()
    assert body.get("data") is None
    assert body["errors"] and "Int" in body["errors"][0]["message"]
    unchanged()


# --- staff actions and cancelling: illegal transitions ---------------------------------------------

def approve(rid: str) -> tuple[str, str, dict]:
    return APPROVE, "approveReturn", {"id": rid}


def approve_keep(rid: str) -> tuple[str, str, dict]:
    return APPROVE, "approveReturn", {"id": rid, "resolution": "KEEP_ITEM"}


def reject(rid: str) -> tuple[str, str, dict]:
    return REJECT, "rejectReturn", {"id": rid, "note": "not accepted"}


def reject_blank(rid: str) -> tuple[str, str, dict]:
    return REJECT, "rejectReturn", {"id": rid, "note": "   "}


def received(rid: str) -> tuple[str, str, dict]:
    return RECEIVED, "markReturnReceived", {"id": rid}


def retry(rid: str) -> tuple[str, str, dict]:
    return RETRY, "retryRefund", {"id": rid}


def staff_cancel(rid: str) -> tuple[str, str, dict]:
    return CANCEL, "cancelReturn", {"id": rid}


def shopper_cancel(email: str) -> Callable[[str], tuple[str, str, dict]]:
    def op(rid: str) -> tuple[str, str, dict]:
        return CANCEL, "cancelReturn", {"id": rid, "email": email}
    return op


# (given, operation, as staff, code, field)
TRANSITION_CASES = [
    pytest.param(refunded_cover, shopper_cancel("ben@example.com"), False, "INVALID_TRANSITION", None,
                 id="shopper-cancels-a-refunded-return"),
    pytest.param(refunded_cover, staff_cancel, True, "INVALID_TRANSITION", None,
                 id="staff-cancel-a-refunded-return"),
    pytest.param(refunded_cover, reject, True, "INVALID_TRANSITION", None, id="reject-a-refunded-return"),
    pytest.param(refunded_cover, approve, True, "INVALID_TRANSITION", None, id="approve-a-refunded-return"),
    pytest.param(refunded_cover, approve_keep, True, "INVALID_TRANSITION", None,
                 id="approve-keep-item-a-refunded-return"),
    pytest.param(refunded_cover, received, True, "INVALID_TRANSITION", None, id="receive-a-refunded-return"),
    pytest.param(refunded_cover, retry, True, "INVALID_TRANSITION", None, id="retry-a-refunded-return"),
    pytest.param(cover_refund_waiting, shopper_cancel("ben@example.com"), False, "INVALID_TRANSITION", None,
                 id="shopper-cancels-while-the-refund-is-on-its-way"),
    pytest.param(cover_refund_waiting, staff_cancel, True, "INVALID_TRANSITION", None,
                 id="staff-cancel-while-the-refund-is-on-its-way"),
    pytest.param(cover_refund_waiting, reject, True, "INVALID_TRANSITION", None,
                 id="reject-while-the-refund-is-on-its-way"),
    pytest.param(cover_refund_waiting, received, True, "INVALID_TRANSITION", None,
                 id="receive-a-keep-item-return"),
    pytest.param(camera_in_review, received, True, "INVALID_TRANSITION", None, id="receive-a-return-in-review"),
    pytest.param(camera_in_review, retry, True, "INVALID_TRANSITION", None, id="retry-a-return-in-review"),
    pytest.param(camera_in_review, reject_blank, True, "INVALID_INPUT", "note", id="reject-without-a-reason"),
    pytest.param(laptop_with_label, approve, True, "INVALID_TRANSITION", None, id="approve-a-return-with-a-label"),
    pytest.param(cancelled_laptop, approve, True, "INVALID_TRANSITION", None, id="approve-a-cancelled-return"),
    pytest.param(cancelled_laptop, reject, True, "INVALID_TRANSITION", None, id="reject-a-cancelled-return"),
    pytest.param(cancelled_laptop, received, True, "INVALID_TRANSITION", None, id="receive-a-cancelled-return"),
    pytest.param(cancelled_laptop, shopper_cancel("ada@example.com"), False, "INVALID_TRANSITION", None,
                 id="cancel-a-cancelled-return"),
    pytest.param(rejected_camera, approve, True, "INVALID_TRANSITION", None, id="approve-a-rejected-return"),
    pytest.param(rejected_camera, staff_cancel, True, "INVALID_TRANSITION", None, id="cancel-a-rejected-return"),
]


@pytest.mark.parametrize(("given", "operation", "staff", "code", "field"), TRANSITION_CASES)
def test_illegal_transitions_are_refused(app, given: Callable, operation: Callable, staff: bool, code: str,
                                         field: str | None):
    rid = given(app)
    before = saved(app)
    doc, key, variables = operation(rid)

    result = app.gql(doc, variables, staff=staff)[key]

    assert result["__typename"] == "ReturnError", result
    assert (result["code"], result["field"]) == (code, field)
    assert result["message"].strip()
    assert saved(app) == before


# --- policy ----------------------------------------------------------------------------------------

GOOD_POLICY = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
               "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}

POLICY_CASES = [
    pytest.param("default-channel", {"windowDays": -1}, "input.windowDays", id="negative-window-days"),
    pytest.param("default-channel", {"graceDays": -3}, "input.graceDays", id="negative-grace-days"),
    pytest.param("default-channel", {"windowDays": 100_000}, "input.windowDays", id="absurd-window-days"),
    pytest.param("default-channel", {"keepItemThresholds": [{"amount": "25.00", "currency": "XYZ"}]},
                 "input.keepItemThresholds", id="threshold-in-an-unknown-currency"),
    pytest.param("default-channel", {"keepItemThresholds": [{"amount": "25.00", "currency": "EUR"}]},
                 "input.keepItemThresholds", id="threshold-in-another-currency-than-the-channel"),
    pytest.param("japan", {"keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]},
                 "input.keepItemThresholds", id="usd-threshold-on-the-jpy-channel"),
    pytest.param("default-channel", {"keepItemThresholds": [{"amount": "-1.00", "currency": "USD"}]},
                 "input.keepItemThresholds", id="negative-threshold"),
    pytest.param("default-channel", {"keepItemThresholds": [{"amount": "25.00", "currency": "USD"},
                                                           {"amount": "30.00", "currency": "USD"}]},
                 "input.keepItemThresholds", id="threshold-twice-in-one-currency"),
    pytest.param("default-channel", {"reviewAbove": [{"amount": "2000.00", "currency": "EUR"}]},
                 "input.reviewAbove", id="review-above-in-another-currency"),
    pytest.param("no-such-channel", {}, "channel", id="unknown-channel"),
    pytest.param("default-channel", {"keepItemThresholds": [{"amount": "NaN", "currency": "USD"}]},
                 "input.keepItemThresholds", id="threshold-nan"),
    pytest.param("default-channel", {"keepItemThresholds": [{"amount": "Infinity", "currency": "USD"}]},
                 "input.keepItemThresholds", id="threshold-infinite"),
    pytest.param("default-channel", {"keepItemThresholds": [{"amount": "1e400", "currency": "USD"}]},
                 "input.keepItemThresholds", id="threshold-absurd"),
    pytest.param("default-channel", {"restockingFeePercent": "150"}, "input.restockingFeePercent",
                 id="restocking-fee-above-100"),
    pytest.param("default-channel", {"restockingFeePercent": "NaN"}, "input.restockingFeePercent",
                 id="restocking-fee-nan"),
    pytest.param("default-channel", {"reasons": []}, "input.reasons", id="no-reasons"),
    pytest.param("default-channel", {"commentRequired": ["NOPE"]}, "input.commentRequired",
                 id="comment-required-for-an-unknown-reason"),
    pytest.param("default-channel", {"overrides": [{"level": "CATEGORY", "key": "Clearance", "windowDays": -1}]},
                 "input.overrides", id="override-with-negative-days"),
    pytest.param("default-channel", {"keepItemLimitDays": 0}, "input.keepItemLimits", id="keep-limit-zero-days"),
    pytest.param("default-channel", {"seasonal": [{"orderedFrom": "2026-12-31", "orderedUntil": "2026-11-01",
                                                   "returnableUntil": "2027-01-31"}]},
                 "input.seasonal", id="seasonal-window-backwards"),
]


def _policy_versions(app) -> dict[str, int]:
    return {ch: app.gql(POLICY, {"channel": ch}, staff=True)["returnPolicy"]["version"]
            for ch in ("default-channel", "japan")}


@pytest.mark.parametrize(("channel", "change", "field"), POLICY_CASES)
def test_bad_policies_are_refused_and_the_version_stays(app, channel: str, change: dict, field: str):
    versions, before = _policy_versions(app), saved(app)

    result = app.gql(UPDATE_POLICY, {"channel": channel, "input": {**GOOD_POLICY, **change}},
                     staff=True)["updateReturnPolicy"]

    assert result["__typename"] == "ReturnError", result
    assert (result["code"], result["field"]) == ("INVALID_INPUT", field)
    assert result["message"].strip()
    assert _policy_versions(app) == versions and saved(app) == before


# --- who may do what -------------------------------------------------------------------------------

def update_policy(_: str) -> tuple[str, str, dict]:
    return UPDATE_POLICY, "updateReturnPolicy", {"channel": "default-channel", "input": GOOD_POLICY}


STAFF_MUTATIONS = [("approve", approve), ("approve-keep-item", approve_keep), ("reject", reject),
                   ("received", received), ("retry", retry), ("update-policy", update_policy)]


@pytest.mark.parametrize("token", [pytest.param(None, id="no-token"), pytest.param(WRONG_TOKEN, id="wrong-token")])
@pytest.mark.parametrize("operation", [pytest.param(op, id=name) for name, op in STAFF_MUTATIONS])
def test_staff_mutations_need_a_staff_token(app, operation: Callable, token: str | None):
    rid = camera_in_review(app)
    before = saved(app)
    doc, key, variables = operation(rid)

    body = app.gql.raw(doc, variables, token=token)

    assert "errors" not in body, body["errors"]
    result = body["data"][key]
    assert result["__typename"] == "ReturnError" and result["code"] == "FORBIDDEN", result
    assert result["message"].strip()
    assert saved(app) == before


@pytest.mark.parametrize("token", [pytest.param(None, id="no-token"), pytest.param(WRONG_TOKEN, id="wrong-token")])
def test_the_staff_list_needs_a_staff_token(app, token: str | None):
    camera_in_review(app)
    body = app.gql.raw(RETURN_REQUESTS, {}, token=token)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["returnRequests"]


@pytest.mark.parametrize("email", [pytest.param("ben@example.com", id="another-shoppers-email"),
                                   pytest.param(None, id="no-email")])
def test_a_return_is_invisible_to_other_shoppers(app, email: str | None):
    rid = laptop_with_label(app)
    assert app.gql(RETURN_REQUEST, {"id": rid, "email": email}) == {"returnRequest": None}
    # while its own shopper (e-mail in any case) and staff see it
    assert app.gql(RETURN_REQUEST, {"id": rid, "email": "Ada@Example.com"})["returnRequest"]["id"] == rid
    assert app.gql(RETURN_REQUEST, {"id": rid}, staff=True)["returnRequest"]["id"] == rid


@pytest.mark.parametrize(("email", "token"), [
    pytest.param("ben@example.com", None, id="another-shoppers-email"),
    pytest.param(None, None, id="no-email"),
    # a token nobody accepts says "sign in again", whoever's return it is
    pytest.param("ben@example.com", WRONG_TOKEN, id="another-shoppers-email-and-a-wrong-token"),
    pytest.param("ada@example.com", WRONG_TOKEN, id="the-shoppers-own-email-and-a-wrong-token"),
])
def test_cancelling_someone_elses_return_is_not_found_and_a_wrong_token_is_forbidden(app, email: str | None,
                                                                                    token: str | None):
    rid = laptop_with_label(app)
    before = saved(app)
    body = app.gql.raw(CANCEL, {"id": rid, "email": email}, token=token)
    assert "errors" not in body, body["errors"]
    result = body["data"]["cancelReturn"]
    expected = "FORBIDDEN" if token else "RETURN_NOT_FOUND"
    assert (result["__typename"], result["code"]) == ("ReturnError", expected)
    assert saved(app) == before


@pytest.mark.parametrize("rid", [pytest.param(NO_SUCH_RETURN, id="unknown-uuid"),
                                 pytest.param("not-a-return-id", id="garbage-id"),
                                 pytest.param("x" * 500, id="very-long-id")])
@pytest.mark.parametrize("operation", [pytest.param(op, id=name) for name, op in STAFF_MUTATIONS[:-1]]
                         + [pytest.param(staff_cancel, id="cancel")])
def test_staff_actions_on_an_unknown_return(app, unchanged, operation: Callable, rid: str):
    doc, key, variables = operation(rid)
    result = app.gql(doc, variables, staff=True)[key]
    assert (result["__typename"], result["code"]) == ("ReturnError", "RETURN_NOT_FOUND"), result
    assert app.gql(RETURN_REQUEST, {"id": rid}, staff=True) == {"returnRequest": None}
    unchanged()


# --- malformed requests and the staff list's paging arguments --------------------------------------

def test_malformed_graphql_is_a_200_with_errors_and_no_data(app, unchanged):
    # GraphQL over HTTP with `application/json` responses: a document that does not parse is still a 200,
    # with `errors` (message and location) and no `data`, the way Saleor's own API answers it
    response = post(app, {"query": "mutation { requestReturn(input: { orderId: ", "variables": {}})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "data" not in body or body["data"] is None
    [error] = body["errors"]
    assert error["message"].startswith("Syntax Error") and error["locations"]
    unchanged()


def test_an_unknown_field_is_a_200_with_errors_and_no_data(app, unchanged):
    response = post(app, {"query": "query { returnRequests { edges { node { password } } } }"})
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body or body["data"] is None
    assert "Cannot query field 'password'" in body["errors"][0]["message"]
    unchanged()


@pytest.mark.parametrize("content", [
    pytest.param(b'{"query": "query { __typename }"', id="truncated-json"),
    pytest.param(b"{query: returnRequests}", id="not-json"),
    pytest.param(b"", id="empty-body"),
    pytest.param(b"[]", id="empty-batch"),
    pytest.param(b"\xff\xfe not json", id="not-utf8"),
    pytest.param(b'"query { __typename }"', id="json-string-not-object"),
])
def test_a_malformed_json_body_is_a_400(app, unchanged, content: bytes):
    response = post(app, None, content=content)
    assert response.status_code == 400, response.text
    unchanged()


@pytest.mark.parametrize("payload", [pytest.param({"variables": {}}, id="no-query"),
                                     pytest.param({"query": 5}, id="query-not-a-string"),
                                     pytest.param({"query": RETURN_REQUESTS, "variables": [1]}, id="variables-a-list")])
def test_a_body_that_is_not_a_graphql_request_is_a_400(app, unchanged, payload: dict):
    response = post(app, payload, token=app.deps.settings.admin_token)
    assert response.status_code == 400, response.text
    unchanged()


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(("first", "after", "field"), [
    pytest.param(0, None, "first", id="first-0"),
    pytest.param(-5, None, "first", id="first-negative"),
    pytest.param(1000, None, "first", id="first-1000"),
    pytest.param(None, "garbage", "after", id="garbage-cursor"),
    pytest.param(None, "!!!", "after", id="non-base64-cursor"),
    pytest.param(None, _cursor("x:5"), "after", id="someone-elses-cursor"),
    pytest.param(None, _cursor("r:five"), "after", id="cursor-without-a-number"),
    pytest.param(None, _cursor("r:" + "9" * 40), "after", id="cursor-beyond-any-row"),
    pytest.param(None, _cursor("r:-1"), "after", id="negative-cursor"),
])
def test_bad_paging_arguments_are_a_top_level_invalid_input(app, first: int | None, after: str | None, field: str):
    refunded_cover(app)
    body = app.gql.raw(RETURN_REQUESTS, {"first": first, "after": after}, token=app.deps.settings.admin_token)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT" and error["extensions"]["field"] == field
    assert error["path"] == ["returnRequests"]
