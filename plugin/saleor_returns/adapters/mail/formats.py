"""Dates and amounts as the reader's language writes them (babel), always in the store's time zone."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency


def locale_of(language: str | None, default: str = "en") -> Locale:
    """The babel locale of a language code ("de", "pt_BR", "de-AT"); the default when unknown."""
    if language:
        try:
            return Locale.parse(language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(default)


def deadline(moment: datetime, timezone: str, locale: Locale) -> str:
    """The one deadline, as the portal prints it: "Friday, November 27, 2026 at 11:59 PM EST (America/New_York)"."""
    local = moment.astimezone(ZoneInfo(timezone))
    pattern = str(get_datetime_format("full", locale=locale))
    joined = pattern.replace("{1}", format_date(local, "full", locale=locale)) \
        .replace("{0}", format_time(local, "short", locale=locale)).replace("'", "")
    return f"{joined} {local.tzname()} ({timezone})"


def amount(value: Decimal | str, currency: str, locale: Locale) -> str:
    """"$12.00", "12,00 €", "¥1,200": the currency's own precision, the reader's separators."""
    return format_currency(Decimal(str(value)), currency, locale=locale)
