"""ports.StoreRecorder: the in-memory recorder and SaleorWriteback (against the fake Saleor on loopback) write
a return into the store's books alike: the first record does every step, a repeat does nothing new, a
change rewrites the summary only, other tenants are left alone, and a store that cannot be reached or
refuses raises UpstreamUnavailable or StoreRecordError."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx
import pytest

from saleor_returns.adapters.memory.providers import MemoryRecorder
from saleor_returns.adapters.saleor.client import SaleorClient
from saleor_returns.adapters.saleor.tenants import Installation
from saleor_returns.adapters.saleor.writeback import SaleorWriteback
from saleor_returns.domain.money import Money
from saleor_returns.ports import RecordedLine, ReturnRecord, StoreRecorder, StoreRecordError, UpstreamUnavailable
from support.fake_saleor import FakeApp, FakeSaleor

SHIPPED = datetime(2026, 11, 19, 15, 30, tzinfo=UTC)
EVERY_STEP = ["returned products", "note", "summary"]


@dataclass
class Scene:
    recorder: StoreRecorder
    record: ReturnRecord  # a keep-item return of the store, refunded, not written yet
    calls: Callable[[], int]  # calls the store has received so far
    down: Callable[[bool], None]  # the store cannot be reached (or can again)
    refusing: Callable[[], None]  # the store refuses what the recorder asks from now on


def a_record(tenant: str, order_id: str, line_id: str) -> ReturnRecord:
    return ReturnRecord(tenant=tenant, return_id="0b9f7d3e-8a41-4a8e-9a1e-5f1c2d3e4f50", number="R-10001",
                        order_id=order_id, status="REFUNDED", resolution="KEEP_ITEM",
                        refund_total=Money.of("19.99", "USD"),
                        lines=(RecordedLine(line_id, 'Laptop Cover 13"', 1, "DOES_NOT_FIT", "too small"),),
                        received=True)


def memory_scene() -> Scene:
    tenant = "https://memory.example/graphql/"
    recorder = MemoryRecorder(tenants=frozenset({tenant}))

    def down(on: bool) -> None:
        recorder.fail_with = UpstreamUnavailable("the store is down (memory)") if on else None

    def refusing() -> None:
        recorder.fail_with = StoreRecordError("the store refused (memory)")

    return Scene(recorder, a_record(tenant, "ORD-1002", "L-1002-1"), lambda: len(recorder.records), down, refusing)


@dataclass
class OneStore:
    """The installed stores, as SaleorWriteback asks for them (adapters.saleor.tenants.SaleorTenants): one."""

    fake: FakeSaleor
    app: FakeApp
    http: httpx.AsyncClient

    async def installation(self, api_url: str | None) -> Installation | None:
        if api_url != self.fake.api_url:
            return None
        return Installation(self.fake.api_url, self.app.id, self.app.token, "3.24", tuple(self.app.permissions), None)

    def client(self, installation: Installation) -> SaleorClient:
        return SaleorClient(installation.api_url, installation.token, self.http, retries=0)


@pytest.fixture(scope="module")
def fake_saleor() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "USD", timezone="America/New_York")
    try:
        yield saleor
    finally:
        saleor.stop()


@pytest.fixture(params=["memory", "saleor"])
async def scene(request: pytest.FixtureRequest) -> AsyncIterator[Scene]:
    if request.param == "memory":
        yield memory_scene()
        return
    fake: FakeSaleor = request.getfixturevalue("fake_saleor")
    order = fake.add_order(email="ben@example.com", user_id=None, shipped_at=SHIPPED, lines=[
        {"name": 'Laptop Cover 13"', "sku": "COV-13", "qty": 1, "price": "19.99"}])
    app = fake.add_app()

    def down(on: bool) -> None:
        fake.fail_next[:] = [503] * 10 if on else []

    def refusing() -> None:
        app.permissions.remove("MANAGE_ORDERS")

    async with httpx.AsyncClient(timeout=5) as http:
        yield Scene(SaleorWriteback(OneStore(fake, app, http)), a_record(fake.api_url, order["id"],
                                                                         order["lines"][0]["id"]),
                    lambda: len(fake.calls), down, refusing)
        fake.fail_next.clear()


async def test_only_the_stores_own_tenants_are_handled(scene: Scene):
    assert scene.recorder.handles(scene.record.tenant) is True
    assert scene.recorder.handles("demo") is False


async def test_the_first_record_does_every_step_and_a_repeat_nothing_new(scene: Scene):
    assert await scene.recorder.record(scene.record) == EVERY_STEP
    calls = scene.calls()
    assert await scene.recorder.record(scene.record) == []
    assert await scene.recorder.record(scene.record) == []
    assert scene.calls() - calls <= 2  # at most a look at what is done, each time: no write


async def test_a_change_rewrites_the_summary_only(scene: Scene):
    await scene.recorder.record(scene.record)
    assert await scene.recorder.record(replace(scene.record, status="CLOSED")) == ["summary"]
    assert await scene.recorder.record(replace(scene.record, status="CLOSED")) == []


async def test_a_tenant_that_is_not_such_a_store_is_left_alone(scene: Scene):
    calls = scene.calls()
    assert await scene.recorder.record(replace(scene.record, tenant="demo")) == []
    assert await scene.recorder.record(replace(scene.record, tenant="https://unknown.example/graphql/")) == []
    assert scene.calls() == calls


async def test_a_store_that_cannot_be_reached_is_upstream_unavailable_and_the_retry_does_it_all(scene: Scene):
    scene.down(True)
    with pytest.raises(UpstreamUnavailable):
        await scene.recorder.record(scene.record)
    scene.down(False)
    assert await scene.recorder.record(scene.record) == EVERY_STEP


async def test_a_store_that_refuses_is_a_store_record_error(scene: Scene):
    scene.refusing()
    with pytest.raises(StoreRecordError):
        await scene.recorder.record(scene.record)

