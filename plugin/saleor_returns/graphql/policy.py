"""Policy area: read a channel's policy (returnPolicy) and save a new version (updateReturnPolicy)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..domain.codes import ReturnErrorCode
from ..domain.policy import Policy
from ..services.policies import OFFER_STORE_CREDIT, ChannelPolicy, get_policy, update_policy
from .context import Info
from .types import (
    ExchangeMode,
    GraceMode,
    Money,
    OverrideLevel,
    RefundTiming,
    ReturnError,
    ReturnShipping,
    WindowStart,
    forbidden,
    top_level,
)


@strawberry.input
class MoneyInput:
    amount: Decimal
    currency: str


@strawberry.input
class PolicyOverrideInput:
    level: OverrideLevel
    key: str = strawberry.field(description="Product type, category or product, as the store names it.")
    window_days: int | None = None
    grace_days: int | None = None
    final_sale: bool | None = None
    exchange_mode: ExchangeMode | None = None


@strawberry.input
class SeasonalWindowInput:
    ordered_from: date
    ordered_until: date
    returnable_until: date


@strawberry.input
class ReturnPolicyInput:
    window_days: int
    grace_days: int
    grace_mode: GraceMode
    keep_item_thresholds: list[MoneyInput]
    review_above: list[MoneyInput] | None = None
    refund_timing: RefundTiming
    window_starts: WindowStart | None = None
    keep_item_cost_aware: bool | None = None
    expected_return_cost: list[MoneyInput] | None = None
    keep_item_limit_count: int | None = None
    keep_item_limit_amounts: list[MoneyInput] | None = None
    keep_item_limit_days: int | None = None
    restocking_fee_percent: Decimal | None = None
    return_shipping: ReturnShipping | None = None
    return_shipping_fee: list[MoneyInput] | None = None
    refund_shipping: bool | None = None
    reasons: list[str] | None = None
    comment_required: list[str] | None = None
    overrides: list[PolicyOverrideInput] | None = None
    seasonal: list[SeasonalWindowInput] | None = None
    store_credit_bonus_percent: Decimal | None = strawberry.field(
        default=None, description="Offer store credit worth the refund plus this percent (0 allowed).")
    store_credit_offered: bool | None = strawberry.field(
        default=None, description="false: stop offering store credit (the bonus is unset).")
    exchange_mode: ExchangeMode | None = None
    instant_exchange: bool | None = None


@strawberry.type
class PolicyOverride:
    level: OverrideLevel
    key: str
    window_days: int | None
    grace_days: int | None
    final_sale: bool | None
    exchange_mode: ExchangeMode | None = None


@strawberry.type(description="Orders placed between two dates are returnable until a fixed date.")
class SeasonalWindow:
    ordered_from: date
    ordered_until: date
    returnable_until: date


@strawberry.type
class ReturnPolicy:
    channel: str
    version: int
    window_days: int
    grace_days: int
    grace_mode: GraceMode
    refund_timing: RefundTiming
    timezone: str
    currency: str
    reasons: list[str]
    comment_required: list[str]
    window_starts: WindowStart
    keep_item_thresholds: list[Money] | None
    review_above: list[Money] | None
    restocking_fee_percent: Decimal
    return_shipping: ReturnShipping
    return_shipping_fee: list[Money] | None = strawberry.field(description="Per currency, with FLAT_FEE (staff).")
    expected_return_cost: list[Money] | None = strawberry.field(
        description="Label + handling per currency, for the cost-aware keep-item rule (staff).")
    refund_shipping: bool
    keep_item_cost_aware: bool | None
    keep_item_limit_count: int | None
    keep_item_limit_days: int | None
    overrides: list[PolicyOverride]
    seasonal: list[SeasonalWindow]
    store_credit_bonus_percent: Decimal = strawberry.field(
        description="Added on top of a refund taken as store credit (0 when store credit is not offered).")
    store_credit_offered: bool = strawberry.field(description="Whether shoppers may take store credit.")
    exchange_mode: ExchangeMode
    instant_exchange: bool = strawberry.field(
        description="The replacement is sent at approval instead of when the return is received.")

    @classmethod
    def of(cls, cp: ChannelPolicy, staff: bool) -> "ReturnPolicy":
        p: Policy = cp.policy
        return cls(
            channel=cp.channel.slug, version=cp.version, window_days=p.window_days, grace_days=p.grace_days,
            grace_mode=p.grace_mode, refund_timing=p.refund_timing, timezone=cp.channel.timezone,
            currency=cp.channel.currency, reasons=list(p.reasons), comment_required=list(p.comment_required),
            window_starts=p.window_starts,
            keep_item_thresholds=[Money.of(m) for m in p.keep_item_thresholds] if staff else None,
            review_above=[Money.of(m) for m in p.review_above] if staff else None,
            restocking_fee_percent=p.restocking_fee_percent, return_shipping=p.return_shipping,
            return_shipping_fee=[Money.of(m) for m in p.return_shipping_fee] if staff else None,
            expected_return_cost=[Money.of(m) for m in p.expected_return_cost] if staff else None,
            refund_shipping=p.refund_shipping, keep_item_cost_aware=p.keep_item_cost_aware if staff else None,
            keep_item_limit_count=p.keep_item_limits.max_count if staff else None,
            keep_item_limit_days=p.keep_item_limits.days if staff else None,
            overrides=[PolicyOverride(level=o.level, key=o.key, window_days=o.window_days, grace_days=o.grace_days,
                                      final_sale=o.final_sale, exchange_mode=o.exchange_mode) for o in p.overrides],
            seasonal=[SeasonalWindow(ordered_from=s.ordered_from, ordered_until=s.ordered_until,
                                     returnable_until=s.returnable_until) for s in p.seasonal],
            store_credit_bonus_percent=p.store_credit_bonus_percent or Decimal(0),
            store_credit_offered=p.store_credit_bonus_percent is not None, exchange_mode=p.exchange_mode,
            instant_exchange=p.instant_exchange)


UpdateReturnPolicyResult = Annotated[ReturnPolicy | ReturnError, strawberry.union("UpdateReturnPolicyResult")]


def _money(items: list[MoneyInput] | None) -> list[dict[str, str]] | None:
    """The policy file's list form; the domain refuses unknown or repeated currencies by name."""
    if items is None:
        return None
    return [{"currency": m.currency.strip().upper(), "amount": str(m.amount)} for m in items]


def changes_from_input(inp: ReturnPolicyInput) -> dict[str, Any]:
    """The input as policy-file keys; omitted optional fields keep their current values."""
    if inp.restocking_fee_percent is not None and not inp.restocking_fee_percent.is_finite():
        raise DomainError(ReturnErrorCode.INVALID_INPUT, "restocking fee must be between 0 and 100 percent",
                          "input.restockingFeePercent")
    bonus = inp.store_credit_bonus_percent
    if bonus is not None and not bonus.is_finite():
        raise DomainError(ReturnErrorCode.INVALID_INPUT, "the store credit bonus must be between 0 and 100 percent",
                          "input.storeCreditBonusPercent")
    changes: dict[str, Any] = {
        "window_days": inp.window_days, "grace_days": inp.grace_days, "grace_mode": inp.grace_mode.value,
        "keep_item_thresholds": _money(inp.keep_item_thresholds), "refund_timing": inp.refund_timing.value}
    optional = {
        "review_above": _money(inp.review_above), "expected_return_cost": _money(inp.expected_return_cost),
        "return_shipping_fee": _money(inp.return_shipping_fee),
        "window_starts": inp.window_starts.value if inp.window_starts else None,
        "keep_item_cost_aware": inp.keep_item_cost_aware, "refund_shipping": inp.refund_shipping,
        "restocking_fee_percent": str(inp.restocking_fee_percent) if inp.restocking_fee_percent is not None else None,
        "return_shipping": inp.return_shipping.value if inp.return_shipping else None,
        "reasons": inp.reasons, "comment_required": inp.comment_required,
        "overrides": [{"level": o.level.value, "key": o.key, "window_days": o.window_days,
                       "grace_days": o.grace_days, "final_sale": o.final_sale,
                       "exchange_mode": o.exchange_mode.value if o.exchange_mode else None} for o in inp.overrides]
        if inp.overrides is not None else None,
        "seasonal": [{"ordered_from": s.ordered_from.isoformat(), "ordered_until": s.ordered_until.isoformat(),
                      "returnable_until": s.returnable_until.isoformat()} for s in inp.seasonal]
        if inp.seasonal is not None else None,
        "store_credit_bonus_percent": str(bonus) if bonus is not None else None,
        "exchange_mode": inp.exchange_mode.value if inp.exchange_mode else None,
        "instant_exchange": inp.instant_exchange,
    }
    changes.update({k: v for k, v in optional.items() if v is not None})
    if inp.store_credit_offered is False:
        changes["store_credit_bonus_percent"] = None
    elif inp.store_credit_offered and bonus is None:
        changes[OFFER_STORE_CREDIT] = True  # offered without a bonus named: the bonus set stays, else 0
    limits = {"max_count": inp.keep_item_limit_count, "days": inp.keep_item_limit_days,
              "max_amount": _money(inp.keep_item_limit_amounts)}
    if any(v is not None for v in limits.values()):
        changes["keep_item_limits"] = {k: v for k, v in limits.items() if v is not None}
    return changes


@strawberry.type
class PolicyQuery:
    @strawberry.field(description="A channel's return policy; thresholds are shown to staff only.")
    async def return_policy(self, info: Info, channel: str) -> ReturnPolicy:
        ctx = info.context
        try:
            actor = ctx.shopper(None)  # refused credentials: FORBIDDEN, not a masked error
            cp = await get_policy(ctx.deps, actor, channel)
        except DomainError as err:
            raise top_level(err) from err
        return ReturnPolicy.of(cp, actor.is_staff)


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="Save a new version of a channel's policy (staff).")
    async def update_return_policy(self, info: Info, channel: str,
                                   input: ReturnPolicyInput) -> UpdateReturnPolicyResult:
        ctx = info.context
        if ctx.staff is None:
            return forbidden(ctx.bad_token)
        try:
            cp = await update_policy(ctx.deps, ctx.staff, channel, changes_from_input(input))
        except DomainError as err:
            return ReturnError.of(err)
        return ReturnPolicy.of(cp, True)

