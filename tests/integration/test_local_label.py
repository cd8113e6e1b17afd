"""The local carrier draws a label that real tools can read: poppler renders it, zbar scans it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from saleor_returns.adapters.carriers.local import LocalLabelCarrier
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Address
from saleor_returns.ports import IssuedLabel, LabelError, LabelLine, LabelRequest

TOOLS = ("pdfinfo", "pdftotext", "pdftoppm", "zbarimg")  # Debian: poppler-utils, zbar-tools


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


NOW = datetime(2026, 11, 13, 15, 0, tzinfo=UTC)

REQUEST = LabelRequest(
    return_id="UmV0dXJuOjEwMDQy",
    return_number="R-10042",
    order_number="1042",
    ship_from=Address(
        name="Jane Doe",
        street="742 Evergreen Terrace\nApt 3B",
        city="Springfield",
        postal_code="62704",
        country="US",
        country_area="IL",
    ),
    ship_to=Address(
        name="Returns Dept.",
        company="Acme Outfitters Returns Center",
        street="1200 Warehouse Way, Dock 7",
        city="Newark",
        postal_code="07114",
        country="US",
        country_area="NJ",
    ),
    deadline=datetime(2026, 11, 28, 4, 59, tzinfo=UTC),  # 23:59 on 27 Nov in New York (EST)
    timezone="America/New_York",
    lines=(LabelLine("Merino Wool Crew Sweater - Navy / M", 1), LabelLine("Trail Running Shoes, Size 42", 2)),
    idempotency_key="return:UmV0dXJuOjEwMDQy:label:1",
)


@pytest.fixture
def tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"missing {', '.join(missing)}: apt-get install poppler-utils zbar-tools (.ci/system-packages.txt)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, timeout=60).stdout


def zbar(png: Path, symbology: str) -> list[str]:
    """The payloads of every `symbology` symbol zbar finds in the image (others disabled)."""
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", f"-S{symbology}.enable", str(png)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode in (0, 4), result.stderr  # 4: no symbol found
    return result.stdout.split()


async def issue(request: LabelRequest = REQUEST) -> tuple[LocalLabelCarrier, IssuedLabel]:
    carrier = LocalLabelCarrier(cost=Money.of("7.50", "USD"), valid_days=30, clock=FixedClock(NOW))
    return carrier, await carrier.create_label(request)


async def test_label_is_a_two_page_4x6_pdf_with_the_return_details(tools: None, tmp_path: Path) -> None:
    # given
    carrier = LocalLabelCarrier(cost=Money.of("7.50", "USD"), clock=FixedClock(NOW))

    # when
    label = await carrier.create_label(REQUEST)

    # then
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label.pdf)
    info = run("pdfinfo", pdf)
    assert re.search(r"^Pages:\s+2$", info, re.M), info
    assert re.search(r"^Page size:\s+288 x 432 pts", info, re.M), info
    page1 = run("pdftotext", "-f", "1", "-l", "1", "-layout", pdf, "-")
    assert "R-10042" in page1
    assert "Ship by 27 Nov 2026, 23:59 America/New_York" in page1
    assert "Acme Outfitters Returns Center" in page1
    assert "Jane Doe" in page1
    assert "1042" in page1
    assert label.tracking_number in page1  # human-readable under the barcode
    page2 = run("pdftotext", "-f", "2", "-l", "2", "-layout", pdf, "-")
    assert "PACKING SLIP" in page2 and "R-10042" in page2
    assert "Merino Wool Crew Sweater - Navy / M" in page2
    assert re.search(r"Trail Running Shoes, Size 42\s+x\s?2\b", page2), page2


@pytest.mark.parametrize("dpi", [200, 300])
async def test_both_barcodes_scan_to_the_tracking_number(tools: None, tmp_path: Path, dpi: int) -> None:
    # given
    _, label = await issue()
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label.pdf)

    # when
    run("pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", pdf, tmp_path / "page1")
    png = tmp_path / "page1.png"

    # then
    assert zbar(png, "code128") == [label.tracking_number]
    assert zbar(png, "qrcode") == [label.tracking_number]


async def test_sender_unknown_points_to_the_order(tools: None, tmp_path: Path) -> None:
    _, label = await issue(replace(REQUEST, ship_from=None))
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label.pdf)
    assert "Sender: see order 1042" in run("pdftotext", "-f", "1", "-l", "1", pdf, "-")


async def test_issued_label_fields() -> None:
    carrier, label = await issue()
    assert carrier.name == "local"
    assert label.carrier == "local"
    assert re.fullmatch(r"LR[0-9]{12}", label.tracking_number)
    assert label.qr_payload == label.tracking_number
    assert label.cost == Money.of("7.50", "USD")
    assert label.expires_at == NOW + timedelta(days=30)
    assert label.carrier_reference is None
    assert label.pdf.startswith(b"%PDF-")


async def test_same_key_same_tracking_number_other_key_other_number() -> None:
    _, first = await issue()
    _, again = await issue()
    _, other = await issue(replace(REQUEST, idempotency_key="return:UmV0dXJuOjEwMDQy:label:2"))
    assert again.tracking_number == first.tracking_number
    assert other.tracking_number != first.tracking_number


def test_expected_cost_only_in_its_currency() -> None:
    carrier = LocalLabelCarrier(cost=Money.of("7.50", "USD"))
    assert carrier.expected_cost("USD") == Money.of("7.50", "USD")
    assert carrier.expected_cost("usd") == Money.of("7.50", "USD")
    assert carrier.expected_cost("EUR") is None
    assert LocalLabelCarrier().expected_cost("USD") is None


@pytest.mark.parametrize(
    "change",
    [
        {"return_number": ""},
        {"return_number": "   "},
        {"idempotency_key": ""},
        {"lines": ()},
        {"lines": (LabelLine("Socks", 0),)},
        {"timezone": "Mars/Olympus_Mons"},
        {"deadline": datetime(2026, 11, 27, 23, 59)},  # naive: which zone?
    ],
)
async def test_impossible_input_is_a_label_error(change: dict[str, object]) -> None:
    with pytest.raises(LabelError) as error:
        await LocalLabelCarrier().create_label(replace(REQUEST, **change))  # type: ignore[arg-type]
    assert error.value.retryable is False


# --- paper formats (RETURNS_LABEL_FORMAT) --------------------------------------------------------

@pytest.mark.parametrize(("label_format", "pages", "size"), [
    ("4x6", 2, "288 x 432 pts"),
    ("A6", 2, "297.638 x 419.528 pts"),
    ("letter", 1, "612 x 792 pts"),  # label and packing slip share one sheet, cut along the dashed line
])
async def test_every_format_scans_and_carries_the_return_details(tools: None, tmp_path: Path, label_format: str,
                                                                 pages: int, size: str) -> None:
    # given a carrier configured for the format
    carrier = LocalLabelCarrier(clock=FixedClock(NOW), label_format=label_format)

    # when it draws the label
    label = await carrier.create_label(REQUEST)

    # then the PDF has the format's pages, the details, and both codes decode to the tracking number
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label.pdf)
    info = run("pdfinfo", pdf)
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M), info
    assert re.search(rf"^Page size:\s+{re.escape(size)}", info, re.M), info
    text = run("pdftotext", pdf, "-")
    assert "R-10042" in text and "PACKING SLIP" in text and "Ship by 27 Nov 2026" in text
    run("pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, tmp_path / "page1")
    assert zbar(tmp_path / "page1.png", "code128") == [label.tracking_number]
    assert zbar(tmp_path / "page1.png", "qrcode") == [label.tracking_number]
    assert label.label_format == label_format


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        LocalLabelCarrier(label_format="A4")


async def test_a_local_label_needs_no_preparing_and_voids_for_free() -> None:
    carrier = LocalLabelCarrier()
    assert await carrier.prepare_label(REQUEST) is None
    outcome = await carrier.void_label(None, "LR000000000001")
    assert outcome.voided is True and outcome.retryable is False
