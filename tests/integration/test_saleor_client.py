"""The Saleor client over real HTTP: retries that are safe, none that are not, and Saleor's errors as our codes."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.saleor.client import SaleorClient
from saleor_returns.adapters.saleor.errors import (
    SaleorAuthError,
    SaleorMutationError,
    SaleorRequestError,
    SaleorUnavailable,
)
from saleor_returns.domain.codes import ReturnErrorCode
from support.fake_saleor import FakeSaleor, ReturnsApp
from support.server import ServerThread, free_port

NOTE = ("OrderNoteAdd", "orderNoteAdd")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "USD")
    try:
        yield saleor
    finally:
        saleor.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def client_for(fake: FakeSaleor, http: httpx.AsyncClient, permissions: list[str] | None = None) -> SaleorClient:
    return SaleorClient(fake.api_url, fake.add_app(permissions).token, http, retries=2, backoff=0.01)


def an_order(fake: FakeSaleor) -> dict:
    from datetime import UTC, datetime
    return fake.add_order(email="ben@example.com", user_id=None, lines=[{"name": "Cover", "qty": 1, "price": "19.00"}],
                          shipped_at=datetime.now(UTC) - timedelta(days=3))


async def test_a_query_is_retried_after_a_5xx_and_answers(fake, http):
    # given Saleor answers 502 once
    client = client_for(fake, http)
    fake.fail_next = [502]

    # when the app asks for the channels
    data = await client.execute("ChannelSlugs")

    # then the second try answered
    assert data == {"channels": [{"slug": "default-channel"}]} and fake.fail_next == []


async def test_a_mutation_that_may_have_run_is_not_sent_again(fake, http):
    # given an order, and Saleor answers 502 to the next two requests
    order, client = an_order(fake), client_for(fake, http)
    fake.fail_next = [502, 502]

    # when the app adds a note
    with pytest.raises(SaleorUnavailable) as failed:
        await client.mutate(NOTE[0], {"order": order["id"], "message": "hello"}, NOTE[1])

    # then it tried once (a second try could add the note twice) and says UPSTREAM_UNAVAILABLE
    assert fake.fail_next == [502] and failed.value.code is ReturnErrorCode.UPSTREAM_UNAVAILABLE
    fake.fail_next = []


async def test_a_mutation_refused_with_429_is_sent_again(fake, http):
    # given Saleor rate-limits the next request (it did not run it)
    order, client = an_order(fake), client_for(fake, http)
    fake.fail_next = [429]

    # when the app adds a note
    await client.mutate(NOTE[0], {"order": order["id"], "message": "hello"}, NOTE[1])

    # then the note is there once
    assert [e["message"] for e in order["events"]] == ["hello"]


async def test_a_saleor_that_does_not_answer_is_upstream_unavailable_within_the_timeout(http):
    # given a Saleor that takes 5 s to answer, and one that is not listening at all
    async def slow(_):
        await asyncio.sleep(5)
        return JSONResponse({})

    server = ServerThread(lambda: Starlette(routes=[Route("/graphql/", slow, methods=["POST"])])).start()
    try:
        async with httpx.AsyncClient(timeout=0.3) as short:
            slow_client = SaleorClient(f"{server.url}/graphql/", "t", short, retries=1, backoff=0.01)
            down_client = SaleorClient(f"http://127.0.0.1:{free_port()}/graphql/", "t", short, retries=1,
                                       backoff=0.01)
            started = time.monotonic()
            # when the app asks both
            with pytest.raises(SaleorUnavailable):
                await slow_client.execute("ChannelSlugs")
            with pytest.raises(SaleorUnavailable) as down:
                await down_client.execute("ChannelSlugs")
            # then both are UPSTREAM_UNAVAILABLE, in about the timeout per try, not the server's 5 s
            assert time.monotonic() - started < 3
            assert down.value.code is ReturnErrorCode.UPSTREAM_UNAVAILABLE
    finally:
        server.stop()


async def test_a_document_saleors_schema_does_not_allow_is_refused_and_not_retried(fake, http, tmp_path: Path):
    # given a document asking for a field Saleor does not have
    (tmp_path / "Broken.graphql").write_text("query Broken { shop { nonexistentField } }")
    client = SaleorClient(fake.api_url, fake.add_app().token, http, documents=tmp_path)
    calls = len(fake.calls)

    # when it is sent
    with pytest.raises(SaleorRequestError) as refused:
        await client.execute("Broken")

    # then the fake Saleor refused it as Saleor would (400, GraphQLError), and it was not executed
    assert refused.value.saleor_codes == ("GraphQLError",) and len(fake.calls) == calls


async def test_a_permission_saleor_did_not_grant_is_forbidden(fake, http):
    # given the app was installed without MANAGE_ORDERS
    order, client = an_order(fake), client_for(fake, http, permissions=["HANDLE_PAYMENTS"])

    # when it reads an order
    with pytest.raises(SaleorAuthError) as refused:
        await client.execute("ReturnsOrder", {"id": order["id"]})

    # then Saleor's PermissionDenied is our FORBIDDEN
    assert refused.value.code is ReturnErrorCode.FORBIDDEN and "PermissionDenied" in refused.value.saleor_codes


async def test_a_mutations_own_errors_are_mapped_to_our_codes(fake, http):
    # given an order paid 28.99
    order, client = an_order(fake), client_for(fake, http)
    transaction = order["transactions"][0]["id"]

    # when the app grants more than was charged
    with pytest.raises(SaleorMutationError) as refused:
        await client.mutate("GrantRefund", {"order": order["id"], "input": {
            "amount": "1000.00", "transactionId": transaction, "reason": "too much"}}, "orderGrantRefundCreate")

    # then Saleor's code is kept and ours says the refund failed
    assert refused.value.saleor_codes == ("AMOUNT_GREATER_THAN_AVAILABLE",)
    assert refused.value.code is ReturnErrorCode.REFUND_FAILED


def test_a_shopper_is_told_the_store_cannot_be_reached_when_saleor_is_down(settings, demo_store, clock):
    # given an installed store whose Saleor then fails every request
    fake = FakeSaleor().start()
    fake.add_channel("default-channel", "USD")
    app = ReturnsApp(replace(settings, refund_gateway="saleor"), DemoOrderSource(demo_store), clock)
    try:
        fake.install(f"{app.url}/api/manifest")
        order = fake.add_order(email="ben@example.com", user_id="VXNlcjox", shipped_at=clock.now() - timedelta(days=2),
                               lines=[{"name": "Cover", "qty": 1, "price": "19.00"}])
        fake.fail_next = [503] * 10

        # when the shopper asks what can go back
        body = app.gql("query($id: ID!) { orderReturnEligibility(orderId: $id) { __typename "
                       "... on ReturnError { code } } }", {"id": order["id"]},
                       token=fake.customer_token("ben@example.com", "VXNlcjox"))

        # then the answer says so with a code, not an error page
        assert body["data"]["orderReturnEligibility"] == {"__typename": "ReturnError", "code": "UPSTREAM_UNAVAILABLE"}
    finally:
        app.close()
        fake.stop()
