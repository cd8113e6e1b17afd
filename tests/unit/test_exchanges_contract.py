"""graphql/schema.graphql keeps the contract of exchanges and store credit (../shared/design/api/exchanges.md)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDL = ROOT / "graphql" / "schema.graphql"
SHARED = ROOT.parent / "shared"
CHECKER = SHARED / "tools" / "check_contract.py"
CONTRACT = SHARED / "design" / "api" / "exchanges.md"


def test_sdl_keeps_the_exchanges_contract():
    if not (CHECKER.exists() and CONTRACT.exists()):
        if os.environ.get("CI"):
            pytest.fail(f"{CHECKER} or {CONTRACT} is missing: CI must run with ../shared beside the checkout")
        pytest.skip("../shared/ is not beside this checkout")
    result = subprocess.run([sys.executable, str(CHECKER), str(SDL), str(CONTRACT)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(" 0 failed")
    assert int(result.stdout.strip().split()[-4]) > 50  # the contract's types were all checked, not none
