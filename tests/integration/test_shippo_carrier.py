"""The Shippo adapter, with the official `shippo` package (server_url → a loopback Shippo in tests/support):
scan-based return labels as PDF_4x6 transactions with a QR code, the configured service or the cheapest,
a refused address, a timeout that never leads to a second purchase, and the refund of an unused label."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from saleor_returns.adapters.carriers.shippo import ShippoCarrier
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Address
from saleor_returns.ports import LabelError, LabelLine, LabelRequest
from support.fake_shippo import API_KEY, BAD_ZIP, FakeShippo
from support.server import ServerThread

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
SHOPPER = Address(name="Ada Lovelace", street="12 Analytical Lane", city="Brooklyn", postal_code="11201",
                  country="US", country_area="NY")
WAREHOUSE = Address(name="Returns Department", company="Saleor Demo Store", street="1 Warehouse Way", city="Newark",
                    postal_code="07105", country="US", country_area="NJ")
REQUEST = LabelRequest(return_id="r-1", return_number="R-10001", order_number="1001", ship_from=SHOPPER,
                       ship_to=WAREHOUSE, deadline=NOW + timedelta(days=10), timezone="America/New_York",
                       lines=(LabelLine("Laptop 14", 1),), idempotency_key="saleor-returns-label-r-1")


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def fake() -> Iterator[FakeShippo]:
    fake = FakeShippo()
    server = ServerThread(fake.app).start()
    fake.base_url = server.url
    try:
        yield fake
    finally:
        server.stop()


def carrier(fake: FakeShippo, service: str | None = None, timeout: float = 5.0) -> ShippoCarrier:
    return ShippoCarrier(API_KEY, api_base=fake.api_base, clock=Clock(), valid_days=30, service=service,
                         timeout=timeout)


async def test_a_scan_based_return_label_is_bought_as_pdf_4x6_with_a_qr_code(fake):
    # given Shippo with three service levels
    shippo = carrier(fake)

    # when the return's shipment is prepared and its label bought
    reference = await shippo.prepare_label(REQUEST)
    label = await shippo.create_label(replace(REQUEST, carrier_reference=reference))

    # then the shipment is a return with the outbound addresses (Shippo swaps them) and asks for a QR code
    sent = fake.created[0]
    assert sent["extra"] == {"is_return": True, "qr_code_requested": True}
    assert sent["address_from"]["zip"] == "07105" and sent["address_to"]["zip"] == "11201"
    assert sent["metadata"] == REQUEST.idempotency_key and sent["parcels"][0]["mass_unit"] == "oz"
    # and one PDF_4x6 transaction was bought at the cheapest rate, with its QR code and cost as Money
    (transaction,) = fake.transactions.values()
    assert transaction["label_file_type"] == "PDF_4x6"
    assert fake.purchases == {reference: 1}
    assert label.carrier == "shippo" and label.tracking_number == transaction["tracking_number"]
    assert label.carrier_reference == f"{reference}|{transaction['object_id']}"
    assert label.qr_code_url == transaction["qr_code_url"] and label.qr_code_url.endswith("-qr.png")
    assert label.pdf.startswith(b"%PDF") and label.cost == Money.of("6.85", "USD")


@pytest.mark.parametrize(("service", "token", "amount"), [
    (None, "usps_ground_advantage", "6.85"),
    ("usps_priority", "usps_priority", "9.10"),
    ("UPS:ups_ground", "ups_ground", "12.40"),
    ("fedex_2_day", "usps_ground_advantage", "6.85"),  # not offered: the cheapest
])
async def test_the_configured_service_level_is_bought_else_the_cheapest(fake, service, token, amount):
    label = await carrier(fake, service).create_label(REQUEST)
    (transaction,) = fake.transactions.values()
    shipment = next(iter(fake.shipments.values()))
    rate = next(r for r in shipment["rates"] if r["object_id"] == transaction["rate"]["object_id"])
    assert rate["servicelevel"]["token"] == token and label.cost == Money.of(amount, "USD")


async def test_a_refused_address_fails_for_good(fake):
    with pytest.raises(LabelError) as error:
        await carrier(fake).create_label(replace(REQUEST, ship_from=replace(SHOPPER, postal_code=BAD_ZIP)))
    assert error.value.code == "ADDRESS_INVALID" and error.value.retryable is False
    assert "could not be found" in str(error.value) and fake.total_purchases == 0


async def test_a_timeout_is_retryable_and_the_retry_finds_the_transaction_instead_of_buying_again(fake):
    # given a purchase that answers after the client gave up
    shippo = carrier(fake, timeout=0.5)
    reference = await shippo.prepare_label(REQUEST)
    fake.purchase_delay_seconds = 1.5

    # when the label is bought, then it is a retryable timeout
    with pytest.raises(LabelError) as error:
        await shippo.create_label(replace(REQUEST, carrier_reference=reference))
    assert error.value.code == "CARRIER_TIMEOUT" and error.value.retryable is True
    deadline = time.monotonic() + 5
    while fake.total_purchases == 0 and time.monotonic() < deadline:
        time.sleep(0.05)

    # and the retry finds the transaction Shippo made meanwhile
    fake.purchase_delay_seconds = 0
    label = await shippo.create_label(replace(REQUEST, carrier_reference=reference))
    assert fake.purchases == {reference: 1} and len(fake.transactions) == 1
    assert label.tracking_number == next(iter(fake.transactions.values()))["tracking_number"]


async def test_an_outage_is_retryable(fake):
    fake.fail_purchases_with = 502
    with pytest.raises(LabelError) as error:
        await carrier(fake).create_label(REQUEST)
    assert error.value.code == "CARRIER_UNAVAILABLE" and error.value.retryable is True


async def test_an_unused_label_is_refunded_once(fake):
    shippo = carrier(fake)
    label = await shippo.create_label(REQUEST)
    outcome = await shippo.void_label(label.carrier_reference, label.tracking_number)
    transaction_id = label.carrier_reference.split("|")[1]
    assert outcome.voided is True and fake.refunds == {transaction_id: 1}
    assert fake.transactions[transaction_id]["status"] == "REFUNDPENDING"


async def test_a_wrong_token_is_a_configuration_problem(fake):
    shippo = ShippoCarrier("shippo_test_wrong", api_base=fake.api_base, clock=Clock(), valid_days=30)
    with pytest.raises(LabelError) as error:
        await shippo.prepare_label(REQUEST)
    assert error.value.code == "CARRIER_NOT_CONFIGURED"
