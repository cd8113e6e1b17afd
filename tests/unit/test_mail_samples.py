"""docs/notifications/ shows what each message says: it must be what the templates write today."""
from __future__ import annotations

from pathlib import Path

from saleor_returns.adapters.mail.samples import render_all

DOCS = Path(__file__).resolve().parents[2] / "docs" / "notifications"


def test_the_committed_samples_are_what_the_templates_write():
    # a drift means a template changed without `python -m saleor_returns.adapters.mail.samples docs/notifications`
    expected = render_all(DOCS)
    assert len(expected) == 53  # thirteen kinds, two languages, text and HTML, and the index
    for path, content in expected.items():
        assert path.read_text(encoding="utf-8") == content, path
    assert sorted(p for p in DOCS.rglob("*") if p.is_file()) == sorted(expected)
