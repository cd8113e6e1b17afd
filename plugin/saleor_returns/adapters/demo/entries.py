"""Reading the demo orders file one JSON object at a time, knowing where it sits
(``orders[2] (ORD-3).lines[0]``), so every error names the entry and the field."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ...domain.money import Money, currency_exponent, is_known_currency, parse_decimal, quantize

_RELATIVE = re.compile(r"^([+-])(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class DemoStoreError(ValueError):
    """The demo orders file is invalid; the message names the file, the entry and the field."""

    def __init__(self, where: str, detail: str, source: str = "<data>") -> None:
        super().__init__(f"{source}: {where}: {detail}")
        self.source = source
        self.where = where
        self.detail = detail


def shown(value: Any) -> str:
    """A JSON value as an error message quotes it."""
    return "null" if value is None else repr(value)


class Entry:
    """One JSON object of the file and its place in it (`orders[2] (ORD-3).lines[0]`)."""

    def __init__(self, raw: Any, where: str, source: str) -> None:
        if not isinstance(raw, dict):
            raise DemoStoreError(where or "top level", f"expected an object, got {shown(raw)}", source)
        self.raw: dict[str, Any] = raw
        self.where = where
        self.source = source

    def at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str, detail: str) -> DemoStoreError:
        return DemoStoreError(self.at(key), detail, self.source)

    def child(self, key: str, index: int, raw: Any, label_key: str | None = None) -> "Entry":
        label = raw.get(label_key) if label_key and isinstance(raw, dict) else None
        suffix = f" ({label})" if isinstance(label, (str, int)) and not isinstance(label, bool) else ""
        return Entry(raw, f"{self.at(key)}[{index}]{suffix}", self.source)

    def nested(self, key: str) -> "Entry | None":
        raw = self.raw.get(key)
        return None if raw is None else Entry(raw, self.at(key), self.source)

    def items(self, key: str, required: bool = False) -> list[Any]:
        value = self.raw.get(key)
        if value is None and not required:
            return []
        if value is None:
            raise self.error(key, "missing")
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {shown(value)}")
        return value

    def opt_text(self, key: str, allow_int: bool = False) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and allow_int:
            return str(value)
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {shown(value)}")
        return value.strip() or None

    def text(self, key: str, allow_int: bool = False) -> str:
        if self.raw.get(key) is None:
            raise self.error(key, "missing")
        value = self.opt_text(key, allow_int)
        if value is None:
            raise self.error(key, "must not be empty")
        return value

    def count(self, key: str) -> int:
        value = self.raw.get(key)
        if value is None:
            raise self.error(key, "missing")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected a whole number, got {shown(value)}")
        if value < 1:
            raise self.error(key, f"must be at least 1, got {value}")
        return value

    def opt_amount(self, key: str, currency: str) -> Money | None:
        value = self.raw.get(key)
        if value is None:
            return None
        try:
            return _money(value, currency)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def amount(self, key: str, currency: str) -> Money:
        result = self.opt_amount(key, currency)
        if result is None:
            raise self.error(key, "missing")
        return result

    def moment(self, key: str, now: datetime, zone: ZoneInfo | None = None) -> datetime:
        value = self.raw.get(key)
        if value is None:
            raise self.error(key, "missing")
        if not isinstance(value, str):
            raise self.error(key, f"expected a date-time string, got {shown(value)}")
        try:
            return resolve_time(value, now, zone)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def currency(self, key: str) -> str:
        code = self.text(key)
        if not is_known_currency(code):
            raise self.error(key, f"unknown currency {code!r} (use an ISO 4217 code such as USD)")
        return code


def _money(value: Any, currency: str) -> Money:
    if isinstance(value, float):
        raise ValueError(f"got the JSON number {value!r}; write amounts as strings, e.g. \"{value}\" "
                         "(floats lose cents)")
    amount = parse_decimal(value)
    if amount < 0:
        raise ValueError(f"must not be negative: {value!r}")
    if quantize(amount, currency) != amount:
        raise ValueError(f"{value!r} has more decimals than {currency} allows ({currency_exponent(currency)})")
    return Money(amount, currency)


def resolve_time(value: str, now: datetime, zone: ZoneInfo | None = None) -> datetime:
    """An ISO 8601 datetime with offset, or an offset from `now` such as "-31d", "-2h", "-90m", "+1d".

    Days count calendar days in `zone` (same wall-clock time), hours and minutes elapsed time; UTC result.
    """
    match = _RELATIVE.match(value.strip())
    if match:
        sign, number, unit = match.groups()
        delta = timedelta(**{_UNITS[unit]: int(number)})
        # aware arithmetic in a ZoneInfo zone is wall-clock arithmetic: a DST change does not shift the day
        start = now.astimezone(zone) if unit == "d" and zone is not None else now
        return (start + delta if sign == "+" else start - delta).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not a date-time: {value!r} (use ISO 8601 with an offset such as "
                         "2024-05-01T10:00:00+02:00, or an offset from now such as -31d, -2h, -90m)") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{value!r} has no UTC offset (write e.g. 2024-05-01T10:00:00+02:00)")
    return parsed.astimezone(UTC)
