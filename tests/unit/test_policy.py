"""The merchant's policy: a file that round-trips, errors that name the setting, overrides that nest."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from saleor_returns.domain.money import Money
from saleor_returns.domain.policy import (
    GraceMode,
    KeepItemLimits,
    Override,
    OverrideLevel,
    Policy,
    PolicyError,
    RefundTiming,
    ReturnShipping,
    SeasonalWindow,
    WindowStart,
    policy_from_dict,
    policy_to_dict,
)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def a_full_policy() -> Policy:
    """A policy with every setting away from its default."""
    return Policy(
        window_days=45,
        window_starts=WindowStart.ORDERED,
        grace_days=5,
        grace_mode=GraceMode.REVIEW,
        seasonal=(SeasonalWindow(date(2024, 11, 1), date(2024, 12, 24), date(2025, 1, 31)),),
        keep_item_thresholds=(usd("25.00"), Money.of("3000", "JPY")),
        keep_item_cost_aware=True,
        expected_return_cost=(usd("9.50"),),
        keep_item_limits=KeepItemLimits(max_count=2, max_amount=(usd("100.00"),), days=180),
        review_above=(usd("500.00"), Money.of("150.000", "KWD")),
        refund_timing=RefundTiming.ON_FIRST_SCAN,
        restocking_fee_percent=Decimal("12.5"),
        return_shipping=ReturnShipping.FLAT_FEE,
        return_shipping_fee=(usd("4.95"),),
        refund_shipping=True,
        reasons=("DOES_NOT_FIT", "DAMAGED", "OTHER", "GIFT"),
        comment_required=("OTHER", "GIFT"),
        overrides=(
            Override(OverrideLevel.PRODUCT_TYPE, "laptop", window_days=60),
            Override(OverrideLevel.CATEGORY, "clearance", final_sale=True),
            Override(OverrideLevel.PRODUCT, "macbook-air", window_days=14, grace_days=0, final_sale=False),
        ),
    )


# --- the stored form ---------------------------------------------------------------------------

def test_a_policy_survives_the_round_trip_through_its_file_form() -> None:
    # given a policy with every setting changed
    policy = a_full_policy()

    # when it is written to JSON and read back
    stored = json.loads(json.dumps(policy_to_dict(policy)))
    restored = policy_from_dict(stored)

    # then nothing is lost or changed
    assert restored == policy
    assert policy_to_dict(restored) == policy_to_dict(policy)


def test_an_empty_file_means_the_documented_defaults() -> None:
    # given an empty policy file
    # when it is read
    policy = policy_from_dict({})

    # then the defaults of DOMAIN.md apply
    assert policy == Policy()
    assert (policy.window_days, policy.window_starts, policy.grace_days, policy.grace_mode) == (
        30, WindowStart.FULFILLED, 3, GraceMode.AUTO_APPROVE)
    assert policy.keep_item_thresholds == ()
    assert (policy.keep_item_limits.max_count, policy.keep_item_limits.days) == (3, 365)
    assert policy.refund_timing is RefundTiming.ON_RECEIPT
    assert policy.return_shipping is ReturnShipping.FREE
    assert policy.requires_comment("OTHER") and not policy.requires_comment("DOES_NOT_FIT")


def test_money_settings_may_be_written_as_a_list_of_currency_and_amount() -> None:
    # given thresholds written as a list rather than a mapping
    # when read
    policy = policy_from_dict({"keep_item_thresholds": [{"currency": "usd", "amount": "25"},
                                                        {"currency": "JPY", "amount": "3000"}]})

    # then each currency is found by its code
    assert policy.keep_item_threshold("USD") == usd("25.00")
    assert policy.keep_item_threshold("JPY") == Money.of("3000", "JPY")
    assert policy.keep_item_threshold("EUR") is None


# --- validation: the error names the setting ----------------------------------------------------

@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"window_days": -1}, "window_days"),
        ({"grace_days": -3}, "grace_days"),
        ({"window_days": 3651}, "window_days"),
        ({"keep_item_thresholds": {"XYZ": "10"}}, "keep_item_thresholds"),
        ({"review_above": {"XYZ": "10"}}, "review_above"),
        ({"keep_item_thresholds": [{"currency": "USD", "amount": "10"}, {"currency": "usd", "amount": "20"}]},
         "keep_item_thresholds"),
        ({"review_above": [{"currency": "EUR", "amount": "1"}, {"currency": "EUR", "amount": "2"}]},
         "review_above"),
        ({"keep_item_thresholds": {"USD": "-1"}}, "keep_item_thresholds"),
        ({"keep_item_thresholds": {"USD": 10.5}}, "keep_item_thresholds"),
        ({"keep_item_thresholds": {"USD": "1e40"}}, "keep_item_thresholds"),
        ({"restocking_fee_percent": "100.01"}, "restocking_fee_percent"),
        ({"restocking_fee_percent": "-1"}, "restocking_fee_percent"),
        ({"comment_required": ["TOO_LATE"]}, "comment_required"),
        ({"reasons": ["DOES_NOT_FIT"]}, "comment_required"),  # default OTHER no longer a reason
        ({"reasons": []}, "reasons"),
        ({"keep_item_limits": {"days": 0}}, "keep_item_limits"),
        ({"keep_item_limits": {"max_count": -1}}, "keep_item_limits"),
        ({"seasonal": [{"ordered_from": "2024-12-24", "ordered_until": "2024-11-01",
                        "returnable_until": "2025-01-31"}]}, "seasonal"),
        ({"overrides": [{"level": "PRODUCT", "key": "x", "window_days": -5}]}, "overrides"),
        ({"grace_mode": "SOMETIMES"}, "grace_mode"),
        ({"refund_shipping": "false"}, "refund_shipping"),
        ({"window_days": 30.9}, "window_days"),
        ({"grace_days": True}, "grace_days"),
        ({"reasons": "OTHER"}, "reasons"),
        ({"windowDays": 30}, "windowDays"),
        ({"keep_item_limits": {"max_count": 3, "dayz": 5}}, "keep_item_limits"),
        ({"overrides": [{"level": "BRAND", "key": "x"}]}, "level"),
        ({"seasonal": [{"ordered_from": "2024-11-01", "ordered_until": "2024-12-24",
                        "returnable_until": "2024-10-01"}]}, "seasonal"),
        ({"keep_item_thresholds": "25 USD"}, "keep_item_thresholds"),
    ],
    ids=["negative-window", "negative-grace", "window-over-ten-years", "unknown-currency-threshold",
         "unknown-currency-review", "duplicate-currency", "duplicate-currency-review", "negative-threshold",
         "float-threshold", "absurd-threshold", "fee-over-100", "negative-fee", "comment-for-unknown-reason",
         "default-comment-reason-removed", "no-reasons", "limits-zero-days", "limits-negative-count",
         "seasonal-reversed", "override-negative-days", "unknown-enum-value",
         "string-for-bool", "float-days", "bool-for-days", "reasons-not-a-list", "unknown-setting",
         "unknown-limit-setting", "unknown-override-level", "seasonal-until-before-orders", "threshold-as-text"],
)
def test_invalid_settings_raise_policy_error_naming_the_field(data: dict[str, Any], field: str) -> None:
    # given a policy file with one setting no merchant could mean
    # when it is read
    with pytest.raises(PolicyError) as caught:
        policy_from_dict(data)

    # then the error names that setting
    assert caught.value.field == field


def test_a_policy_built_in_code_is_validated_too() -> None:
    # given / when / then
    with pytest.raises(PolicyError) as caught:
        Policy(restocking_fee_percent=Decimal("101"))
    assert caught.value.field == "restocking_fee_percent"


@pytest.mark.parametrize("fee", ["0", "100"], ids=["zero", "hundred"])
def test_fee_bounds_are_inclusive(fee: str) -> None:
    # given / when
    policy = policy_from_dict({"restocking_fee_percent": fee})

    # then
    assert policy.restocking_fee_percent == Decimal(fee)


# --- overrides: the most specific wins ----------------------------------------------------------

OVERRIDDEN = Policy(
    window_days=30,
    grace_days=3,
    # listed most specific first on purpose: the order in the file must not matter
    overrides=(
        Override(OverrideLevel.PRODUCT, "macbook-air", window_days=7),
        Override(OverrideLevel.CATEGORY, "electronics", window_days=14, grace_days=1),
        Override(OverrideLevel.PRODUCT_TYPE, "laptop", window_days=60, grace_days=10),
        Override(OverrideLevel.CATEGORY, "clearance", final_sale=True),
        Override(OverrideLevel.PRODUCT, "display-model", final_sale=False),
    ),
)


@pytest.mark.parametrize(
    ("product_type", "category", "product", "window", "grace", "final_sale", "window_from"),
    [
        (None, None, None, 30, 3, False, "channel"),
        ("shirt", "apparel", "tee", 30, 3, False, "channel"),
        ("laptop", None, None, 60, 10, False, "product_type laptop"),
        ("laptop", "electronics", None, 14, 1, False, "category electronics"),
        ("laptop", "electronics", "macbook-air", 7, 1, False, "product macbook-air"),
        (None, None, "macbook-air", 7, 3, False, "product macbook-air"),
        ("laptop", None, "macbook-air", 7, 10, False, "product macbook-air"),
        (None, "laptop", None, 30, 3, False, "channel"),
        ("laptop", "clearance", None, 60, 10, True, "product_type laptop"),
        ("laptop", "clearance", "display-model", 60, 10, False, "product_type laptop"),
    ],
    ids=["no-keys-channel", "no-match-channel", "product-type", "category-beats-product-type",
         "product-beats-all", "product-alone", "product-window-product-type-grace", "key-at-wrong-level",
         "final-sale-by-category", "product-lifts-final-sale"],
)
def test_most_specific_override_wins(product_type: str | None, category: str | None, product: str | None,
                                     window: int, grace: int, final_sale: bool, window_from: str) -> None:
    # given a channel policy with overrides per product type, category and product
    # when the rules for one line are asked
    rules = OVERRIDDEN.for_line(product_type, category, product)

    # then each setting comes from the most specific level that sets it, and the source is named
    assert (rules.window_days, rules.grace_days, rules.final_sale) == (window, grace, final_sale)
    assert rules.sources["window_days"] == window_from


# --- what shoppers may see --------------------------------------------------------------------

def test_public_policy_hides_thresholds_and_limits() -> None:
    # given a policy with keep-item thresholds, costs, limits and review triggers
    policy = a_full_policy()

    # when the shopper-facing view is taken
    shown = policy.public()

    # then the numbers that could be gamed are gone, the rest is unchanged
    assert shown.keep_item_thresholds == ()
    assert shown.review_above == ()
    assert shown.expected_return_cost == ()
    assert shown.keep_item_limits == KeepItemLimits()
    assert shown.keep_item_threshold("USD") is None
    assert shown.review_threshold("USD") is None
    assert (shown.window_days, shown.grace_days, shown.reasons, shown.overrides) == (
        policy.window_days, policy.grace_days, policy.reasons, policy.overrides)
    # and the original is untouched
    assert policy.keep_item_threshold("USD") == usd("25.00")


# --- issue 11, point 4: misspelt keys inside overrides and seasonal entries ----------------------

@pytest.mark.parametrize(("data", "field", "words"), [
    pytest.param({"overrides": [{"level": "CATEGORY", "key": "Clearance", "final_sael": True}]}, "overrides",
                 "overrides[0] (Clearance): unknown key 'final_sael'", id="override-typo"),
    pytest.param({"overrides": [{"level": "PRODUCT", "key": "mug", "window_days": 60},
                                {"level": "PRODUCT", "key": "cup", "windowDays": 60}]}, "overrides",
                 "overrides[1] (cup): unknown key 'windowDays'", id="second-override-camel-case"),
    pytest.param({"seasonal": [{"ordered_from": "2026-11-01", "ordered_until": "2026-12-24",
                                "returnable_until": "2027-01-31", "returnable_untill": "2027-02-28"}]}, "seasonal",
                 "seasonal[0]: unknown key 'returnable_untill'", id="seasonal-typo"),
])
def test_unknown_keys_inside_entries_name_the_entry_and_the_key(data: dict, field: str, words: str):
    with pytest.raises(PolicyError) as caught:
        policy_from_dict(data)
    assert caught.value.field == field and words in str(caught.value)
