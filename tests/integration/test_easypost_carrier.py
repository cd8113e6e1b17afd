"""The EasyPost adapter, with the official `easypost` package, against a loopback EasyPost (tests/support):
return shipments keep the original addresses, the configured service (or the cheapest) is bought once,
a bad address and a timeout fail the way the return engine needs, an unused label is refunded."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_returns.adapters.carriers.easypost import EasyPostCarrier
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Address
from saleor_returns.ports import LabelError, LabelLine, LabelRequest
from support.fake_easypost import API_KEY, BAD_ZIP, FakeEasyPost
from support.server import ServerThread

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
SHOPPER = Address(name="Ada Lovelace", street="12 Analytical Lane\nApt 2", city="Brooklyn", postal_code="11201",
                  country="US", country_area="NY")
WAREHOUSE = Address(name="Returns Department", company="Saleor Demo Store", street="1 Warehouse Way", city="Newark",
                    postal_code="07105", country="US", country_area="NJ")
REQUEST = LabelRequest(return_id="r-1", return_number="R-10001", order_number="1001", ship_from=SHOPPER,
                       ship_to=WAREHOUSE, deadline=NOW + timedelta(days=10), timezone="America/New_York",
                       lines=(LabelLine("Laptop 14", 1),), idempotency_key="saleor-returns-label-r-1",
                       channel="default-channel")


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def fake() -> Iterator[FakeEasyPost]:
    fake = FakeEasyPost()
    server = ServerThread(fake.app).start()
    fake.base_url = server.url
    try:
        yield fake
    finally:
        server.stop()


def carrier(fake: FakeEasyPost, service: str | None = None, timeout: float = 5.0) -> EasyPostCarrier:
    return EasyPostCarrier(API_KEY, api_base=fake.api_base, clock=Clock(), valid_days=30, service=service,
                           timeout=timeout, expected=(Money.of("7.00", "USD"),))


async def test_a_return_label_is_bought_for_the_original_addresses_and_stored_as_a_pdf(fake):
    # given EasyPost with three rates
    ep = carrier(fake)

    # when the return's shipment is prepared and its label bought
    reference = await ep.prepare_label(REQUEST)
    label = await ep.create_label(replace(REQUEST, carrier_reference=reference))

    # then the shipment was sent as a return with the outbound addresses (EasyPost swaps them itself)
    sent = fake.created[0]
    assert sent["is_return"] is True and sent["reference"] == REQUEST.idempotency_key
    assert sent["to_address"]["zip"] == "11201" and sent["from_address"]["zip"] == "07105"
    assert sent["to_address"]["street2"] == "Apt 2" and sent["options"]["label_format"] == "PDF"
    assert fake.shipments[reference]["to_address"]["name"] == "Returns Department"
    # and one label was bought, its PDF downloaded, its cost recorded as Money
    assert fake.buys == {reference: 1}
    assert label.carrier == "easypost" and label.carrier_reference == reference
    assert label.tracking_number == fake.shipments[reference]["tracking_code"]
    assert label.pdf.startswith(b"%PDF") and label.label_format == "PDF_4x6"
    assert label.cost == Money(Decimal("6.40"), "USD")
    assert label.expires_at == NOW + timedelta(days=30)
    assert ep.expected_cost("usd") == Money.of("7.00", "USD") and ep.expected_cost("EUR") is None


@pytest.mark.parametrize(("service", "bought"), [
    (None, ("USPS", "GroundAdvantage", "6.40")),
    ("USPS:Priority", ("USPS", "Priority", "8.95")),
    ("priority", ("USPS", "Priority", "8.95")),
    ("ups:ground", ("UPS", "Ground", "11.20")),
    ("FedEx:PriorityOvernight", ("USPS", "GroundAdvantage", "6.40")),  # not offered: the cheapest
])
async def test_the_configured_service_is_bought_else_the_cheapest(fake, service, bought):
    label = await carrier(fake, service).create_label(REQUEST)
    rate = fake.shipments[label.carrier_reference]["selected_rate"]
    assert (rate["carrier"], rate["service"], rate["rate"]) == bought
    assert label.cost == Money.of(bought[2], "USD")


async def test_a_bad_address_is_refused_for_good_and_nothing_is_bought(fake):
    with pytest.raises(LabelError) as error:
        await carrier(fake).create_label(replace(REQUEST, ship_from=replace(SHOPPER, postal_code=BAD_ZIP)))
    assert error.value.code == "ADDRESS_INVALID" and error.value.retryable is False
    assert "Unable to verify address" in str(error.value)
    assert fake.total_buys == 0


async def test_an_order_without_a_shipping_address_gets_no_carrier_label(fake):
    with pytest.raises(LabelError) as error:
        await carrier(fake).prepare_label(replace(REQUEST, ship_from=None))
    assert error.value.code == "ADDRESS_INVALID" and fake.created == []


async def test_a_timeout_is_retryable_and_the_retry_reuses_the_label_bought_meanwhile(fake):
    # given a buy that answers after the client gave up
    ep = carrier(fake, timeout=0.5)
    reference = await ep.prepare_label(REQUEST)
    fake.buy_delay_seconds = 1.5

    # when the label is bought
    with pytest.raises(LabelError) as error:
        await ep.create_label(replace(REQUEST, carrier_reference=reference))

    # then it is a retryable timeout ...
    assert error.value.code == "CARRIER_TIMEOUT" and error.value.retryable is True
    deadline = time.monotonic() + 5
    while fake.total_buys == 0 and time.monotonic() < deadline:  # ... though EasyPost did buy it
        time.sleep(0.05)
    assert fake.buys == {reference: 1}
    # and the retry (same shipment) finds the postage and buys nothing more
    fake.buy_delay_seconds = 0
    label = await ep.create_label(replace(REQUEST, carrier_reference=reference))
    assert fake.buys == {reference: 1} and label.tracking_number == fake.shipments[reference]["tracking_code"]


async def test_an_outage_is_retryable(fake):
    fake.fail_buys_with = 503
    with pytest.raises(LabelError) as error:
        await carrier(fake).create_label(REQUEST)
    assert error.value.code == "CARRIER_UNAVAILABLE" and error.value.retryable is True and fake.total_buys == 0


async def test_a_wrong_api_key_is_a_configuration_problem(fake):
    ep = EasyPostCarrier("EZTK_wrong", api_base=fake.api_base, clock=Clock(), valid_days=30)
    with pytest.raises(LabelError) as error:
        await ep.create_label(REQUEST)
    assert error.value.code == "CARRIER_NOT_CONFIGURED" and error.value.retryable is False


async def test_an_unused_label_is_refunded(fake):
    # given a bought label
    ep = carrier(fake)
    label = await ep.create_label(REQUEST)

    # when it is voided
    outcome = await ep.void_label(label.carrier_reference, label.tracking_number)

    # then EasyPost got one refund request for that shipment
    assert outcome.voided is True and "submitted" in (outcome.detail or "")
    assert fake.refunds == {label.carrier_reference: 1}
    assert fake.shipments[label.carrier_reference]["refund_status"] == "submitted"


async def test_voiding_a_shipment_that_was_never_bought_costs_nothing(fake):
    ep = carrier(fake)
    reference = await ep.prepare_label(REQUEST)
    outcome = await ep.void_label(reference, "")
    assert outcome.voided is True and fake.total_buys == 0
