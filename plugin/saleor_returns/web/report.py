"""`saleor-returns report`: one self-contained HTML file with the analytics of a period, for people who do not open
the console. Chart.js (vendored in web/static/vendor/, MIT) is inlined, the figures are inlined as JSON, and every
chart has its table next to it; the file needs no network and follows the reader's light or dark setting."""
from __future__ import annotations

import json
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from ..domain.analytics import Bucket
from ..domain.money import Money
from ..services.analytics import ReturnAnalytics

VENDOR = Path(__file__).resolve().parent / "static" / "vendor" / "chart.umd.js"


def _money(items: tuple[Money, ...]) -> str:
    return ", ".join(f"{m.amount:,} {m.currency}" for m in items) or "—"


def _amount(items: tuple[Money, ...], currency: str) -> float:
    return float(sum((m.amount for m in items if m.currency == currency), Decimal(0)))


def _table(caption: str, head: list[str], rows: list[list[Any]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    heads = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>"


def _buckets(caption: str, buckets: tuple[Bucket, ...], limit: int | None = None) -> str:
    rows = [[b.key, b.returns, b.units, _money(b.refunded)] for b in buckets[:limit]]
    return _table(caption, ["", "returns", "units", "refunded"], rows)


def render_report(a: ReturnAnalytics, title: str = "Returns report") -> str:
    """The whole page: headline figures, then one figure per chart with its table."""
    f = a.figures
    currencies = sorted({m.currency for m in f.refunded} | {m.currency for d in f.daily for m in d.refunded}) or ["USD"]
    cur = currencies[0]
    charts = {
        "daily": {"type": "bar", "labels": [d.date.isoformat() for d in f.daily],
                  "series": [{"label": "returns", "data": [d.returns for d in f.daily]}]},
        "reasons": {"type": "bar", "labels": [b.key for b in f.by_reason],
                    "series": [{"label": "units", "data": [b.units for b in f.by_reason]}]},
        "products": {"type": "bar", "labels": [b.key for b in f.by_product[:10]],
                     "series": [{"label": "units", "data": [b.units for b in f.by_product[:10]]}]},
        "money": {"type": "bar", "labels": [d.date.isoformat() for d in f.daily],
                  "series": [{"label": f"refunded ({cur})", "data": [_amount(d.refunded, cur) for d in f.daily]}]},
    }
    scope = f"channel {a.channel}" if a.channel else "every channel"
    period = f"{a.period.since:%Y-%m-%d %H:%M} to {a.period.until:%Y-%m-%d %H:%M} UTC"
    median = f"{f.median_hours_to_refund:.1f} h" if f.median_hours_to_refund is not None else "—"
    headline = _table("Headline figures", ["figure", "value"], [
        ["returns", f.returns], ["units", f.units], ["refunded", _money(f.refunded)],
        ["keep-item refunds", _money(f.keep_item_value)], ["label cost", _money(f.label_cost)],
        ["median time from request to refund", median]])
    figures = [
        ("daily", f"Returns per day ({a.timezone})",
         _table(f"Returns per day ({a.timezone})", ["day", "returns", "refunded"],
                [[d.date.isoformat(), d.returns, _money(d.refunded)] for d in f.daily])),
        ("reasons", "Units returned per reason", _buckets("Per reason", f.by_reason)),
        ("products", "Most returned products (top 10, by SKU)", _buckets("Per product", f.by_product, 10)),
        ("money", f"Refunded per day ({cur})", _buckets("Per status", f.by_status) + _buckets("Per resolution",
                                                                                          f.by_resolution)),
    ]
    sections = "".join(
        f'<figure><figcaption>{escape(cap)}</figcaption><div class="chart"><canvas id="{key}" role="img" '
        f'aria-label="{escape(cap)}: the table below has the same figures"></canvas></div>{table}</figure>'
        for key, cap, table in figures)
    script = VENDOR.read_text(encoding="utf-8")
    data = json.dumps(charts).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>{escape(title)}</title>
<style>{_CSS}</style></head>
<body><main><h1>{escape(title)}</h1><p class="muted">{escape(scope)} · {escape(period)}</p>
{headline}{sections}
<p class="muted small">Made by saleor-returns. Definitions: a return counts on the day it was requested; refunded is
money that went back; per reason and product it is the refund of the returned lines.</p></main>
<script>{script}</script>
<script>const CHARTS = {data};
{_DRAW}</script></body></html>
"""


_CSS = """
:root { color-scheme: light dark; --text: #121214; --muted: #5b5b66; --bg: #fff; --line: #dedee3; --accent: #1f5ad1; }
@media (prefers-color-scheme: dark) { :root { --text: #f1f1f3; --muted: #a7a8b0; --bg: #141518; --line: #33343a;
  --accent: #8cb4ff; } }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 system-ui, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
.muted { color: var(--muted); } .small { font-size: 13px; }
figure { margin: 32px 0; } figcaption { font-weight: 600; margin-bottom: 8px; }
.chart { position: relative; height: 260px; }
table { border-collapse: collapse; margin: 12px 0; width: 100%; font-size: 13px; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; }
"""

_DRAW = """
const css = getComputedStyle(document.documentElement);
const text = css.getPropertyValue("--text").trim(), line = css.getPropertyValue("--line").trim();
const accent = css.getPropertyValue("--accent").trim();
Chart.defaults.color = text; Chart.defaults.borderColor = line; Chart.defaults.animation = false;
for (const [id, c] of Object.entries(CHARTS)) {
  new Chart(document.getElementById(id), { type: c.type,
    data: { labels: c.labels, datasets: c.series.map((s) => ({ ...s, backgroundColor: accent, borderColor: accent,
      pointRadius: 0 })) },
    options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true }, y: { beginAtZero: true } },
      indexAxis: id === "reasons" || id === "products" ? "y" : "x" } });
}
"""
