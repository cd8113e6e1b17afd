"""Default daily goodwill budgets per currency, for stores that set none.

One number for every currency made no sense (2,000 yen is about 13 dollars). These are round amounts of
roughly the same value as 2,000 US dollars, chosen once and not tracked to exchange rates: a store sets
its own in RETURNS_GOODWILL_DAILY or in the console. A currency not listed has no default budget (0):
out-of-policy approvals in it need a store owner until a budget is set.
"""
from __future__ import annotations

from decimal import Decimal

from .money import Money

DEFAULT_DAILY: dict[str, Decimal] = {
    "USD": Decimal("2000"), "EUR": Decimal("2000"), "GBP": Decimal("1500"), "CHF": Decimal("2000"),
    "CAD": Decimal("2500"), "AUD": Decimal("3000"), "NZD": Decimal("3000"), "JPY": Decimal("300000"),
    "CNY": Decimal("15000"), "HKD": Decimal("15000"), "SGD": Decimal("2500"), "KRW": Decimal("2500000"),
    "INR": Decimal("150000"), "SEK": Decimal("20000"), "NOK": Decimal("20000"), "DKK": Decimal("15000"),
    "PLN": Decimal("8000"), "CZK": Decimal("45000"), "BRL": Decimal("10000"), "MXN": Decimal("35000"),
}


def default_daily_budget(currency: str) -> Money:
    """The built-in daily budget in `currency` (zero where there is none)."""
    code = currency.upper()
    return Money(DEFAULT_DAILY.get(code, Decimal(0)), code)
