"""`saleor-returns simulate` and `saleor-returns report` on a database holding the demo's quarter of past returns."""
from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import load_demo_store
from saleor_returns.bootstrap import build
from saleor_returns.cli import main
from saleor_returns.demo_seed import seed_demo_history, with_history
from saleor_returns.services.seed import seed_demo
from saleor_returns.settings import Settings
from support.constants import ADMIN_TOKEN, EXAMPLES

POLICIES = json.loads((EXAMPLES / "policy.json").read_text())


@pytest.fixture
def seeded(empty_db, monkeypatch):
    """The demo store and its history in the test database, dated from the real clock the commands read."""
    now = datetime.now(UTC)
    store, history = with_history(load_demo_store(EXAMPLES / "demo-orders.json", now), EXAMPLES / "demo-history.json",
                                  now)

    async def seed() -> int:
        wiring = build(Settings(database_url=empty_db, admin_token=ADMIN_TOKEN, secret_key="s" * 32, tenant="demo"),
                       DemoOrderSource(store))
        try:
            await seed_demo(wiring.deps, POLICIES, ())
            return await seed_demo_history(wiring.deps, store, history, POLICIES)
        finally:
            await wiring.close()

    assert asyncio.run(seed()) > 200
    for name, value in {"DATABASE_URL": empty_db, "RETURNS_ORDERS_FILE": str(EXAMPLES / "demo-orders.json"),
                        "RETURNS_TENANT": "demo", "RETURNS_ADMIN_TOKEN": ADMIN_TOKEN}.items():
        monkeypatch.setenv(name, value)
    return empty_db


def test_simulate_prints_the_totals_and_the_returns_that_change(seeded, tmp_path, capsys):
    proposal = tmp_path / "lower.json"
    proposal.write_text(json.dumps({"keep_item_thresholds": {"USD": "15.00"}}))
    assert main(["simulate", "--channel", "default-channel", "--policy", str(proposal), "--since", "90d",
                 "--limit", "0"]) == 0
    out = capsys.readouterr().out
    assert "What was decided, and what the proposal would have decided" in out
    changed = int(out.split(" returns would change")[0].rsplit("\n", 1)[-1].strip())
    assert changed > 10
    assert out.count("keep_item: KEEP_ITEM → SHIP_BACK") == changed  # every change listed, with its rule


def test_simulate_takes_the_channel_from_a_whole_policy_file_and_refuses_bad_input(seeded, tmp_path, capsys):
    assert main(["simulate", "--channel", "default-channel", "--policy", str(EXAMPLES / "policy.json"),
                 "--since", "30d"]) == 0
    assert "0 returns would change" in capsys.readouterr().out  # the file is the current policy
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"window_days": 5000}))
    assert main(["simulate", "--channel", "default-channel", "--policy", str(bad)]) == 2
    assert "INVALID_INPUT (input.windowDays)" in capsys.readouterr().err
    assert main(["simulate", "--channel", "nowhere", "--policy", str(bad), "--since", "500d"]) == 2
    assert "INVALID_INPUT (channel)" in capsys.readouterr().err


def test_report_writes_one_html_file_with_its_charts_and_tables(seeded, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", "--since", "90d", "--out", str(out)]) == 0
    html = out.read_text()
    assert "Chart.js v4.6.1" in html and "<script src" not in html and "https://" not in html.split("<script>")[0]
    # four charts; tables: the headline, days, reasons, products, statuses, resolutions
    assert html.count("<canvas") == 4 and html.count("<table>") == 6
    assert "Headline figures" in html and "USD" in html and "JPY" in html
