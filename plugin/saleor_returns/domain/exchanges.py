"""Exchanges and store credit (../shared/design/api/exchanges.md): what a shopper may choose instead of a plain
refund, and whether a choice holds. Pure: the products and the stock left are handed in."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from .catalog import Product, Variant
from .codes import ReturnError, ReturnErrorCode
from .money import Money
from .order import Order, OrderLine
from .policy import ExchangeMode, Policy

# the lines of a decision's trace that say what the shopper chose, not what a rule decided (a replay leaves them)
CHOICE_RULES = frozenset({"refund_method", "exchange"})


class RefundMethod(str, Enum):
    ORIGINAL_PAYMENT = "ORIGINAL_PAYMENT"
    STORE_CREDIT = "STORE_CREDIT"


@dataclass(frozen=True, slots=True)
class RefundMethodOption:
    method: RefundMethod
    bonus_percent: Decimal  # added on top of the refund when this method is chosen


@dataclass(frozen=True, slots=True)
class ExchangeOption:
    variant: Variant
    available: bool  # in stock now


@dataclass(frozen=True, slots=True)
class ExchangeChoice:
    """One line to be swapped: the variant sent instead, and what goes back by the refund method."""

    order_line_id: str
    variant: Variant
    quantity: int
    price_difference: Money  # (paid - new price) x quantity; zero for an even swap


def refund_methods(policy: Policy) -> tuple[RefundMethodOption, ...]:
    """ORIGINAL_PAYMENT always; STORE_CREDIT with its bonus when the policy sets one (0 allowed)."""
    options = [RefundMethodOption(RefundMethod.ORIGINAL_PAYMENT, Decimal(0))]
    if policy.store_credit_bonus_percent is not None:
        options.append(RefundMethodOption(RefundMethod.STORE_CREDIT, policy.store_credit_bonus_percent))
    return tuple(options)


def exchange_options(line: OrderLine, product: Product | None, policy: Policy,
                     stock: Mapping[str, int] | None = None) -> tuple[ExchangeOption, ...]:
    """The other variants of the line's product priced at or below what was paid for the unit (none when
    exchanges are off); `stock` overrides the catalog's stock per variant (units already promised elsewhere)."""
    if product is None or policy.exchange_mode_for(line.product_type, line.category,
                                                   line.product) is ExchangeMode.OFF:
        return ()
    options = []
    for v in product.variants:
        if v.id == line.variant_id or v.unit_price.currency != line.unit_price.currency:
            continue
        if v.unit_price.amount > line.unit_price.amount:
            continue
        left = stock.get(v.id, v.stock) if stock is not None else v.stock
        options.append(ExchangeOption(v, left > 0))
    return tuple(options)


def store_credit_bonus(refund: Money, policy: Policy) -> Money:
    """The bonus on a refund taken as store credit, rounded to the currency's minor unit."""
    pct = policy.store_credit_bonus_percent or Decimal(0)
    return Money(refund.amount * pct / Decimal(100), refund.currency)  # Money rounds to the currency's digits


def check_refund_method(method: RefundMethod, policy: Policy) -> None:
    if method is RefundMethod.STORE_CREDIT and policy.store_credit_bonus_percent is None:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "this store does not offer store credit", "refundMethod")


def check_exchange(where: str, order: Order, line_id: str, quantity: int, variant_id: str,
                   product: Product | None, policy: Policy, stock: Mapping[str, int] | None = None) -> ExchangeChoice:
    """The swap a shopper asked for on one line, or a ReturnError naming `where`.exchangeVariantId."""
    field = f"{where}.exchangeVariantId"
    line = order.line(line_id)
    mode = policy.exchange_mode_for(line.product_type, line.category, line.product) if line else policy.exchange_mode
    if mode is ExchangeMode.OFF:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "this store does not offer exchanges for this item", field)
    if line is None or product is None:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "this item cannot be exchanged", field)
    variant = product.variant(variant_id)
    if variant is None:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT,
                          f"{variant_id!r} is not a variant of {line.product_name}", field)
    if variant.id == line.variant_id:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "choose a different variant than the one bought", field)
    offered = {o.variant.id: o for o in exchange_options(line, product, policy, stock)}
    if variant.id not in offered:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT,
                          f"{line.product_name} {variant.name} costs more than was paid for the item", field)
    left = stock.get(variant.id, variant.stock) if stock is not None else variant.stock
    if left < quantity:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"{line.product_name} {variant.name} is out of stock", field)
    difference = (line.unit_price.amount - variant.unit_price.amount) * quantity
    return ExchangeChoice(line_id, variant, quantity, Money(difference, line.unit_price.currency))
