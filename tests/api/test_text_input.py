"""Issue 11, point 4: a NUL (or another control character, or half a surrogate pair) in any string is
INVALID_INPUT naming the field, on SQLite and on PostgreSQL alike, and nothing is saved; lengths are bounded."""
from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select

from documents import (
    APPROVE,
    CANCEL,
    ELIGIBILITY,
    ELIGIBILITY_BY_NUMBER,
    GOODWILL_BUDGET,
    REJECT,
    REQUEST_RETURN,
    RETURN_REQUEST,
    RETURN_REQUESTS,
    UPDATE_POLICY,
    line,
    request,
)
from saleor_returns.adapters.db.models import Base

NUL, BELL, CSI, SURROGATE = "\u0000", "\u0007", "\u009b", "\ud800"
POLICY = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
          "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}


async def _rows(deps) -> dict[str, int]:
    async with deps.uow(readonly=True) as tx:
        return {t.name: (await tx.session.execute(select(func.count()).select_from(t))).scalar_one()
                for t in Base.metadata.sorted_tables if t.name != "rate_limit_counters"}


def raw(app, doc: str, variables: dict, token: str | None = None) -> dict:
    """Like app.gql.raw, with the JSON escaped to ASCII: a lone surrogate travels as \\ud800, as browsers send it."""
    headers = {"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})}
    response = httpx.post(f"{app.server.url}/graphql", content=json.dumps({"query": doc, "variables": variables}),
                          headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def in_review(app) -> str:
    ret = app.gql(REQUEST_RETURN, request("ORD-1004", "dee@example.com", line("L-1004-1")))["requestReturn"]
    return ret["returnRequest"]["id"]


def with_comment(text: str) -> dict:
    return request("ORD-1002", "ben@example.com", line("L-1002-1", reason="OTHER", comment=text))


# (document, variables built from the bad text and a return id, key, staff, field)
UNION_CASES = [
    ("comment", REQUEST_RETURN, lambda t, _: with_comment(f"it broke{t}"), "requestReturn", False,
     "lines[0].comment"),
    ("note", REQUEST_RETURN, lambda t, _: {"input": {**with_comment("x")["input"], "note": t}}, "requestReturn",
     False, "note"),
    ("order-id", REQUEST_RETURN, lambda t, _: request(f"ORD-1002{t}", "ben@example.com", line("L-1002-1")),
     "requestReturn", False, "orderId"),
    ("line-id", REQUEST_RETURN, lambda t, _: request("ORD-1002", "ben@example.com", line(f"L-1002-1{t}")),
     "requestReturn", False, "lines[0].orderLineId"),
    ("email", REQUEST_RETURN, lambda t, _: request("ORD-1002", f"ben{t}@example.com", line("L-1002-1")),
     "requestReturn", False, "email"),
    ("eligibility-order", ELIGIBILITY, lambda t, _: {"orderId": f"ORD{t}", "email": "ada@example.com"},
     "orderReturnEligibility", False, "orderId"),
    ("eligibility-by-number", ELIGIBILITY_BY_NUMBER, lambda t, _: {"number": f"1001{t}", "email": "a@b.c"},
     "orderReturnEligibilityByNumber", False, "orderNumber"),
    ("cancel-id", CANCEL, lambda t, rid: {"id": rid + t, "email": "dee@example.com"}, "cancelReturn", False, "id"),
    ("approve-note", APPROVE, lambda t, rid: {"id": rid, "note": f"ok{t}"}, "approveReturn", True, "note"),
    ("reject-note", REJECT, lambda t, rid: {"id": rid, "note": f"no{t}"}, "rejectReturn", True, "note"),
    ("policy-reason", UPDATE_POLICY, lambda t, _: {"channel": "default-channel",
                                                   "input": {**POLICY, "reasons": ["OTHER", f"A{t}"]}},
     "updateReturnPolicy", True, "input.reasons[1]"),
    ("policy-override-key", UPDATE_POLICY, lambda t, _: {"channel": "default-channel", "input": {
        **POLICY, "overrides": [{"level": "PRODUCT", "key": f"mug{t}", "finalSale": True}]}},
     "updateReturnPolicy", True, "input.overrides[0].key"),
    ("policy-channel", UPDATE_POLICY, lambda t, _: {"channel": f"default-channel{t}", "input": POLICY},
     "updateReturnPolicy", True, "channel"),
]


@pytest.mark.parametrize("bad", [pytest.param(NUL, id="nul"), pytest.param(BELL, id="bell"),
                                 pytest.param(CSI, id="c1-control"), pytest.param(SURROGATE, id="lone-surrogate")])
@pytest.mark.parametrize(("name", "doc", "variables", "key", "staff", "field"),
                         [pytest.param(*case, id=case[0]) for case in UNION_CASES])
def test_control_characters_are_invalid_input_naming_the_field(app, bad, name, doc, variables, key, staff, field):
    rid = in_review(app)
    before = app.run(_rows(app.deps))

    body = raw(app, doc, variables(bad, rid), token=app.deps.settings.admin_token if staff else None)

    assert "errors" not in body, body["errors"]
    result = body["data"][key]
    assert (result["__typename"], result["code"], result["field"]) == ("ReturnError", "INVALID_INPUT", field)
    assert "not text" in result["message"]
    assert app.run(_rows(app.deps)) == before


@pytest.mark.parametrize(("doc", "variables", "key", "field"), [
    pytest.param(RETURN_REQUESTS, {"filter": {"search": f"ben{NUL}"}}, "returnRequests", "filter.search",
                 id="search-filter"),
    pytest.param(RETURN_REQUESTS, {"filter": {"channel": f"x{NUL}"}}, "returnRequests", "filter.channel",
                 id="channel-filter"),
    pytest.param(RETURN_REQUEST, {"id": f"x{NUL}"}, "returnRequest", "id", id="return-id"),
    pytest.param(GOODWILL_BUDGET, {"currency": f"USD{NUL}"}, "goodwillBudget", "currency", id="goodwill-currency"),
])
def test_fields_without_a_union_answer_a_top_level_invalid_input(app, doc, variables, key, field):
    body = raw(app, doc, variables, token=app.deps.settings.admin_token)
    assert body["data"] is None or body["data"][key] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field} and error["path"] == [key]


def test_tabs_and_line_breaks_are_text(app):
    result = app.gql(REQUEST_RETURN, with_comment("line one\r\n\tline two"))["requestReturn"]
    assert result["__typename"] == "ReturnRequested"
    assert result["returnRequest"]["lines"][0]["refund"]["amount"]


def test_strings_are_bounded_everywhere(app):
    rid = in_review(app)
    result = app.gql(APPROVE, {"id": rid, "note": "n" * 2001}, staff=True)["approveReturn"]
    assert (result["code"], result["field"]) == ("INVALID_INPUT", "note") and "2000" in result["message"]
    result = app.gql(ELIGIBILITY, {"orderId": "O" * 2001, "email": "a@b.c"})["orderReturnEligibility"]
    assert (result["code"], result["field"]) == ("INVALID_INPUT", "orderId")
