"""What a shopper chose besides a plain refund (requestReturn's refundMethod and exchangeVariantId), checked
against the policy, the catalog and the stock before anything is saved (exchanges.md)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..domain.decision import RequestedLine
from ..domain.decision_record import RuleVerdict
from ..domain.exchanges import RefundMethod, check_exchange, check_refund_method
from ..domain.order import Order
from ..domain.policy import Policy
from ..domain.returns import Choices
from .context import Deps
from .exchange_offers import products_of, stock_left


@dataclass(frozen=True, slots=True)
class AskedChoices:
    refund_method: RefundMethod | None = None
    exchanges: Mapping[str, str] = field(default_factory=dict)  # order line id -> variant id


async def checked_choices(deps: Deps, order: Order, policy: Policy, lines: tuple[RequestedLine, ...],
                          asked: AskedChoices) -> tuple[Choices, tuple[RuleVerdict, ...]]:
    """The choices as the return keeps them, with the lines of the trace that say so; a ReturnError (code and
    field) for a choice the store does not offer."""
    method = asked.refund_method or RefundMethod.ORIGINAL_PAYMENT
    check_refund_method(method, policy)
    verdicts = [RuleVerdict("refund_method", method.value, _method_words(method, policy))] if asked.refund_method \
        else []
    exchanges = {}
    if asked.exchanges:
        products = await products_of(deps, order, policy, only=set(asked.exchanges))
        stock = await stock_left(deps, products)
        for i, r in enumerate(lines):
            variant_id = asked.exchanges.get(r.line_id)
            if variant_id is None:
                continue
            line = order.line(r.line_id)
            product = products.get(line.product or "") if line else None
            choice = check_exchange(f"lines[{i}]", order, r.line_id, r.quantity, variant_id, product, policy, stock)
            exchanges[r.line_id] = choice
            verdicts.append(RuleVerdict("exchange", "SWAP", f"{line.product_name if line else r.line_id} for "
                                        f"{choice.variant.name} ({choice.variant.id}); price difference "
                                        f"{choice.price_difference}"))
    bonus = policy.store_credit_bonus_percent if method is RefundMethod.STORE_CREDIT else None
    return Choices(method, bonus, exchanges, policy.instant_exchange), tuple(verdicts)


def _method_words(method: RefundMethod, policy: Policy) -> str:
    if method is RefundMethod.STORE_CREDIT:
        return f"store credit with a {policy.store_credit_bonus_percent} % bonus"
    return "refund to the original payment"
