"""Which e-mails a return's events owe (domain/notifications.py): table-driven over the lifecycle, and the rule
that one event never makes two messages."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_returns.domain.actors import SYSTEM, Actor
from saleor_returns.domain.decision_record import DecisionRecord, ReviewCode
from saleor_returns.domain.events import EventType
from saleor_returns.domain.labels import Label, LabelStatus
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.money import Money
from saleor_returns.domain.notifications import messages_owed
from saleor_returns.domain.outbox import NotificationKind as K
from saleor_returns.domain.refunds import Refund, RefundStatus
from saleor_returns.domain.returns import Return

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
STAFF = ("ops@shop.example", "lead@shop.example")


def a_return(resolution: Resolution = Resolution.SHIP_BACK, total: str = "50.00") -> Return:
    return Return(id="r-1", tenant="demo", order_id="o-1", order_number="1001", channel="c", timezone="UTC",
                  customer_email="ada@example.com", customer_id=None, status=ReturnStatus.REQUESTED,
                  resolution=resolution, refund_total=Money(Decimal(total), "USD"),
                  shipping_deduction=Money.zero("USD"), shipping_refund=Money.zero("USD"), policy_version=1,
                  decision=DecisionRecord(review_codes=(ReviewCode.EXCEPTION_REQUESTED,)), created_at=NOW,
                  updated_at=NOW, number="R-10001", deadline=NOW + timedelta(days=3), language_code="de",
                  customer_name="Ada")


def owed(ret: Return, first_new: int = 0) -> list[tuple[K, str]]:
    ids = (f"n{i}" for i in itertools.count())
    return [(n.kind, n.to) for n in messages_owed(ret, first_new, STAFF, lambda: next(ids))]


def log(ret: Return, *types: EventType, actor: Actor = SYSTEM) -> None:
    for t in types:
        ret.log(NOW, actor, t)


@pytest.mark.parametrize("events, expected", [
    ((EventType.REQUESTED, EventType.APPROVED), [K.REQUEST_RECEIVED]),
    ((EventType.REQUESTED, EventType.PENDING_REVIEW), [K.UNDER_REVIEW, K.STAFF_REVIEW_NEEDED, K.STAFF_REVIEW_NEEDED]),
    ((EventType.REQUESTED, EventType.PENDING_REVIEW, EventType.APPROVED),
     [K.UNDER_REVIEW, K.STAFF_REVIEW_NEEDED, K.STAFF_REVIEW_NEEDED, K.APPROVED]),
    ((EventType.REQUESTED, EventType.PENDING_REVIEW, EventType.REJECTED),
     [K.UNDER_REVIEW, K.STAFF_REVIEW_NEEDED, K.STAFF_REVIEW_NEEDED, K.REJECTED]),
    ((EventType.RECEIVED,), [K.PARCEL_RECEIVED]),
    ((EventType.CANCELLED, EventType.IN_TRANSIT, EventType.REFUND_REQUESTED, EventType.LABEL_FAILED), []),
])
def test_each_step_owes_its_messages(events, expected):
    ret = a_return()
    log(ret, *events)
    assert [k for k, _ in owed(ret)] == expected


def test_staff_messages_go_to_every_staff_address_and_the_rest_to_the_shopper():
    ret = a_return()
    log(ret, EventType.REQUESTED, EventType.PENDING_REVIEW)
    assert owed(ret) == [(K.UNDER_REVIEW, "ada@example.com"), (K.STAFF_REVIEW_NEEDED, STAFF[0]),
                         (K.STAFF_REVIEW_NEEDED, STAFF[1])]
    messages = messages_owed(ret, 0, STAFF, lambda: "x")
    assert [(m.language, m.to_name) for m in messages] == [("de", "Ada"), (None, None), (None, None)]


def test_only_new_events_owe_and_keys_name_the_event():
    ret = a_return()
    log(ret, EventType.REQUESTED, EventType.PENDING_REVIEW)
    first = messages_owed(ret, 0, STAFF, lambda: "x")
    log(ret, EventType.APPROVED)
    later = messages_owed(ret, 2, STAFF, lambda: "x")
    assert [m.kind for m in later] == [K.APPROVED]
    keys = [m.dedupe_key for m in first + later]
    assert len(set(keys)) == len(keys)
    assert later[0].dedupe_key == "r-1:APPROVED:2"
    # the same events asked again give the same keys: the outbox refuses the second copy
    assert [m.dedupe_key for m in messages_owed(ret, 0, STAFF, lambda: "y")] == keys


def test_the_refund_message_comes_once_when_the_whole_refund_has_gone_back():
    ret = a_return(Resolution.KEEP_ITEM)
    for i, amount in enumerate(("30.00", "20.00")):
        ret.refunds.append(Refund(id=f"f{i}", payment_id=f"p{i}", payment_reference="pi", gateway="sim",
                                  amount=Money(Decimal(amount), "USD"), created_at=NOW,
                                  status=RefundStatus.SUCCEEDED))
    log(ret, EventType.REFUND_SUCCEEDED, EventType.REFUND_SUCCEEDED, EventType.REFUNDED)
    assert owed(ret) == [(K.KEEP_ITEM_REFUNDED, "ada@example.com")]
    # a shipped-back return's money is a REFUND_SENT
    shipped = a_return(Resolution.SHIP_BACK, "30.00")
    shipped.refunds.append(ret.refunds[0])
    log(shipped, EventType.REFUND_SUCCEEDED)
    assert owed(shipped) == [(K.REFUND_SENT, "ada@example.com")]
    # part of the money is not the message
    partly = a_return(Resolution.SHIP_BACK, "80.00")
    partly.refunds.append(ret.refunds[0])
    log(partly, EventType.REFUND_SUCCEEDED)
    assert owed(partly) == []


def test_label_messages_need_a_printable_label_and_remind_once_per_label():
    ret = a_return()
    log(ret, EventType.LABEL_ISSUED)
    assert owed(ret) == []  # the label was voided meanwhile (a cancellation): nothing to print
    label = Label(id="lb-1", carrier="local", created_at=NOW, status=LabelStatus.ISSUED, tracking_number="T1",
                  expires_at=NOW + timedelta(days=30))
    ret.labels.append(label)
    ret.status = ReturnStatus.LABEL_ISSUED
    first = messages_owed(ret, 0, STAFF, lambda: "x")
    assert [(m.kind, m.facts["label_id"]) for m in first] == [(K.LABEL_READY, "lb-1")]
    assert first[0].facts["ship_by"] == ret.deadline.isoformat()
    assert ret.remind_label_expiry("lb-1", NOW + timedelta(days=28))
    assert not ret.remind_label_expiry("lb-1", NOW + timedelta(days=28, hours=1))  # once per label
    reminder = messages_owed(ret, 1, STAFF, lambda: "x")
    assert [(m.kind, m.dedupe_key) for m in reminder] == [(K.LABEL_EXPIRING, "r-1:LABEL_EXPIRING:lb-1")]
