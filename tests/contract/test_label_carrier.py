"""ports.LabelCarrier: the in-memory carrier, the local carrier, and EasyPost and Shippo (through their
official SDKs, against loopback fakes) issue and void labels alike: the shipment prepared first is bought
once however often the purchase is asked for, an unused label is voided, the expected cost is the
configured one, an outage is a retryable LabelError."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from saleor_returns.adapters.carriers.easypost import EasyPostCarrier
from saleor_returns.adapters.carriers.local import LocalLabelCarrier
from saleor_returns.adapters.carriers.shippo import ShippoCarrier
from saleor_returns.adapters.memory.providers import FixedClock, MemoryCarrier
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Address
from saleor_returns.ports import (
    LABEL_TIMEOUT,
    LABEL_UNAVAILABLE,
    IssuedLabel,
    LabelCarrier,
    LabelError,
    LabelLine,
    LabelRequest,
)
from support import fake_easypost, fake_shippo
from support.server import ServerThread

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
VALID_DAYS = 30
EXPECTED = Money.of("7.00", "USD")
SHOPPER = Address(name="Ada Lovelace", street="12 Analytical Lane\nApt 2", city="Brooklyn", postal_code="11201",
                  country="US", country_area="NY")
WAREHOUSE = Address(name="Returns Department", company="Saleor Demo Store", street="1 Warehouse Way", city="Newark",
                    postal_code="07105", country="US", country_area="NJ")


def a_request() -> LabelRequest:
    return_id = str(uuid.uuid4())
    return LabelRequest(return_id=return_id, return_number="R-10001", order_number="1001", ship_from=SHOPPER,
                        ship_to=WAREHOUSE, deadline=NOW + timedelta(days=10), timezone="America/New_York",
                        lines=(LabelLine("Laptop 14", 1),), idempotency_key=f"saleor-returns-label-{return_id}",
                        channel="default-channel")


@dataclass
class Scene:
    carrier: LabelCarrier
    sold: Callable[[], int] | None  # labels paid for so far (None: a carrier that sells nothing)
    voids: Callable[[IssuedLabel], int]  # how often the carrier was asked to void this label
    outage: Callable[[bool], None] | None  # None: a carrier that cannot be down (drawn here)


def memory_scene() -> Scene:
    carrier = MemoryCarrier(cost=EXPECTED, valid_days=VALID_DAYS, clock=FixedClock(NOW))

    def outage(on: bool) -> None:
        carrier.fail_with = LabelError("memory carrier down", retryable=True, code=LABEL_UNAVAILABLE) if on else None

    return Scene(carrier, lambda: len(carrier.bought), lambda lb: carrier.voids.count(lb.tracking_number), outage)


def local_scene() -> Scene:
    carrier = LocalLabelCarrier(cost=EXPECTED, valid_days=VALID_DAYS, clock=FixedClock(NOW))
    return Scene(carrier, None, lambda lb: 0, None)


def easypost_scene(fake: fake_easypost.FakeEasyPost) -> Scene:
    carrier = EasyPostCarrier(fake_easypost.API_KEY, api_base=fake.api_base, clock=FixedClock(NOW),
                              valid_days=VALID_DAYS, timeout=5.0, expected=(EXPECTED,))

    def outage(on: bool) -> None:
        fake.fail_buys_with = 503 if on else None

    return Scene(carrier, lambda: fake.total_buys, lambda lb: fake.refunds[lb.carrier_reference or ""], outage)


def shippo_scene(fake: fake_shippo.FakeShippo) -> Scene:
    carrier = ShippoCarrier(fake_shippo.API_KEY, api_base=fake.api_base, clock=FixedClock(NOW), valid_days=VALID_DAYS,
                            timeout=5.0, expected=(EXPECTED,))

    def outage(on: bool) -> None:
        fake.fail_purchases_with = 503 if on else None

    def voids(label: IssuedLabel) -> int:
        return fake.refunds[(label.carrier_reference or "|").split("|")[1]]

    return Scene(carrier, lambda: fake.total_purchases, voids, outage)


@pytest.fixture(params=["memory", "local", "easypost", "shippo"])
def scene(request: pytest.FixtureRequest) -> Iterator[Scene]:
    if request.param == "memory":
        yield memory_scene()
        return
    if request.param == "local":
        yield local_scene()
        return
    fake: fake_easypost.FakeEasyPost | fake_shippo.FakeShippo = (
        fake_easypost.FakeEasyPost() if request.param == "easypost" else fake_shippo.FakeShippo())
    server = ServerThread(fake.app).start()
    fake.base_url = server.url
    try:
        yield easypost_scene(fake) if isinstance(fake, fake_easypost.FakeEasyPost) else shippo_scene(fake)
    finally:
        server.stop()


async def buy(carrier: LabelCarrier, request: LabelRequest) -> tuple[LabelRequest, IssuedLabel]:
    """What the label service does: prepare the shipment (its reference is saved), then buy it."""
    reference = await carrier.prepare_label(request)
    prepared = replace(request, carrier_reference=reference) if reference else request
    return prepared, await carrier.create_label(prepared)


async def test_a_label_is_issued_printable_and_valid_for_the_configured_days(scene: Scene):
    _, label = await buy(scene.carrier, a_request())

    assert label.carrier == scene.carrier.name and label.tracking_number
    assert label.pdf.startswith(b"%PDF") and label.label_format
    assert label.expires_at == NOW + timedelta(days=VALID_DAYS)
    if scene.sold is not None:
        assert scene.sold() == 1 and label.carrier_reference


async def test_the_prepared_shipment_is_bought_once_however_often_it_is_asked_for(scene: Scene):
    prepared, first = await buy(scene.carrier, a_request())
    again = await scene.carrier.create_label(prepared)  # a retry after a crash, with the saved reference
    assert again.tracking_number == first.tracking_number
    assert again.carrier_reference == first.carrier_reference
    if scene.sold is not None:
        assert scene.sold() == 1
    _, other = await buy(scene.carrier, a_request())  # another return: its own label
    assert other.tracking_number != first.tracking_number


async def test_each_shipment_prepared_is_a_shipment_of_its_own(scene: Scene):
    request = a_request()
    first = await scene.carrier.prepare_label(request)
    if first is None:
        pytest.skip("a carrier without a prepare step: the label is drawn in one go")
    second = await scene.carrier.prepare_label(request)  # nothing is deduplicated before the purchase
    assert second is not None and second != first
    one = await scene.carrier.create_label(replace(request, carrier_reference=first))
    two = await scene.carrier.create_label(replace(request, carrier_reference=second))
    assert one.tracking_number != two.tracking_number  # so the service saves the reference before it buys
    assert scene.sold is not None and scene.sold() == 2


async def test_an_unused_label_is_voided(scene: Scene):
    _, label = await buy(scene.carrier, a_request())
    outcome = await scene.carrier.void_label(label.carrier_reference, label.tracking_number)
    assert outcome.voided is True and outcome.retryable is False
    if scene.sold is not None:
        assert scene.voids(label) == 1


async def test_a_label_never_bought_is_voided_without_asking(scene: Scene):
    outcome = await scene.carrier.void_label(None, "")
    assert outcome.voided is True


async def test_the_expected_cost_is_the_configured_one_in_its_currency(scene: Scene):
    assert scene.carrier.expected_cost("USD") == EXPECTED
    assert scene.carrier.expected_cost("usd") == EXPECTED
    assert scene.carrier.expected_cost("EUR") is None


async def test_an_outage_is_retryable_and_the_retry_buys_once(scene: Scene):
    if scene.outage is None or scene.sold is None:
        pytest.skip("the local carrier draws labels here: it cannot be down")
    request = a_request()
    reference = await scene.carrier.prepare_label(request)
    prepared = replace(request, carrier_reference=reference)
    scene.outage(True)

    with pytest.raises(LabelError) as error:
        await scene.carrier.create_label(prepared)

    assert error.value.retryable is True and error.value.code in (LABEL_UNAVAILABLE, LABEL_TIMEOUT)
    assert scene.sold() == 0
    scene.outage(False)
    label = await scene.carrier.create_label(prepared)
    assert label.tracking_number and scene.sold() == 1
