"""Money ↔ Stripe's integer minor units, with Stripe's own exponent table (not CLDR's).

Stripe sends most currencies with two decimals; zero-decimal currencies as whole units; the
three-decimal ones ×1000 with the last digit 0; ISK ×100 with the amount divisible by 100.
Amounts that Stripe cannot represent are refused here rather than rounded: money is never
changed silently on its way to the provider.
"""
from __future__ import annotations

from decimal import Decimal

from ...domain.money import Money

ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())
WHOLE_UNITS_AS_CENTS = frozenset({"ISK"})  # two-decimal at Stripe, but only whole krónur


class UnrepresentableAmount(ValueError):
    """The amount has more precision than Stripe accepts for its currency."""


def stripe_exponent(currency: str) -> int:
    """Decimal places Stripe uses on the wire for `currency` (ISO 4217, any case)."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def _step(currency: str) -> int:
    """Minor amounts must be a multiple of this (Stripe's rounding rule for the currency)."""
    code = currency.upper()
    if code in THREE_DECIMAL:
        return 10
    if code in WHOLE_UNITS_AS_CENTS:
        return 100
    return 1


def to_minor(money: Money) -> int:
    """The integer amount Stripe expects, e.g. 19.99 USD → 1999, 1800 JPY → 1800, 1.250 KWD → 1250,
    500 ISK → 50000. Raises UnrepresentableAmount (e.g. 1.235 KWD: Stripe needs the last digit 0)."""
    scaled = money.amount.scaleb(stripe_exponent(money.currency))
    if scaled != scaled.to_integral_value():
        raise UnrepresentableAmount(f"{money} has more decimals than Stripe takes for {money.currency}")
    minor = int(scaled)
    if minor % _step(money.currency):
        raise UnrepresentableAmount(f"Stripe takes {money.currency} amounts only in steps of "
                                    f"{Decimal(_step(money.currency)).scaleb(-stripe_exponent(money.currency))}; "
                                    f"{money} is not one")
    return minor


def from_minor(minor: int, currency: str) -> Money:
    """Money from Stripe's integer amount (the inverse of to_minor). Raises UnrepresentableAmount when
    the amount does not fit the currency's precision here (e.g. 12345 ISK-cents)."""
    code = currency.upper()
    amount = Decimal(int(minor)).scaleb(-stripe_exponent(code))
    money = Money(amount, code)
    if money.amount != amount:
        raise UnrepresentableAmount(f"{minor} minor units of {code} is not a whole amount of {code} here")
    return money
