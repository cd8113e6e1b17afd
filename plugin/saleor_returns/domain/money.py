"""Money as a value object: Decimal amount + ISO 4217 currency, quantized on the way in."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies


class UnknownCurrency(ValueError):
    """The currency code is not an ISO 4217 code known to CLDR."""


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def is_known_currency(code: str) -> bool:
    return code in _known_currencies()


@cache
def currency_exponent(code: str) -> int:
    """Number of decimal places of `code` (CLDR); raises UnknownCurrency."""
    if not is_known_currency(code):
        raise UnknownCurrency(code)
    return int(get_currency_precision(code))


@cache
def _quantum(code: str) -> Decimal:
    """The currency's smallest step (0.01, 1, 0.001): computed once per currency (money is made often)."""
    return Decimal(1).scaleb(-currency_exponent(code))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """The one function that rounds money: half-up to the currency's precision."""
    exp = _quantum(currency)
    try:
        return amount.quantize(exp, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than Decimal holds: an input error, not a crash
        raise ValueError(f"amount out of range: {amount}") from exc


def parse_decimal(value: object) -> Decimal:
    """A Decimal from a string/int/Decimal; floats are refused (they lose cents)."""
    if isinstance(value, float):
        raise ValueError("money must not be given as a float")
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        currency = self.currency
        if not currency.isupper():
            currency = currency.upper()
            object.__setattr__(self, "currency", currency)
        amount = self.amount if type(self.amount) is Decimal else parse_decimal(self.amount)
        if not amount.is_finite():
            raise ValueError("amount must be finite")
        object.__setattr__(self, "amount", quantize(amount, currency))

    @classmethod
    def of(cls, amount: object, currency: str) -> "Money":
        return cls(parse_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return _zero(currency)  # a value: made once per currency (refund math asks for it very often)

    def _same(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return _quantized(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return _quantized(self.amount - other.amount, self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount >= other.amount

    def times(self, factor: int | Decimal) -> "Money":
        return Money(self.amount * Decimal(factor), self.currency)

    def percent(self, pct: Decimal) -> "Money":
        return Money(self.amount * pct / Decimal(100), self.currency)

    def min(self, other: "Money") -> "Money":
        return self if self <= other else other

    def max(self, other: "Money") -> "Money":
        return self if self >= other else other

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def minor_step(self) -> Decimal:
        return _quantum(self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@cache
def _zero(currency: str) -> Money:
    return Money(Decimal(0), currency)


def _quantized(amount: Decimal, currency: str) -> Money:
    """The sum or difference of two amounts of one currency: already at its precision (both were), so it is not
    rounded again; an amount past Decimal's 28 digits still goes through the checks of Money()."""
    if amount.adjusted() >= 24:
        return Money(amount, currency)
    made = object.__new__(Money)
    object.__setattr__(made, "amount", amount)
    object.__setattr__(made, "currency", currency)
    return made


def total(items: "list[Money] | tuple[Money, ...]", currency: str) -> Money:
    result = Money.zero(currency)
    for item in items:
        result = result + item
    return result


def allocate(whole: Money, weights: "list[Decimal] | list[int]") -> list[Money]:
    """Split `whole` over `weights` by largest remainder: parts sum exactly to the whole."""
    if not weights:
        return []
    step = whole.minor_step
    units = int(whole.amount / step)
    if units >= 0 and all(w == 1 for w in weights):  # a line over its units: what the general case gives, cheaper
        base, extra = divmod(units, len(weights))
        low = _quantized(Decimal(base) * step, whole.currency)
        high = _quantized(Decimal(base + 1) * step, whole.currency) if extra else low
        return [high] * extra + [low] * (len(weights) - extra)
    weight_sum = sum(Decimal(w) for w in weights)
    if weight_sum == 0:
        shares = [Decimal(units) / len(weights)] * len(weights)
    else:
        shares = [Decimal(units) * Decimal(w) / weight_sum for w in weights]
    floors = [int(s) for s in shares]  # int() truncates toward zero; units may be negative
    left = units - sum(floors)
    sign = 1 if left >= 0 else -1
    order = sorted(range(len(shares)), key=lambda i: (-(abs(shares[i] - floors[i])), i))
    for i in order[: abs(left)]:
        floors[i] += sign
    return [Money(Decimal(f) * step, whole.currency) for f in floors]


def parse_amounts(raw: str) -> tuple[Money, ...]:
    """"USD=2000,JPY=300000" → Money per currency; ValueError names what is wrong."""
    out = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        code, _, amount = part.partition("=")
        code = code.strip().upper()
        if not is_known_currency(code):
            raise ValueError(f"unknown currency {code!r}")
        out.append(Money(parse_decimal(amount), code))
    return tuple(out)
