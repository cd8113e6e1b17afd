"""Refunds through Saleor's granted refunds: exactly one grant per refund, however often it is attempted."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from saleor_returns.adapters.refunds.saleor_gateway import GrantLine, GrantPlan, SaleorRefundGateway
from saleor_returns.adapters.saleor.client import SaleorClient
from saleor_returns.domain.money import Money
from saleor_returns.domain.refunds import RefundCommand, RefundStatus, refund_key
from support.fake_saleor import FakeSaleor

MUTATIONS = ("GrantRefund", "RequestGrantedRefund")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "USD")
    try:
        yield saleor
    finally:
        saleor.stop()


@pytest.fixture
async def client(fake) -> AsyncIterator[SaleorClient]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield SaleorClient(fake.api_url, fake.add_app().token, http, backoff=0.01)


def lookup(fake: FakeSaleor, client: SaleorClient):
    async def clients(tenant: str) -> SaleorClient | None:
        return client if tenant == fake.api_url else None
    return clients


def a_refund(fake: FakeSaleor, amount: str = "19.00", tenant: str | None = None) -> tuple[dict, RefundCommand]:
    order = fake.add_order(email="ben@example.com", user_id=None, shipped_at=datetime.now(UTC) - timedelta(days=3),
                           lines=[{"name": "Cover", "qty": 2, "price": "19.00"}])
    refund_id = str(uuid.uuid4())
    return order, RefundCommand(refund_id=refund_id, idempotency_key=refund_key(refund_id),
                                amount=Money(Decimal(amount), "USD"), psp_reference="pi_fake_1",
                                payment_gateway="saleor", order_id=order["id"], return_number="R-10042",
                                tenant=tenant or fake.api_url)


def mutations(fake: FakeSaleor) -> int:
    return sum(1 for c in fake.calls if c in MUTATIONS)


async def test_a_refund_is_granted_once_even_when_the_first_attempt_breaks_off_after_the_grant(fake, client):
    # given the network fails right after Saleor granted the refund
    order, command = a_refund(fake)
    gateway = SaleorRefundGateway(lookup(fake, client))
    fake.fail_operations["RequestGrantedRefund"] = 502

    # when the refund is attempted, and attempted again with the same command (the worker)
    first = await gateway.refund(command)
    second = await gateway.refund(command)

    # then the first says "try again", the second carried on from the grant: one grant, requested once
    assert (first.status, first.retryable) == (RefundStatus.PENDING, True)
    [grant] = order["grantedRefunds"]
    assert (second.status, second.psp_reference, second.retryable) == (RefundStatus.PENDING, grant["id"], False)
    assert grant["amount"]["amount"] == Decimal("19.00") and command.idempotency_key in grant["reason"]
    assert fake.refund_requests.count(grant["id"]) == 1


async def test_later_attempts_only_look_at_the_grant_until_the_payment_app_answers(fake, client):
    # given a refund granted and requested
    order, command = a_refund(fake)
    gateway = SaleorRefundGateway(lookup(fake, client))
    assert (await gateway.refund(command)).status is RefundStatus.PENDING
    written = mutations(fake)

    # when the worker looks again before and after the payment app refunded it
    waiting = await gateway.refund(command)
    fake.settle_refunds("SUCCESS")
    fake.outbox.clear()
    done = await gateway.refund(command)

    # then nothing more was written in Saleor, and the second look says it succeeded
    assert (waiting.status, done.status) == (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
    assert mutations(fake) == written and len(order["grantedRefunds"]) == 1


async def test_a_refund_the_payment_app_could_not_make_fails_for_staff(fake, client):
    order, command = a_refund(fake)
    gateway = SaleorRefundGateway(lookup(fake, client))
    await gateway.refund(command)
    fake.settle_refunds("FAILURE")
    fake.outbox.clear()

    outcome = await gateway.refund(command)

    assert (outcome.status, outcome.failure_code) == (RefundStatus.FAILED, "payment_app_failed")


async def test_a_grant_books_the_returned_lines_or_falls_back_to_the_amount(fake, client):
    # given one cover of the order was granted before (by staff), and the return asks for two
    order, command = a_refund(fake, "38.00")
    line = order["lines"][0]["id"]
    await client.mutate("GrantRefund", {"order": order["id"], "input": {
        "transactionId": order["transactions"][0]["id"], "lines": [{"id": line, "quantity": 1}]}},
        "orderGrantRefundCreate")

    async def plans(refund_id: str) -> GrantPlan:
        return GrantPlan((GrantLine(line, 2, "DOES_NOT_FIT"),))

    # when the refund is granted
    outcome = await SaleorRefundGateway(lookup(fake, client), plans).refund(command)

    # then Saleor refused the lines (only one left), so the amount alone was granted
    ours = order["grantedRefunds"][-1]
    assert outcome.status is RefundStatus.PENDING and ours["lines"] == []
    assert ours["amount"]["amount"] == Decimal("38.00")


async def test_a_tenant_that_is_not_an_installed_saleor_gets_a_failed_refund(fake, client):
    _, command = a_refund(fake, tenant="demo")
    outcome = await SaleorRefundGateway(lookup(fake, client)).refund(command)
    assert (outcome.status, outcome.failure_code) == (RefundStatus.FAILED, "not_installed")
