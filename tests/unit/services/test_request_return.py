"""requestReturn on in-memory ports: the stories of PRODUCT.md, decided and carried out at once."""
from __future__ import annotations

from decimal import Decimal

import pytest

from saleor_returns.domain.codes import EligibilityCode, ReturnError, ReturnErrorCode
from saleor_returns.domain.events import EventType
from saleor_returns.domain.labels import LabelStatus
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.services.request_return import NotEligible


async def test_a_cheap_cover_is_refunded_at_once_and_kept(shop):
    # when Ben returns the laptop cover (under the keep-item threshold)
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))

    # then it is refunded in the same request, once, and the shopper keeps it: no label
    assert (ret.status, ret.resolution) == (ReturnStatus.REFUNDED, Resolution.KEEP_ITEM)
    assert [(r.status, r.amount.amount) for r in ret.refunds] == [(RefundStatus.SUCCEEDED, Decimal("19.99"))]
    assert [c.amount.amount for c in shop.gateway.refunds] == [Decimal("19.99")]
    assert ret.labels == [] and ret.number.startswith("R-")
    # and the store's books were told once, after the money went back
    assert [r.status for r in shop.recorder.records] == ["REFUNDED"]
    assert ret.record_due_at is None


async def test_the_late_laptop_goes_back_in_grace_with_a_label_bought_once(shop):
    # when Ada returns the laptop one day after the window (inside grace)
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))

    # then it is approved in grace, a label is bought with the approval, and no refund moves yet
    assert (ret.status, ret.resolution) == (ReturnStatus.LABEL_ISSUED, Resolution.SHIP_BACK)
    assert EligibilityCode.IN_GRACE in ret.decision.flags
    assert [lb.status for lb in ret.labels] == [LabelStatus.ISSUED] and shop.carrier.purchases == 1
    assert ret.refunds == [] and shop.gateway.calls == 0
    assert ret.deadline is not None and ret.active_label is not None


async def test_past_grace_is_refused_with_the_deadline_unless_the_shopper_asks(shop):
    refused = await shop.ask("ORD-1005", ("L-1005-1", 1, "CHANGED_MIND"))
    assert isinstance(refused, NotEligible)
    assert EligibilityCode.WINDOW_EXPIRED in refused.lines[0].codes

    asked = await shop.ask("ORD-1005", ("L-1005-1", 1, "CHANGED_MIND"), exception=True)
    assert asked.status is ReturnStatus.PENDING_REVIEW and asked.out_of_policy
    assert [c.value for c in asked.decision.review_codes] == ["EXCEPTION_REQUESTED"]
    assert [e.type for e in asked.events] == [EventType.REQUESTED, EventType.PENDING_REVIEW]


async def test_a_high_value_camera_waits_for_a_person(shop):
    ret = await shop.ask("ORD-1004", ("L-1004-1", 1, "NOT_AS_DESCRIBED"))
    assert ret.status is ReturnStatus.PENDING_REVIEW
    assert shop.gateway.calls == 0 and shop.carrier.purchases == 0


async def test_someone_elses_order_looks_like_no_order_at_all(shop):
    from saleor_returns.domain.actors import Actor
    from saleor_returns.domain.decision import RequestedLine
    from saleor_returns.services.request_return import ReturnInput, request_return

    with pytest.raises(ReturnError) as err:
        await request_return(shop.deps, Actor.guest("mallory@example.com"),
                             ReturnInput("ORD-1002", (RequestedLine("L-1002-1", 1, "DOES_NOT_FIT"),)))
    assert err.value.code is ReturnErrorCode.ORDER_NOT_FOUND
    assert shop.db.returns == {}


async def test_the_store_down_refuses_with_a_code_and_saves_nothing(shop):
    shop.orders.down = True
    with pytest.raises(ReturnError) as err:
        await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    assert err.value.code is ReturnErrorCode.UPSTREAM_UNAVAILABLE
    assert shop.db.returns == {} and shop.db.commits == 1  # only the seeded policies were ever written
