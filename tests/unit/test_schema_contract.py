"""graphql/schema.graphql is what we serve, and it keeps the public contract of ../shared/design/API.md."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from saleor_returns.graphql.schema import export_sdl

ROOT = Path(__file__).resolve().parents[2]
SDL = ROOT / "graphql" / "schema.graphql"
CHECKER = ROOT.parent / "shared" / "tools" / "check_contract.py"
DESIGN = ROOT.parent / "shared" / "design"


def test_committed_sdl_matches_the_served_schema():
    # a drift means someone changed the API without `saleor-returns export-schema -o graphql/schema.graphql`
    assert SDL.read_text() == export_sdl()


@pytest.mark.parametrize("contract", [None, "api/portal.md"], ids=["API.md", "portal.md"])
def test_sdl_keeps_the_public_contract(contract):
    if not CHECKER.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHECKER} is missing: CI must run with ../shared beside the checkout")
        pytest.skip("../shared/tools/check_contract.py is not beside this checkout")
    args = [str(SDL)] + ([str(DESIGN / contract)] if contract else [])
    result = subprocess.run([sys.executable, str(CHECKER), *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(" 0 failed")


def test_sdl_keeps_the_notifications_contract():
    # ../shared/design/api/notifications.md: ReturnRequest.notifications, Notification, its enums
    contract = ROOT.parent / "shared" / "design" / "api" / "notifications.md"
    if not CHECKER.exists() or not contract.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHECKER} or {contract} is missing: CI must run with ../shared beside the checkout")
        pytest.skip("../shared is not beside this checkout")
    result = subprocess.run([sys.executable, str(CHECKER), str(SDL), str(contract)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(" 0 failed")
