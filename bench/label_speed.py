"""How long the local carrier takes to draw a label, per paper format, next to a baseline measured in the same
run: reportlab drawing an empty page (the floor any PDF pays). Prints median and p99 in milliseconds.

    .venv/bin/python bench/label_speed.py [--runs 300]
"""
from __future__ import annotations

import argparse
import io
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from reportlab.pdfgen.canvas import Canvas

from saleor_returns.adapters.carriers.local import FORMATS, render_label_pdf, tracking_number_for
from saleor_returns.domain.order import Address
from saleor_returns.ports import LabelLine, LabelRequest

REQUEST = LabelRequest(
    return_id="bench", return_number="R-10042", order_number="1042",
    ship_from=Address(name="Jane Doe", street="742 Evergreen Terrace\nApt 3B", city="Springfield",
                      postal_code="62704", country="US", country_area="IL"),
    ship_to=Address(name="Returns Dept.", company="Acme Outfitters Returns Center", street="1200 Warehouse Way",
                    city="Newark", postal_code="07114", country="US", country_area="NJ"),
    deadline=datetime(2026, 11, 28, 4, 59, tzinfo=UTC), timezone="America/New_York",
    lines=(LabelLine("Merino Wool Crew Sweater - Navy / M", 1), LabelLine("Trail Running Shoes, Size 42", 2)),
    idempotency_key="bench-key")


def empty_page() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(288, 432), invariant=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def measure(fn: Callable[[], bytes], runs: int) -> tuple[float, float]:
    for _ in range(10):  # warm-up: imports, font metrics, caches
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    tracking = tracking_number_for(REQUEST.idempotency_key)
    print(f"label generation, {args.runs} runs each ({platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()})")
    print(f"{'what':<28}{'median ms':>10}{'p99 ms':>10}")
    median, p99 = measure(empty_page, args.runs)
    print(f"{'baseline: empty page':<28}{median:>10.2f}{p99:>10.2f}")
    for name in FORMATS:
        median, p99 = measure(lambda name=name: render_label_pdf(REQUEST, tracking, name), args.runs)
        print(f"{'label ' + name:<28}{median:>10.2f}{p99:>10.2f}")


if __name__ == "__main__":
    main()
