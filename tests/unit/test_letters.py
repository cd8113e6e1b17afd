"""The letters (adapters/mail/letters.py): every kind in English and German, with the store's name and the return
number in the subject, the deadline in store time, amounts in the currency's format, and HTML that is safe in an
e-mail client: no external resources, no scripts, no style sheets, inline styles only, everything escaped."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from saleor_returns.adapters.mail.letters import JinjaLetters
from saleor_returns.domain.actors import SYSTEM
from saleor_returns.domain.decision_record import DecisionRecord, ReviewCode
from saleor_returns.domain.events import EventType
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.money import Money
from saleor_returns.domain.outbox import Notification, NotificationKind
from saleor_returns.domain.returns import Return, ReturnLine
from saleor_returns.ports.mail import Letterhead

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 28, 4, 59, 59, tzinfo=UTC)  # 23:59:59 on Nov 27 in New York
HEAD = Letterhead(store_name="Café Zoë", portal_url="https://returns.example/portal/returns/r-1?email=a%40b.c",
                  console_url="https://returns.example/console#/returns/r-1",
                  label_url="https://returns.example/labels/lb-1.pdf?expires=1&signature=ab")
LETTERS = JinjaLetters()
FACTS = {"resolution": "SHIP_BACK", "amount": "1299.50", "currency": "EUR", "label_id": "lb-1", "carrier": "shippo",
         "tracking_number": "1Z999", "ship_by": DEADLINE.isoformat(), "expires_at": (DEADLINE + timedelta(days=30))
         .isoformat(), "note": "Used <b>twice</b> & scratched", "review_codes": ["EXCEPTION_REQUESTED"],
         "exception_requested": True, "refunded": False}


def a_return() -> Return:
    ret = Return(id="r-1", tenant="demo", order_id="o-1", order_number="1001", channel="c",
                 timezone="America/New_York", customer_email="zoe@example.com", customer_id=None,
                 status=ReturnStatus.APPROVED, resolution=Resolution.SHIP_BACK,
                 refund_total=Money(Decimal("1299.50"), "EUR"), shipping_deduction=Money.zero("EUR"),
                 shipping_refund=Money.zero("EUR"), policy_version=1,
                 decision=DecisionRecord(review_codes=(ReviewCode.EXCEPTION_REQUESTED,)), created_at=NOW,
                 updated_at=NOW, number="R-10042", deadline=DEADLINE, customer_name="Zoë Ünal")
    ret.lines.append(ReturnLine("L1", "Tasse «Grün»", None, 2, "DAMAGED", None, Money(Decimal("10"), "EUR")))
    ret.log(NOW, SYSTEM, EventType.REQUESTED)
    return ret


def message(kind: NotificationKind, language: str | None) -> Notification:
    return Notification(id="n-1", tenant="demo", return_id="r-1", kind=kind, to="zoe@example.com",
                        dedupe_key="k", created_at=NOW, to_name="Zoë Ünal", language=language, facts=dict(FACTS))


class Audit(HTMLParser):
    """What an e-mail client would load or run, and how the page is styled."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if tag in ("script", "style", "link", "img", "iframe", "object", "embed", "form", "base"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name in ("src", "background", "srcset") or name.startswith("on") or name == "class":
                self.problems.append(f"{tag}[{name}]")
            if name == "style" and value and ("url(" in value or "@import" in value or "expression(" in value):
                self.problems.append(f"{tag} style loads {value}")
        if tag == "a":
            self.links.append(found.get("href") or "")


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_is_written_in_both_languages(kind: NotificationKind, language: str):
    out = LETTERS.write(message(kind, language), a_return(), HEAD)

    assert "Café Zoë" in out.subject and "R-10042" in out.subject and "\n" not in out.subject
    for body in (out.text, out.html):
        assert "R-10042" in body and "{{" not in body and "{%" not in body
        if kind is not NotificationKind.REFUND_SENT:  # what comes back is listed (the refund mail is about money)
            assert "2 × Tasse «Grün»" in body
    audit = Audit()
    audit.feed(out.html)
    assert audit.problems == []
    assert audit.links and all(href.startswith("https://returns.example/") for href in audit.links)
    assert "style=" in out.html and out.html.lstrip().startswith("<!DOCTYPE html>")
    assert f'lang="{language}"' in out.html
    if kind in (NotificationKind.LABEL_READY, NotificationKind.LABEL_EXPIRING):
        assert HEAD.label_url in out.text
    if kind is NotificationKind.STAFF_REVIEW_NEEDED:
        assert HEAD.console_url in out.text
    else:
        assert HEAD.portal_url in out.text


def test_amounts_and_the_deadline_are_written_as_the_reader_writes_them():
    en = LETTERS.write(message(NotificationKind.LABEL_READY, "en"), a_return(), HEAD)
    de = LETTERS.write(message(NotificationKind.LABEL_READY, "de_AT"), a_return(), HEAD)
    en_text, de_text = (t.replace("\u202f", " ").replace("\xa0", " ") for t in (en.text, de.text))  # CLDR spaces
    assert "€1,299.50" in en_text and "Friday, November 27, 2026, 11:59 PM EST (America/New_York)" in en_text
    assert "€ 1.299,50" in de_text and "Freitag, 27. November 2026, 23:59 EST (America/New_York)" in de_text
    assert "Hallo Zoë Ünal," in de.text and "Hi Zoë Ünal," in en.text


def test_only_a_local_label_promises_a_packing_slip():
    bought = LETTERS.write(message(NotificationKind.LABEL_READY, "en"), a_return(), HEAD)  # shippo
    assert "packing slip" not in bought.text and "a note with the return number R-10042" in bought.text
    local = message(NotificationKind.LABEL_READY, "de")
    local.facts["carrier"] = "local"
    assert "Packzettel (Seite 2)" in LETTERS.write(local, a_return(), HEAD).text


def test_an_unknown_language_is_written_in_english():
    out = LETTERS.write(message(NotificationKind.APPROVED, "sw"), a_return(), HEAD)
    assert out.subject == "Café Zoë: your return R-10042 is approved"


def test_what_people_typed_is_escaped_in_html_and_kept_in_text():
    out = LETTERS.write(message(NotificationKind.REJECTED, "en"), a_return(), HEAD)
    assert "Used &lt;b&gt;twice&lt;/b&gt; &amp; scratched" in out.html and "<b>twice" not in out.html
    assert "> Used <b>twice</b> & scratched" in out.text
