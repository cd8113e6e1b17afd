"""What store staff do with returns, over the GraphQL API: approve (and convert to keep-the-item) from a
goodwill budget, retry refunds, follow the queue page by page; and a shopper's cancel giving units back."""
from __future__ import annotations

from decimal import Decimal

import pytest

from documents import (
    APPROVE,
    CANCEL,
    ELIGIBILITY,
    REQUEST_RETURN,
    RETRY,
    RETURN_REQUEST,
    RETURN_REQUESTS,
    UPDATE_POLICY,
    line,
    request,
)
from saleor_returns.domain.refunds import refund_key

# --- helpers ---------------------------------------------------------------------------------------

def ask(app, order_id: str, email: str, *lines: dict, exception: bool = False) -> dict:
    result = app.gql(REQUEST_RETURN, request(order_id, email, *lines, exception=exception))["requestReturn"]
    assert result["__typename"] == "ReturnRequested", result
    return result["returnRequest"]


def espresso_exception(app) -> dict:
    """ORD-1005 is past grace; the shopper asks for an exception: PENDING_REVIEW, out of policy, 449.00."""
    ret = ask(app, "ORD-1005", "eve@example.com", line("L-1005-1"), exception=True)
    assert ret["status"] == "PENDING_REVIEW" and ret["decision"]["reviewReasons"] == ["EXCEPTION_REQUESTED"]
    return ret


def camera_in_review(app) -> dict:
    """ORD-1004: 3,499.00 is above review_above (2,000.00 USD): PENDING_REVIEW, shipping back."""
    ret = ask(app, "ORD-1004", "dee@example.com", line("L-1004-1"))
    assert ret["status"] == "PENDING_REVIEW" and ret["resolution"] == "SHIP_BACK"
    assert ret["decision"]["reviewReasons"] == ["ABOVE_REVIEW_THRESHOLD"]
    return ret


def staff_view(app, rid: str) -> dict:
    return app.gql(RETURN_REQUEST, {"id": rid}, staff=True)["returnRequest"]


def owner(app) -> str:
    return app.deps.settings.owner_token


def types(ret: dict) -> list[str]:
    return [e["type"] for e in ret["events"]]


def paid(app, order_id: str) -> list[tuple[Decimal, str]]:
    """Refunds the gateway actually paid for an order: (amount, payment reference)."""
    return [(c.amount.amount, c.psp_reference) for c in app.deps.refunds.default.refunds if c.order_id == order_id]


def eligibility_of(app, order_id: str, email: str, line_id: str) -> dict:
    data = app.gql(ELIGIBILITY, {"orderId": order_id, "email": email})["orderReturnEligibility"]
    return next(x for x in data["lines"] if x["orderLineId"] == line_id)


# --- approving, and converting to keep-the-item ----------------------------------------------------

def test_approving_a_return_in_review_as_keep_item_refunds_at_once_without_a_label(app):
    # given the espresso machine's exception waits in the review queue, shipping back
    ret = espresso_exception(app)
    assert ret["resolution"] == "SHIP_BACK" and ret["refunds"] == [] and ret["label"] is None

    # when staff approve it as keep-the-item
    approved = app.gql(APPROVE, {"id": ret["id"], "resolution": "KEEP_ITEM", "note": "not worth the freight"},
                       staff=True)["approveReturn"]

    # then it is refunded at once, no label is drawn, and the goodwill spent is on record (once)
    done = approved["returnRequest"]
    assert approved["__typename"] == "ReturnUpdated"
    assert done["status"] == "REFUNDED" and done["resolution"] == "KEEP_ITEM" and done["label"] is None
    assert done["decision"]["resolution"] == "KEEP_ITEM"
    assert [(r["status"], r["amount"]) for r in done["refunds"]] == [("SUCCEEDED", {"amount": "449.00",
                                                                                    "currency": "USD"})]
    assert types(done).count("GOODWILL_SPENT") == 1 and "LABEL_ISSUED" not in types(done)
    assert types(done)[-1] == "REFUNDED"
    approval = next(e for e in done["events"] if e["type"] == "APPROVED")
    assert approval["actor"] == "staff:admin" and "KEEP_ITEM" in approval["note"]
    assert "not worth the freight" in approval["note"]
    assert paid(app, "ORD-1005") == [(Decimal("449.00"), "pi_demo_1005")]


def test_approving_an_in_policy_review_as_it_is_spends_no_goodwill(app):
    # given the camera is in review only because of its price (not out of policy)
    ret = camera_in_review(app)

    # when staff approve it as it is
    done = app.gql(APPROVE, {"id": ret["id"]}, staff=True)["approveReturn"]["returnRequest"]

    # then it ships back with a label, without touching the goodwill budget, and no money moves yet
    assert done["status"] == "LABEL_ISSUED" and done["resolution"] == "SHIP_BACK" and done["label"]
    assert "GOODWILL_SPENT" not in types(done) and done["refunds"] == []
    assert paid(app, "ORD-1004") == []


def test_goodwill_beyond_the_daily_budget_needs_the_owner(app):
    # given the admin approved the espresso machine's exception (449.00 of the 2,000.00 daily budget)
    espresso = espresso_exception(app)
    spent = app.gql(APPROVE, {"id": espresso["id"]}, staff=True)["approveReturn"]["returnRequest"]
    assert spent["status"] == "LABEL_ISSUED" and "GOODWILL_SPENT" in types(spent)
    camera = camera_in_review(app)
    before = staff_view(app, camera["id"])
    calls = app.deps.refunds.default.calls

    # when the admin converts the camera (3,499.00) to keep-the-item
    refused = app.gql(APPROVE, {"id": camera["id"], "resolution": "KEEP_ITEM"}, staff=True)["approveReturn"]

    # then it is refused with a clear code, and nothing changed: still in review, shipping back, no refund
    assert refused["__typename"] == "ReturnError" and refused["code"] == "GOODWILL_BUDGET_EXCEEDED"
    assert "owner" in refused["message"]
    assert staff_view(app, camera["id"]) == before
    assert before["status"] == "PENDING_REVIEW" and before["resolution"] == "SHIP_BACK" and before["refunds"] == []
    assert app.deps.refunds.default.calls == calls and paid(app, "ORD-1004") == []

    # when the owner makes the same approval, then it goes through: refunded at once, kept, no label
    approved = app.gql(APPROVE, {"id": camera["id"], "resolution": "KEEP_ITEM"}, token=owner(app))["approveReturn"]
    done = approved["returnRequest"]
    assert done["status"] == "REFUNDED" and done["resolution"] == "KEEP_ITEM" and done["label"] is None
    assert [e["actor"] for e in done["events"] if e["type"] == "GOODWILL_SPENT"] == ["staff:owner"]
    assert paid(app, "ORD-1004") == [(Decimal("3499.00"), "pi_demo_1004")]


def test_the_goodwill_budget_resets_the_next_store_day(app, clock):
    # given a policy with a 50 % restocking fee (not for damaged items) and review above 1,500.00, so the
    # camera (1,749.50 after the fee) is in review and fits a fresh 2,000.00 budget on its own
    policy = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
              "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}],
              "reviewAbove": [{"amount": "1500.00", "currency": "USD"}], "restockingFeePercent": "50"}
    saved = app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": policy}, staff=True)["updateReturnPolicy"]
    assert saved["__typename"] == "ReturnPolicy"
    camera = camera_in_review(app)
    assert camera["refundTotal"] == {"amount": "1749.50", "currency": "USD"}
    # and today (noon in New York) the admin already spent 449.00 on the damaged espresso machine
    espresso = ask(app, "ORD-1005", "eve@example.com", line("L-1005-1", reason="DAMAGED"), exception=True)
    assert espresso["refundTotal"]["amount"] == "449.00"
    app.gql(APPROVE, {"id": espresso["id"]}, staff=True)
    convert = {"id": camera["id"], "resolution": "KEEP_ITEM"}

    # then converting the camera today is beyond what is left (1,551.00)
    assert app.gql(APPROVE, convert, staff=True)["approveReturn"]["code"] == "GOODWILL_BUDGET_EXCEEDED"

    # and still at 20:00 in New York, although it is already tomorrow in UTC: the store's day counts
    clock.advance(hours=8)
    assert app.gql(APPROVE, convert, staff=True)["approveReturn"]["code"] == "GOODWILL_BUDGET_EXCEEDED"

    # when the next store day begins, then the same approval goes through from a fresh budget
    clock.advance(hours=16)
    done = app.gql(APPROVE, convert, staff=True)["approveReturn"]["returnRequest"]
    assert done["status"] == "REFUNDED" and done["resolution"] == "KEEP_ITEM"
    assert [e["actor"] for e in done["events"] if e["type"] == "GOODWILL_SPENT"] == ["staff:admin"]
    assert paid(app, "ORD-1004") == [(Decimal("1749.50"), "pi_demo_1004")]


# --- refunds that fail or wait ---------------------------------------------------------------------

def test_retry_after_a_declined_refund_pays_exactly_once(app, gateway, clock):
    # given the card issuer declines refunds to the cheap cover's payment
    gateway.decline.add("pi_demo_1002")

    # when the cover is returned (keep-the-item, refunded at once)
    ret = ask(app, "ORD-1002", "ben@example.com", line("L-1002-1"))

    # then the refund failed for good and staff see why
    assert ret["status"] == "REFUND_FAILED" and ret["resolution"] == "KEEP_ITEM"
    assert [r["status"] for r in ret["refunds"]] == ["FAILED"]
    failed = next(e for e in ret["events"] if e["type"] == "REFUND_FAILED")
    assert "declined" in failed["note"]
    assert paid(app, "ORD-1002") == []

    # when the issuer accepts again and staff retry (a while later: the refunds are listed in the order they began)
    gateway.decline.clear()
    clock.advance(seconds=60)
    retried = app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]

    # then the return is refunded, and the gateway holds exactly one successful refund for the order
    done = retried["returnRequest"]
    assert retried["__typename"] == "ReturnUpdated" and done["status"] == "REFUNDED"
    assert [r["status"] for r in done["refunds"]] == ["FAILED", "SUCCEEDED"]
    assert "REFUND_RETRIED" in types(done) and types(done)[-1] == "REFUNDED"
    assert paid(app, "ORD-1002") == [(Decimal("19.99"), "pi_demo_1002")]

    # and a second retry finds nothing to do
    again = app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]
    assert (again["__typename"], again["code"]) == ("ReturnError", "INVALID_TRANSITION")
    assert paid(app, "ORD-1002") == [(Decimal("19.99"), "pi_demo_1002")]


def test_retry_while_the_gateway_is_down_waits_and_later_pays_with_the_same_key(app, gateway, monkeypatch):
    keys: list[str] = []
    real_refund = gateway.refund

    async def recording_refund(command):
        keys.append(command.idempotency_key)
        return await real_refund(command)

    monkeypatch.setattr(gateway, "refund", recording_refund)
    earlier = dict(gateway.performed)  # the seeded socks' refund

    # given the payment provider cannot be reached when the cover is returned
    gateway.unavailable = True
    ret = ask(app, "ORD-1002", "ben@example.com", line("L-1002-1"))
    assert ret["status"] == "APPROVED" and ret["resolution"] == "KEEP_ITEM"
    [refund] = ret["refunds"]
    assert refund["status"] == "PENDING" and types(ret)[-1] == "REFUND_DELAYED"

    # when staff retry while it is still down
    waiting = app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]["returnRequest"]

    # then the refund stays PENDING (the same one, no second intent) with another REFUND_DELAYED
    assert [(r["id"], r["status"]) for r in waiting["refunds"]] == [(refund["id"], "PENDING")]
    assert waiting["status"] == "APPROVED" and types(waiting).count("REFUND_DELAYED") == 2
    assert gateway.performed == earlier

    # when the provider is back and staff retry again
    gateway.unavailable = False
    done = app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]["returnRequest"]

    # then it is paid, once, and every attempt carried the same idempotency key
    assert done["status"] == "REFUNDED"
    assert [(r["id"], r["status"]) for r in done["refunds"]] == [(refund["id"], "SUCCEEDED")]
    assert keys == [refund_key(refund["id"])] * 3
    assert [k for k in gateway.performed if k not in earlier] == [refund_key(refund["id"])]
    assert paid(app, "ORD-1002") == [(Decimal("19.99"), "pi_demo_1002")]


def test_a_retry_whose_new_refund_is_still_on_its_way_answers_the_waiting_status_not_refund_failed(app, gateway,
                                                                                                    clock):
    # given the cover's keep-item refund was declined: the return is REFUND_FAILED
    gateway.decline.add("pi_demo_1002")
    ret = ask(app, "ORD-1002", "ben@example.com", line("L-1002-1"))
    assert ret["status"] == "REFUND_FAILED"

    # when staff retry while the provider cannot answer yet (the new refund stays PENDING)
    gateway.decline.clear()
    gateway.unavailable = True
    clock.advance(seconds=60)  # a while later: the refunds are listed in the order they began
    waiting = app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]["returnRequest"]

    # then the answer says the money is on its way again: APPROVED with the new refund PENDING, not REFUND_FAILED
    assert [r["status"] for r in waiting["refunds"]] == ["FAILED", "PENDING"]
    assert waiting["status"] == "APPROVED"
    assert types(waiting)[-3:] == ["REFUND_RETRIED", "REFUND_REQUESTED", "REFUND_DELAYED"]

    # when the provider is back and the refund goes through, the return is REFUNDED
    gateway.unavailable = False
    done = app.gql(RETRY, {"id": ret["id"]}, staff=True)["retryRefund"]["returnRequest"]
    assert done["status"] == "REFUNDED" and [r["status"] for r in done["refunds"]] == ["FAILED", "SUCCEEDED"]
    assert paid(app, "ORD-1002") == [(Decimal("19.99"), "pi_demo_1002")]


# --- cancelling ------------------------------------------------------------------------------------

def test_a_shopper_cancelling_a_return_with_a_label_gets_the_units_back(app):
    # given the laptop's return has a label and holds the only unit
    assert eligibility_of(app, "ORD-1001", "ada@example.com", "L-1001-1")["quantityReturnable"] == 1
    ret = ask(app, "ORD-1001", "ada@example.com", line("L-1001-1"))
    assert ret["status"] == "LABEL_ISSUED" and ret["label"]
    held = eligibility_of(app, "ORD-1001", "ada@example.com", "L-1001-1")
    assert held["quantityReturnable"] == 0 and "ALREADY_RETURNED" in held["codes"]

    # when the shopper cancels it
    cancelled = app.gql(CANCEL, {"id": ret["id"], "email": "ada@example.com"})["cancelReturn"]

    # then it is CANCELLED, the label is void, and the unit can be returned again
    assert cancelled["__typename"] == "ReturnCancelled" and cancelled["returnRequest"]["status"] == "CANCELLED"
    seen = app.gql(RETURN_REQUEST, {"id": ret["id"], "email": "ada@example.com"})["returnRequest"]
    assert seen["label"] is None and types(seen)[-1] == "CANCELLED"
    assert seen["events"][-1]["actor"] == "shopper:ada@example.com"
    back = eligibility_of(app, "ORD-1001", "ada@example.com", "L-1001-1")
    assert back["quantityReturnable"] == 1 and back["eligible"] is True
    again = ask(app, "ORD-1001", "ada@example.com", line("L-1001-1"))
    assert again["status"] == "LABEL_ISSUED" and again["id"] != ret["id"]


def test_staff_can_cancel_a_return_in_review(app):
    camera = camera_in_review(app)
    cancelled = app.gql(CANCEL, {"id": camera["id"]}, staff=True)["cancelReturn"]
    assert cancelled["returnRequest"]["status"] == "CANCELLED"
    assert staff_view(app, camera["id"])["events"][-1]["actor"] == "staff:admin"
    assert eligibility_of(app, "ORD-1004", "dee@example.com", "L-1004-1")["quantityReturnable"] == 1


# --- the staff list --------------------------------------------------------------------------------

def make_returns(app, clock) -> list[dict]:
    """Several returns across both channels, a minute apart; with the seeded socks, oldest first."""
    seeded = app.gql(RETURN_REQUESTS, {"filter": {"orderId": "ORD-1006"}}, staff=True)["returnRequests"]["edges"]
    made = [seeded[0]["node"]]
    for order_id, email, line_id in [("ORD-1002", "ben@example.com", "L-1002-1"),
                                     ("ORD-2001", "hana@example.jp", "L-2001-1"),
                                     ("ORD-1004", "dee@example.com", "L-1004-1"),
                                     ("ORD-1001", "ada@example.com", "L-1001-1"),
                                     ("ORD-1003", "cy@example.com", "L-1003-2"),
                                     ("ORD-2001", "hana@example.jp", "L-2001-2"),
                                     ("ORD-1002", "ben@example.com", "L-1002-2")]:
        clock.advance(minutes=1)
        made.append(ask(app, order_id, email, line(line_id)))
    return made


def walk(app, page_size: int, flt: dict | None = None, between_pages=None) -> tuple[list[str], int]:
    """Every id of the list, page by page; and how many pages it took."""
    ids: list[str] = []
    after, pages = None, 0
    while True:
        page = app.gql(RETURN_REQUESTS, {"first": page_size, "after": after, "filter": flt}, staff=True)
        page = page["returnRequests"]
        pages += 1
        assert len(page["edges"]) <= page_size
        ids += [e["node"]["id"] for e in page["edges"]]
        if page["edges"]:
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return ids, pages
        assert pages < 50, "the list does not end"
        after = page["pageInfo"]["endCursor"]
        if between_pages:
            between_pages()
            between_pages = None


def test_staff_page_through_all_returns_newest_first_without_duplicates(app, clock):
    made = make_returns(app, clock)
    newest_first = [r["id"] for r in reversed(made)]
    assert len(made) == 8

    # when staff page through with first=2
    ids, pages = walk(app, 2)

    # then every return comes exactly once, newest first, in 4 pages
    assert ids == newest_first and len(set(ids)) == len(ids) and pages == 4
    # and a page size that does not divide the list ends with a short page
    assert walk(app, 3) == (newest_first, 3)
    assert walk(app, 100) == (newest_first, 1)


def test_a_return_made_while_paging_neither_repeats_nor_shifts_the_list(app, clock):
    made = make_returns(app, clock)
    ids, _ = walk(app, 3, between_pages=lambda: ask(app, "ORD-1006", "fay@example.com", line("L-1006-2")))
    # the new return is newer than the first page: it shows up on the next walk, not in this one
    assert ids == [r["id"] for r in reversed(made)]
    assert len(walk(app, 3)[0]) == len(made) + 1


@pytest.mark.parametrize(("flt", "expected"), [
    pytest.param({"channel": "japan"}, [("ORD-2001", "LABEL_ISSUED"), ("ORD-2001", "REFUNDED")], id="channel"),
    pytest.param({"status": "PENDING_REVIEW"}, [("ORD-1004", "PENDING_REVIEW")], id="status"),
    pytest.param({"status": "REFUNDED"}, [("ORD-1002", "REFUNDED"), ("ORD-1003", "REFUNDED"),
                                          ("ORD-2001", "REFUNDED"), ("ORD-1002", "REFUNDED"),
                                          ("ORD-1006", "REFUNDED")], id="status-refunded"),
    pytest.param({"channel": "default-channel", "status": "LABEL_ISSUED"}, [("ORD-1001", "LABEL_ISSUED")],
                 id="channel-and-status"),
    pytest.param({"channel": "japan", "status": "PENDING_REVIEW"}, [], id="nothing-matches"),
    pytest.param({"channel": "no-such-channel"}, [], id="unknown-channel"),
])
def test_staff_filter_the_list_by_channel_and_status(app, clock, flt: dict, expected: list[tuple[str, str]]):
    make_returns(app, clock)

    # when staff filter the list, one return per page
    ids, _ = walk(app, 1, flt)
    listed = app.gql(RETURN_REQUESTS, {"filter": flt, "first": 100}, staff=True)["returnRequests"]

    # then only matching returns come, newest first, the same whether paged or not
    nodes = [e["node"] for e in listed["edges"]]
    assert [(n["orderId"], n["status"]) for n in nodes] == expected
    assert ids == [n["id"] for n in nodes]
    for key, value in flt.items():
        assert all(n[key] == value for n in nodes)
