"""The merchant's return policy for one channel, with overrides and versions (DOMAIN.md)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from .money import Money, is_known_currency, parse_decimal


class WindowStart(str, Enum):
    FULFILLED = "FULFILLED"
    ORDERED = "ORDERED"


class GraceMode(str, Enum):
    AUTO_APPROVE = "AUTO_APPROVE"
    REVIEW = "REVIEW"


class RefundTiming(str, Enum):
    ON_APPROVAL = "ON_APPROVAL"
    ON_FIRST_SCAN = "ON_FIRST_SCAN"
    ON_RECEIPT = "ON_RECEIPT"


class ReturnShipping(str, Enum):
    FREE = "FREE"
    FLAT_FEE = "FLAT_FEE"
    LABEL_COST = "LABEL_COST"


class ExchangeMode(str, Enum):
    """Which swaps a shopper may ask for instead of a refund (exchanges.md)."""

    OFF = "OFF"
    SAME_PRODUCT = "SAME_PRODUCT"  # another variant of the product bought, priced at or below what was paid


class OverrideLevel(str, Enum):
    PRODUCT_TYPE = "PRODUCT_TYPE"
    CATEGORY = "CATEGORY"
    PRODUCT = "PRODUCT"


# most specific wins: product > category > product type > channel
LEVEL_RANK = {OverrideLevel.PRODUCT_TYPE: 1, OverrideLevel.CATEGORY: 2, OverrideLevel.PRODUCT: 3}

DEFAULT_REASONS: tuple[str, ...] = (
    "DOES_NOT_FIT", "NOT_AS_DESCRIBED", "DAMAGED", "DEFECTIVE",
    "WRONG_ITEM", "CHANGED_MIND", "ARRIVED_LATE", "OTHER",
)
DEFAULT_COMMENT_REQUIRED: tuple[str, ...] = ("OTHER",)
# reasons for which the shopper is not at fault: no restocking fee
NO_FEE_REASONS: frozenset[str] = frozenset({"DAMAGED", "DEFECTIVE"})


class PolicyError(ValueError):
    """A policy setting is invalid; `field` names it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Override:
    level: OverrideLevel
    key: str  # product type / category / product name or id, as the order source reports it
    window_days: int | None = None
    grace_days: int | None = None
    final_sale: bool | None = None
    exchange_mode: ExchangeMode | None = None  # exchanges.md: e.g. no exchanges for one category


@dataclass(frozen=True, slots=True)
class SeasonalWindow:
    """Orders placed between `ordered_from` and `ordered_until` are returnable until `returnable_until`."""

    ordered_from: date
    ordered_until: date
    returnable_until: date


@dataclass(frozen=True, slots=True)
class KeepItemLimits:
    max_count: int = 3
    max_amount: tuple[Money, ...] = ()  # per currency; none means no amount cap
    days: int = 365

    def since(self, now: datetime) -> datetime:
        """The start of the look-back (`days` before `now`); the start of 1970 for a look-back longer than the
        calendar holds (a version saved before the bounds of domain/policy_bounds.py)."""
        try:
            return now - timedelta(days=self.days)
        except OverflowError:
            return datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Policy:
    window_days: int = 30
    window_starts: WindowStart = WindowStart.FULFILLED
    grace_days: int = 3
    grace_mode: GraceMode = GraceMode.AUTO_APPROVE
    seasonal: tuple[SeasonalWindow, ...] = ()
    keep_item_thresholds: tuple[Money, ...] = ()
    keep_item_cost_aware: bool = False
    expected_return_cost: tuple[Money, ...] = ()  # label + handling, per currency (cost-aware rule)
    keep_item_limits: KeepItemLimits = field(default_factory=KeepItemLimits)
    review_above: tuple[Money, ...] = ()
    refund_timing: RefundTiming = RefundTiming.ON_RECEIPT
    restocking_fee_percent: Decimal = Decimal(0)
    return_shipping: ReturnShipping = ReturnShipping.FREE
    return_shipping_fee: tuple[Money, ...] = ()  # per currency, with FLAT_FEE
    refund_shipping: bool = False
    reasons: tuple[str, ...] = DEFAULT_REASONS
    comment_required: tuple[str, ...] = DEFAULT_COMMENT_REQUIRED
    overrides: tuple[Override, ...] = ()
    exchange_mode: ExchangeMode = ExchangeMode.OFF
    store_credit_bonus_percent: Decimal | None = None  # None: store credit is not offered; 0: offered, no bonus
    instant_exchange: bool = False  # the replacement goes out at approval, not on receipt

    def __post_init__(self) -> None:
        validate(self)

    # --- per-currency look-ups -------------------------------------------------------
    def keep_item_threshold(self, currency: str) -> Money | None:
        return _in_currency(self.keep_item_thresholds, currency)

    def review_threshold(self, currency: str) -> Money | None:
        return _in_currency(self.review_above, currency)

    def return_cost(self, currency: str) -> Money | None:
        return _in_currency(self.expected_return_cost, currency)

    def flat_fee(self, currency: str) -> Money | None:
        return _in_currency(self.return_shipping_fee, currency)

    def keep_item_amount_cap(self, currency: str) -> Money | None:
        return _in_currency(self.keep_item_limits.max_amount, currency)

    # --- overrides ---------------------------------------------------------------------
    def for_line(self, product_type: str | None, category: str | None, product: str | None) -> "LineRules":
        """The window, grace and final-sale flag for one line; the most specific override wins."""
        keys = {OverrideLevel.PRODUCT_TYPE: product_type, OverrideLevel.CATEGORY: category,
                OverrideLevel.PRODUCT: product}
        window, grace, final_sale = self.window_days, self.grace_days, False
        sources = {"window_days": "channel", "grace_days": "channel", "final_sale": "channel"}
        for ov in sorted(self.overrides, key=lambda o: LEVEL_RANK[o.level]):
            if keys[ov.level] is None or keys[ov.level] != ov.key:
                continue
            where = f"{ov.level.value.lower()} {ov.key}"
            if ov.window_days is not None:
                window, sources["window_days"] = ov.window_days, where
            if ov.grace_days is not None:
                grace, sources["grace_days"] = ov.grace_days, where
            if ov.final_sale is not None:
                final_sale, sources["final_sale"] = ov.final_sale, where
        return LineRules(window, grace, final_sale, sources)

    def exchange_mode_for(self, product_type: str | None, category: str | None,
                          product: str | None) -> ExchangeMode:
        """The exchange mode for one line: the most specific override that sets one, else the channel's."""
        keys = {OverrideLevel.PRODUCT_TYPE: product_type, OverrideLevel.CATEGORY: category,
                OverrideLevel.PRODUCT: product}
        mode = self.exchange_mode
        for ov in sorted(self.overrides, key=lambda o: LEVEL_RANK[o.level]):
            if ov.exchange_mode is not None and keys[ov.level] is not None and keys[ov.level] == ov.key:
                mode = ov.exchange_mode
        return mode

    def requires_comment(self, reason: str) -> bool:
        return reason in self.comment_required

    def public(self) -> "Policy":
        """What shoppers may see: thresholds and review triggers are not advertised."""
        return replace(self, keep_item_thresholds=(), review_above=(), expected_return_cost=(),
                       keep_item_limits=KeepItemLimits())


@dataclass(frozen=True, slots=True)
class LineRules:
    window_days: int
    grace_days: int
    final_sale: bool
    sources: dict[str, str]


def _in_currency(items: tuple[Money, ...], currency: str) -> Money | None:
    for item in items:
        if item.currency == currency:
            return item
    return None


def _check_money_list(name: str, items: tuple[Money, ...]) -> None:
    seen: set[str] = set()
    for m in items:
        if m.amount < 0:
            raise PolicyError(name, f"{name}: amounts must not be negative ({m})")
        if m.currency in seen:
            raise PolicyError(name, f"{name}: {m.currency} given twice")
        seen.add(m.currency)


def validate(p: Policy) -> None:
    """Raise PolicyError for settings no merchant could mean."""
    for name in ("window_days", "grace_days"):
        value = getattr(p, name)
        if not isinstance(value, int) or value < 0 or value > 3650:
            raise PolicyError(name, f"{name} must be a whole number of days from 0 to 3650, got {value!r}")
    for name in ("keep_item_thresholds", "review_above", "expected_return_cost", "return_shipping_fee"):
        _check_money_list(name, getattr(p, name))
    _check_money_list("keep_item_limits", p.keep_item_limits.max_amount)
    if p.keep_item_limits.max_count < 0 or p.keep_item_limits.days < 1:
        raise PolicyError("keep_item_limits", "keep-item limits need count ≥ 0 and days ≥ 1")
    if not (Decimal(0) <= p.restocking_fee_percent <= Decimal(100)):
        raise PolicyError("restocking_fee_percent", "restocking fee must be between 0 and 100 percent")
    bonus = p.store_credit_bonus_percent
    if bonus is not None and not (bonus.is_finite() and Decimal(0) <= bonus <= Decimal(100)):
        raise PolicyError("store_credit_bonus_percent", "the store credit bonus must be between 0 and 100 percent")
    if not p.reasons:
        raise PolicyError("reasons", "at least one return reason is needed")
    for reason in p.comment_required:
        if reason not in p.reasons:
            raise PolicyError("comment_required", f"comment_required names unknown reason {reason}")
    for s in p.seasonal:
        if s.ordered_from > s.ordered_until:
            raise PolicyError("seasonal", "seasonal window: ordered_from is after ordered_until")
        if s.returnable_until < s.ordered_from:
            raise PolicyError("seasonal", "seasonal window: returnable_until is before the orders it covers")
    for ov in p.overrides:
        for name in ("window_days", "grace_days"):
            v = getattr(ov, name)
            if v is not None and (v < 0 or v > 3650):
                raise PolicyError("overrides", f"override {ov.key}: {name} must be 0..3650")


# --- (de)serialisation: the stored and file form --------------------------------------------

def _money_list(raw: Any, name: str) -> tuple[Money, ...]:
    if raw is None:
        return ()
    out = []
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list) and all(isinstance(r, dict) and {"currency", "amount"} <= set(r) for r in raw):
        items = [(r["currency"], r["amount"]) for r in raw]
    else:
        raise PolicyError(name, f"{name}: give amounts per currency, e.g. {{\"USD\": \"25.00\"}}")
    for currency, amount in items:
        code = str(currency).upper()
        if not is_known_currency(code):
            raise PolicyError(name, f"{name}: unknown currency {currency!r}")
        try:
            out.append(Money(parse_decimal(amount), code))
        except ValueError as exc:
            raise PolicyError(name, f"{name}: {exc}") from exc
    return tuple(out)


def _money_out(items: tuple[Money, ...]) -> dict[str, str]:
    return {m.currency: str(m.amount) for m in items}


KNOWN_KEYS = frozenset({
    "window_days", "window_starts", "grace_days", "grace_mode", "seasonal", "keep_item_thresholds",
    "keep_item_cost_aware", "expected_return_cost", "keep_item_limits", "review_above", "refund_timing",
    "restocking_fee_percent", "return_shipping", "return_shipping_fee", "refund_shipping", "reasons",
    "comment_required", "overrides", "exchange_mode", "store_credit_bonus_percent", "instant_exchange"})
LIMIT_KEYS = frozenset({"max_count", "max_amount", "days"})
SEASONAL_KEYS = frozenset({"ordered_from", "ordered_until", "returnable_until"})
OVERRIDE_KEYS = frozenset({"level", "key", "window_days", "grace_days", "final_sale", "exchange_mode"})


def _known_keys(raw: dict[str, Any], known: frozenset[str], where: str, field_name: str) -> None:
    """A misspelt key inside an entry is an error naming the entry and the key, not a setting silently ignored."""
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise PolicyError(field_name, f"{where}: unknown key {unknown[0]!r} (it takes {', '.join(sorted(known))})")


def _int(d: dict[str, Any], key: str, default: int, where: str = "") -> int:
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(where or key, f"{where or key} must be a whole number, got {value!r}")
    return value


def _opt_int(d: dict[str, Any], key: str, where: str) -> int | None:
    return None if d.get(key) is None else _int(d, key, 0, where)


def _bool(d: dict[str, Any], key: str, default: bool | None, where: str = "") -> Any:
    value = d.get(key, default)
    if value is not None and not isinstance(value, bool):
        raise PolicyError(where or key, f"{where or key} must be true or false, got {value!r}")
    return value


def _enum(d: dict[str, Any], key: str, kind: type[Enum], default: str) -> Any:
    value = d.get(key, default)
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(m.value for m in kind)  # type: ignore[attr-defined]
        raise PolicyError(key, f"{key} must be one of {choices}, got {value!r}") from None


def _names(d: dict[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = d.get(key, default)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyError(key, f"{key} must be a list of names, got {value!r}")
    return tuple(v.strip() for v in value)


def _day(raw: dict[str, Any], key: str, where: str) -> date:
    try:
        return date.fromisoformat(str(raw[key]))
    except (KeyError, ValueError):
        raise PolicyError("seasonal", f"{where}.{key} must be a date like 2026-12-24") from None


def _seasonal(d: dict[str, Any]) -> tuple[SeasonalWindow, ...]:
    out = []
    for i, raw in enumerate(d.get("seasonal") or []):
        where = f"seasonal[{i}]"
        if not isinstance(raw, dict):
            raise PolicyError("seasonal", f"{where} must be an object")
        _known_keys(raw, SEASONAL_KEYS, where, "seasonal")
        out.append(SeasonalWindow(_day(raw, "ordered_from", where), _day(raw, "ordered_until", where),
                                  _day(raw, "returnable_until", where)))
    return tuple(out)


def _overrides(d: dict[str, Any]) -> tuple[Override, ...]:
    out = []
    for i, raw in enumerate(d.get("overrides") or []):
        where = f"overrides[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str) or not raw["key"].strip():
            raise PolicyError("overrides", f"{where} needs a level and a key")
        _known_keys(raw, OVERRIDE_KEYS, f"{where} ({raw['key'].strip()})", "overrides")
        level = _enum({"level": raw.get("level")}, "level", OverrideLevel, "")
        mode = None if raw.get("exchange_mode") is None else _enum(raw, "exchange_mode", ExchangeMode, "OFF")
        out.append(Override(level, raw["key"].strip(), _opt_int(raw, "window_days", "overrides"),
                            _opt_int(raw, "grace_days", "overrides"), _bool(raw, "final_sale", None, "overrides"),
                            mode))
    return tuple(out)


def _limits(d: dict[str, Any]) -> KeepItemLimits:
    limits = d.get("keep_item_limits") or {}
    if not isinstance(limits, dict) or set(limits) - LIMIT_KEYS:
        raise PolicyError("keep_item_limits", f"keep_item_limits takes {', '.join(sorted(LIMIT_KEYS))}")
    return KeepItemLimits(max_count=_int(limits, "max_count", 3, "keep_item_limits"),
                          max_amount=_money_list(limits.get("max_amount"), "keep_item_limits"),
                          days=_int(limits, "days", 365, "keep_item_limits"))


def policy_from_dict(data: dict[str, Any]) -> Policy:
    """Build a Policy from its JSON form (the policy file and the stored versions); strict about types."""
    if not isinstance(data, dict):
        raise PolicyError("policy", "a policy is an object of settings")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise PolicyError(unknown[0], f"unknown policy setting {unknown[0]!r}")
    d = data
    try:
        fee = parse_decimal(d.get("restocking_fee_percent", "0"))
    except ValueError as exc:
        raise PolicyError("restocking_fee_percent", f"restocking_fee_percent: {exc}") from exc
    try:
        bonus = None if d.get("store_credit_bonus_percent") is None else parse_decimal(d["store_credit_bonus_percent"])
    except ValueError as exc:
        raise PolicyError("store_credit_bonus_percent", f"store_credit_bonus_percent: {exc}") from exc
    return Policy(
        window_days=_int(d, "window_days", 30),
        window_starts=_enum(d, "window_starts", WindowStart, "FULFILLED"),
        grace_days=_int(d, "grace_days", 3),
        grace_mode=_enum(d, "grace_mode", GraceMode, "AUTO_APPROVE"),
        seasonal=_seasonal(d),
        keep_item_thresholds=_money_list(d.get("keep_item_thresholds"), "keep_item_thresholds"),
        keep_item_cost_aware=_bool(d, "keep_item_cost_aware", False),
        expected_return_cost=_money_list(d.get("expected_return_cost"), "expected_return_cost"),
        keep_item_limits=_limits(d),
        review_above=_money_list(d.get("review_above"), "review_above"),
        refund_timing=_enum(d, "refund_timing", RefundTiming, "ON_RECEIPT"),
        restocking_fee_percent=fee,
        return_shipping=_enum(d, "return_shipping", ReturnShipping, "FREE"),
        return_shipping_fee=_money_list(d.get("return_shipping_fee"), "return_shipping_fee"),
        refund_shipping=_bool(d, "refund_shipping", False),
        reasons=_names(d, "reasons", DEFAULT_REASONS),
        comment_required=_names(d, "comment_required", DEFAULT_COMMENT_REQUIRED),
        overrides=_overrides(d),
        exchange_mode=_enum(d, "exchange_mode", ExchangeMode, "OFF"),
        store_credit_bonus_percent=bonus,
        instant_exchange=_bool(d, "instant_exchange", False),
    )


def policy_to_dict(p: Policy) -> dict[str, Any]:
    return {
        "window_days": p.window_days,
        "window_starts": p.window_starts.value,
        "grace_days": p.grace_days,
        "grace_mode": p.grace_mode.value,
        "seasonal": [{"ordered_from": s.ordered_from.isoformat(), "ordered_until": s.ordered_until.isoformat(),
                      "returnable_until": s.returnable_until.isoformat()} for s in p.seasonal],
        "keep_item_thresholds": _money_out(p.keep_item_thresholds),
        "keep_item_cost_aware": p.keep_item_cost_aware,
        "expected_return_cost": _money_out(p.expected_return_cost),
        "keep_item_limits": {"max_count": p.keep_item_limits.max_count,
                             "max_amount": _money_out(p.keep_item_limits.max_amount),
                             "days": p.keep_item_limits.days},
        "review_above": _money_out(p.review_above),
        "refund_timing": p.refund_timing.value,
        "restocking_fee_percent": str(p.restocking_fee_percent),
        "return_shipping": p.return_shipping.value,
        "return_shipping_fee": _money_out(p.return_shipping_fee),
        "refund_shipping": p.refund_shipping,
        "reasons": list(p.reasons),
        "comment_required": list(p.comment_required),
        "overrides": [{k: v for k, v in {"level": o.level.value, "key": o.key, "window_days": o.window_days,
                                         "grace_days": o.grace_days, "final_sale": o.final_sale,
                                         "exchange_mode": o.exchange_mode.value if o.exchange_mode else None}.items()
                       if v is not None} for o in p.overrides],
        "exchange_mode": p.exchange_mode.value,
        "store_credit_bonus_percent": None if p.store_credit_bonus_percent is None
        else str(p.store_credit_bonus_percent),
        "instant_exchange": p.instant_exchange,
    }
