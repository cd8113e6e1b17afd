"""Names every test may import (conftest.py modules shadow each other, so they live here)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ADMIN_TOKEN = "test-admin-token-0123456789"
OWNER_TOKEN = "test-owner-token-0123456789"
