"""Every message, in every language, written for a sample return: `python -m saleor_returns.adapters.mail.samples
docs/notifications` writes them (plain text and HTML) with an index, so the docs show what shoppers and staff
read. The output is committed; tests/unit/test_mail_samples.py says when it is out of date."""
from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ...domain.actors import SYSTEM
from ...domain.decision_record import DecisionRecord, ReviewCode
from ...domain.events import EventType
from ...domain.lifecycle import Resolution, ReturnStatus
from ...domain.money import Money
from ...domain.outbox import Notification, NotificationKind
from ...domain.returns import Return, ReturnLine
from ...ports.mail import Letterhead
from .letters import JinjaLetters

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 28, 4, 59, 59, tzinfo=UTC)  # the end of Nov 27 in New York
BASE = "https://returns.example.com"
HEAD = Letterhead(store_name="Saleor Demo Store", portal_url=f"{BASE}/portal/returns/3f2a9c1e?email=ada%40example.com",
                  console_url=f"{BASE}/console#/returns/3f2a9c1e",
                  label_url=f"{BASE}/labels/7b1d.pdf?expires=1796428800&signature=5e0c…")
FACTS = {"resolution": "SHIP_BACK", "amount": "1299.00", "currency": "USD", "label_id": "7b1d", "carrier": "easypost",
         "tracking_number": "9400111899223408712345", "ship_by": DEADLINE.isoformat(),
         "expires_at": (DEADLINE + timedelta(days=30)).isoformat(),
         "note": "The laptop shows heavy use and a cracked hinge; we cannot take it back as new.",
         "review_codes": ["EXCEPTION_REQUESTED"], "exception_requested": True, "refunded": False,
         "code": "SC-7KQ2-M9XD-4HTA", "bonus": "129.90", "replacement_number": "X-R-10042",
         "replacement_items": [{"product": "Laptop 14 → Laptop 14 (US keyboard)", "quantity": 1}]}
KEEP = {NotificationKind.KEEP_ITEM_REFUNDED}


def sample_return() -> Return:
    ret = Return(id="3f2a9c1e", tenant="demo", order_id="ORD-1001", order_number="1001", channel="default-channel",
                 timezone="America/New_York", customer_email="ada@example.com", customer_id=None,
                 status=ReturnStatus.LABEL_ISSUED, resolution=Resolution.SHIP_BACK,
                 refund_total=Money(Decimal("1299.00"), "USD"), shipping_deduction=Money.zero("USD"),
                 shipping_refund=Money.zero("USD"), policy_version=1,
                 decision=DecisionRecord(review_codes=(ReviewCode.EXCEPTION_REQUESTED,)), created_at=NOW,
                 updated_at=NOW, number="R-10042", deadline=DEADLINE, customer_name="Ada Lovelace")
    ret.lines.append(ReturnLine("L-1001-1", "Laptop 14", "LAP-14", 1, "DAMAGED", None, Money(Decimal("1299"), "USD")))
    ret.log(NOW, SYSTEM, EventType.REQUESTED)
    return ret


def render_all(out: Path, letters: JinjaLetters | None = None) -> dict[Path, str]:
    """{path: content} of every sample (not written)."""
    letters = letters or JinjaLetters()
    files: dict[Path, str] = {}
    index = ["# What each message says", "",
             "Rendered by `python -m saleor_returns.adapters.mail.samples docs/notifications` for a sample return",
             "(R-10042, a laptop shipped back; amounts and dates as the reader's language writes them). Each kind has",
             "a plain-text and an HTML part; the HTML is what an e-mail client shows.", "",
             "| message | to | English | German |", "| --- | --- | --- | --- |"]
    for kind in NotificationKind:
        cells = []
        for language in letters.languages:
            facts = {**FACTS, "resolution": "KEEP_ITEM"} if kind in KEEP else dict(FACTS)
            message = Notification(id="sample", tenant="demo", return_id="3f2a9c1e", kind=kind,
                                   to="staff@shop.example" if kind.for_staff else "ada@example.com", dedupe_key="k",
                                   created_at=NOW, to_name="Ada Lovelace", language=language, facts=facts)
            written = letters.write(message, sample_return(), HEAD)
            name = kind.value.lower()
            files[out / language / f"{name}.txt"] = f"Subject: {written.subject}\n\n{written.text}"
            files[out / language / f"{name}.html"] = written.html
            cells.append(f"[{written.subject}]({language}/{name}.txt) ([HTML]({language}/{name}.html))")
        to = "each of `RETURNS_STAFF_EMAILS`" if kind.for_staff else "the shopper"
        index.append(f"| `{kind.value}` | {to} | " + " | ".join(cells) + " |")
    files[out / "README.md"] = "\n".join(index) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/notifications")
    for path, content in render_all(out).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
