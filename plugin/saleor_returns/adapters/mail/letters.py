"""The letters: one Jinja2 template per kind and language (templates/<language>/<kind>.j2), rendered twice —
as plain text and as e-mail-safe HTML — through two layouts and two sets of building blocks (macros).

Languages are folders: the reader's language where a folder exists ("de_AT" → de), else English. Dates are
the one deadline in the store's time zone, amounts in the currency's format, both as the reader's language
writes them (babel). The HTML environment autoescapes everything; the text one escapes nothing.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from ...domain.outbox import Notification, Rendered
from ...domain.returns import Return
from ...ports.mail import Letterhead
from .formats import amount, deadline, locale_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
# where the parcel goes: the carrier is printed on the label (EasyPost and Shippo buy from many)
DROP_OFF = {"en": "the carrier named on the label", "de": "dem Versanddienst auf dem Etikett"}
# why a return is in review, for staff (domain ReviewCode values)
REVIEW_WORDS = {"EXCEPTION_REQUESTED": "the shopper asked for an exception", "IN_GRACE": "asked in the grace period",
                "ABOVE_REVIEW_THRESHOLD": "the refund is above the review threshold"}


class JinjaLetters:
    """ports.LetterWriter with Jinja2."""

    def __init__(self, folder: Path = TEMPLATES) -> None:
        self.folder = folder
        self.languages = sorted((p.name for p in folder.iterdir() if p.is_dir()), key=lambda name: (name != "en", name))
        options: dict[str, Any] = {"loader": FileSystemLoader(folder), "undefined": StrictUndefined,
                                   "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": False}
        self.text = Environment(autoescape=False, **options)
        self.html = Environment(autoescape=True, **options)

    def language(self, wanted: str | None) -> str:
        """The template folder for a reader's language: its own, its base language's, else English."""
        if wanted:
            for candidate in (wanted.replace("-", "_"), wanted.replace("-", "_").split("_")[0].lower()):
                if candidate in self.languages:
                    return candidate
        return "en"

    def write(self, message: Notification, ret: Return, head: Letterhead) -> Rendered:
        folder = self.language(message.language)
        context = letter_context(message, ret, head, folder)
        name = f"{folder}/{message.kind.value.lower()}.j2"
        text_tmpl = self.text.get_template(name)
        subject = " ".join(_block(text_tmpl, "subject", {**context, "layout": "layout.txt.j2",
                                                           "macros": "macros.txt.j2"}).split())
        context["subject"] = subject
        text = text_tmpl.render(context, layout="layout.txt.j2", macros="macros.txt.j2")
        html = self.html.get_template(name).render(context, layout="layout.html.j2", macros="macros.html.j2")
        return Rendered(subject=subject, text=_tidy(text), html=html)


def _block(template: Template, name: str, context: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(context)))


def _tidy(text: str) -> str:
    """At most one empty line in a row, no trailing spaces (the signature's "-- " keeps its space)."""
    out: list[str] = []
    for line in text.splitlines():
        line = line if line == "-- " else line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def letter_context(message: Notification, ret: Return, head: Letterhead, folder: str) -> dict[str, Any]:
    """Everything a template may print, already formatted for its reader."""
    wanted = locale_of(message.language, default=folder)
    locale = wanted if wanted.language == folder.split("_")[0] else locale_of(folder)  # no mixed letters
    facts = message.facts
    currency = str(facts.get("currency") or ret.currency)
    money = amount(Decimal(str(facts.get("amount") or ret.refund_total.amount)), currency, locale)

    def moment(raw: Any) -> str | None:
        return deadline(datetime.fromisoformat(raw), ret.timezone, locale) if raw else None

    return {
        "lang": folder, "folder": folder, "store": head.store_name, "number": ret.number,
        "order_number": ret.order_number, "name": message.to_name if not message.kind.for_staff else None,
        "email": ret.customer_email, "staff": message.kind.for_staff,
        "items": [{"product": line.product_name, "quantity": line.quantity} for line in ret.lines],
        "keeps": facts.get("resolution") == "KEEP_ITEM", "amount": money,
        "deadline": deadline(ret.deadline, ret.timezone, locale) if ret.deadline else None,
        "ship_by": moment(facts.get("ship_by")), "expires": moment(facts.get("expires_at")),
        "carrier_name": DROP_OFF.get(folder, DROP_OFF["en"]),
        "local_label": facts.get("carrier") == "local",  # drawn here: page 2 is the packing slip
        "tracking_number": facts.get("tracking_number"), "note": facts.get("note"),
        "review": ", ".join(REVIEW_WORDS.get(c, c.replace("_", " ").lower()) for c in facts.get("review_codes", ())),
        "exception_requested": bool(facts.get("exception_requested")), "refunded": bool(facts.get("refunded")),
        "portal_url": head.portal_url, "console_url": head.console_url, "label_url": head.label_url,
        "code": facts.get("code"), "replacement_number": facts.get("replacement_number"),
        "bonus": amount(Decimal(str(facts["bonus"])), currency, locale) if facts.get("bonus") else None,
        "replacement_items": facts.get("replacement_items") or [],
        "store_credit": bool(facts.get("store_credit")),
    }
