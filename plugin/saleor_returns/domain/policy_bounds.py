"""What a policy may be saved with: every setting has an upper bound, so no saved policy can make a later
request fail (a deadline past the last date a computer can hold, a look-back of two thousand years, a reason
longer than the database keeps). Policy.__post_init__ keeps the basic checks for every policy, stored ones
included; these bounds apply when a policy is saved (updateReturnPolicy, the policy file), so versions saved
before keep loading, and the deadline code copes with them on its own (domain/deadline.py).
"""
from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .money import Money
from .policy import Policy, PolicyError, policy_from_dict

MAX_DAYS = 3650  # ten years: window, grace, override days, keep-item look-back, seasonal extension
FIRST_SEASON_DAY = date(2000, 1, 1)
LAST_SEASON_DAY = date(2199, 12, 31)
MAX_AMOUNT = Decimal("1000000000000")  # 10^12 in any currency (the database keeps 16 digits before the point)
MAX_KEEP_ITEM_COUNT = 1_000_000  # "no cap" in practice; a count is only compared
MAX_REASONS = 50
MAX_REASON_LENGTH = 64  # the database's column for a return line's reason
MAX_OVERRIDES = 1000
MAX_OVERRIDE_KEY_LENGTH = 255
MAX_SEASONS = 100
MAX_FEE_DECIMALS = 4


def policy_for_saving(data: dict[str, Any]) -> Policy:
    """policy_from_dict, then every upper bound (PolicyError naming the setting)."""
    policy = policy_from_dict(data)
    check_bounds(policy)
    return policy


def check_bounds(p: Policy) -> None:
    _days("keep_item_limits", "keep_item_limits.days", p.keep_item_limits.days)
    if p.keep_item_limits.max_count > MAX_KEEP_ITEM_COUNT:
        raise PolicyError("keep_item_limits", f"keep_item_limits.max_count must be at most {MAX_KEEP_ITEM_COUNT}, "
                                              f"got {p.keep_item_limits.max_count}")
    for name in ("keep_item_thresholds", "review_above", "expected_return_cost", "return_shipping_fee"):
        _amounts(name, name, getattr(p, name))
    _amounts("keep_item_limits", "keep_item_limits.max_amount", p.keep_item_limits.max_amount)
    if -p.restocking_fee_percent.as_tuple().exponent > MAX_FEE_DECIMALS:  # type: ignore[operator]
        raise PolicyError("restocking_fee_percent", f"restocking_fee_percent takes at most {MAX_FEE_DECIMALS} "
                                                    f"decimals, got {p.restocking_fee_percent}")
    bonus = p.store_credit_bonus_percent
    if bonus is not None and -bonus.as_tuple().exponent > MAX_FEE_DECIMALS:  # type: ignore[operator]
        raise PolicyError("store_credit_bonus_percent", f"store_credit_bonus_percent takes at most "
                                                        f"{MAX_FEE_DECIMALS} decimals, got {bonus}")
    _reasons(p)
    _overrides(p)
    _seasons(p)


def _days(field: str, label: str, value: int) -> None:
    if value > MAX_DAYS:
        raise PolicyError(field, f"{label} must be at most {MAX_DAYS} days (ten years), got {value}")


def _amounts(field: str, label: str, items: tuple[Money, ...]) -> None:
    for m in items:
        if m.amount > MAX_AMOUNT:
            raise PolicyError(field, f"{label}: {m.currency} {m.amount} is more than {MAX_AMOUNT:,} "
                                     f"({m.currency} amounts up to {MAX_AMOUNT:,} are accepted)")


def _printable(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def _reasons(p: Policy) -> None:
    if len(p.reasons) > MAX_REASONS:
        raise PolicyError("reasons", f"at most {MAX_REASONS} return reasons, got {len(p.reasons)}")
    for reason in (*p.reasons, *p.comment_required):
        field = "reasons" if reason in p.reasons else "comment_required"
        if len(reason) > MAX_REASON_LENGTH or not _printable(reason):
            raise PolicyError(field, f"{field}: a reason is at most {MAX_REASON_LENGTH} printable characters, got "
                                     f"{reason[:80]!r}")


def _overrides(p: Policy) -> None:
    if len(p.overrides) > MAX_OVERRIDES:
        raise PolicyError("overrides", f"at most {MAX_OVERRIDES} overrides, got {len(p.overrides)}")
    for i, ov in enumerate(p.overrides):
        if len(ov.key) > MAX_OVERRIDE_KEY_LENGTH or not _printable(ov.key):
            raise PolicyError("overrides", f"overrides[{i}].key is at most {MAX_OVERRIDE_KEY_LENGTH} printable "
                                           f"characters")


def _seasons(p: Policy) -> None:
    if len(p.seasonal) > MAX_SEASONS:
        raise PolicyError("seasonal", f"at most {MAX_SEASONS} seasonal windows, got {len(p.seasonal)}")
    for i, s in enumerate(p.seasonal):
        for name in ("ordered_from", "ordered_until", "returnable_until"):
            day: date = getattr(s, name)
            if not FIRST_SEASON_DAY <= day <= LAST_SEASON_DAY:
                raise PolicyError("seasonal", f"seasonal[{i}].{name} must be between {FIRST_SEASON_DAY} and "
                                              f"{LAST_SEASON_DAY}, got {day}")
        if s.returnable_until > s.ordered_until + timedelta(days=MAX_DAYS):
            raise PolicyError("seasonal", f"seasonal[{i}].returnable_until must be at most {MAX_DAYS} days (ten "
                                          f"years) after ordered_until, got {s.returnable_until}")
