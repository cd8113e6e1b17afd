"""What a returned unit is worth: the amount actually paid for it, to the cent (DOMAIN.md)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .money import Money, allocate, total
from .order import Order, OrderLine
from .policy import NO_FEE_REASONS, Policy, ReturnShipping


def line_totals_paid(order: Order) -> dict[str, Money]:
    """Each line's gross total after discounts; the order-level discount spread by largest remainder.
    Computed once per order snapshot (kept in its memo): every line's refund reads it."""
    found = order.memo.get("paid_line_totals")
    if found is None:
        found = order.memo["paid_line_totals"] = _line_totals_paid(order)
    return found  # type: ignore[return-value]


def _line_totals_paid(order: Order) -> dict[str, Money]:
    gross = {line.id: line.unit_price.times(line.quantity) for line in order.lines}
    if order.order_discount is None or order.order_discount.is_zero or not order.lines:
        return gross
    shares = allocate(order.order_discount, [gross[line.id].amount for line in order.lines])
    return {line.id: (gross[line.id] - share).max(Money.zero(order.currency))
            for line, share in zip(order.lines, shares, strict=True)}


def unit_parts(line: OrderLine, line_total: Money) -> list[Money]:
    """The line total split over its units; returning every unit refunds exactly the line total."""
    if line.quantity <= 0:
        return []
    return allocate(line_total, [1] * line.quantity)


def _parts_of(order: Order, line: OrderLine) -> list[Money]:
    """The split of a line over its units, once per order snapshot (kept in its memo)."""
    key = "unit_parts:" + line.id
    parts = order.memo.get(key)
    if parts is None:
        parts = order.memo[key] = unit_parts(line, line_totals_paid(order)[line.id])
    return parts  # type: ignore[return-value]


def refund_for_units(order: Order, line_id: str, already_returned: int, quantity: int) -> Money:
    """Refund for `quantity` more units of a line of which `already_returned` units came back before."""
    line = order.line(line_id)
    if line is None:
        raise KeyError(line_id)
    return total(_parts_of(order, line)[already_returned: already_returned + quantity], order.currency)


def unit_refund(order: Order, line_id: str, already_returned: int = 0) -> Money | None:
    """What the next returned unit of the line would refund (shown to shoppers)."""
    line = order.line(line_id)
    return next_unit_refund(order, line, already_returned) if line is not None else None


def next_unit_refund(order: Order, line: OrderLine, already_returned: int = 0) -> Money | None:
    """unit_refund for a line of the order already at hand."""
    if already_returned >= line.quantity:
        return None
    return _parts_of(order, line)[max(already_returned, 0)]


@dataclass(frozen=True, slots=True)
class RequestedUnits:
    line_id: str
    quantity: int
    reason: str
    already_returned: int  # units of this line in earlier, still active or completed returns


@dataclass(frozen=True, slots=True)
class RefundBreakdown:
    lines: dict[str, Money]  # per order line, after restocking fee
    restocking_fee: Money
    shipping_deduction: Money
    shipping_refund: Money
    capped_by: Money | None  # set when the cap (left to refund) cut the total
    total: Money


def compute_refund(*, order: Order, units: list[RequestedUnits], policy: Policy, ship_back: bool,
                   label_cost: Money | None, whole_order_back: bool, left_to_refund: Money) -> RefundBreakdown:
    """The refund for a return: paid amounts, minus fees, plus shipping, capped at what is left."""
    currency = order.currency
    zero = Money.zero(currency)
    lines: dict[str, Money] = {}
    fee = zero
    pct = policy.restocking_fee_percent
    for u in units:
        paid = refund_for_units(order, u.line_id, u.already_returned, u.quantity)
        line_fee = paid.percent(pct) if pct and u.reason not in NO_FEE_REASONS else zero
        fee = fee + line_fee
        lines[u.line_id] = paid - line_fee
    deduction = zero
    if ship_back and policy.return_shipping is ReturnShipping.FLAT_FEE:
        deduction = policy.flat_fee(currency) or zero
    elif ship_back and policy.return_shipping is ReturnShipping.LABEL_COST and label_cost is not None:
        deduction = label_cost if label_cost.currency == currency else zero
    shipping = zero
    if whole_order_back and policy.refund_shipping and order.shipping_price is not None:
        shipping = order.shipping_price
    gross = (total(list(lines.values()), currency) - deduction + shipping).max(zero)
    cap = left_to_refund.max(zero)
    capped = gross.min(cap)
    return RefundBreakdown(lines=lines, restocking_fee=fee, shipping_deduction=deduction,
                           shipping_refund=shipping, capped_by=cap if capped < gross else None,
                           total=capped)


def split_over_payments(amount: Money, left_per_payment: list[tuple[str, Money]]) -> list[tuple[str, Money]]:
    """Assign a refund to the order's payments in order, never above what each has left."""
    remaining = amount
    out: list[tuple[str, Money]] = []
    for payment_id, left in left_per_payment:
        if remaining.is_zero:
            break
        take = remaining.min(left.max(Money.zero(amount.currency)))
        if not take.is_zero:
            out.append((payment_id, take))
            remaining = remaining - take
    return out


def left_per_payment(order: Order, committed: dict[str, Decimal]) -> list[tuple[str, Money]]:
    """What is left to refund on each payment: charged − refunded elsewhere − refunded (or refunding) by us."""
    out = []
    for p in order.payments:
        mine = Money(committed.get(p.id, Decimal(0)), order.currency)
        out.append((p.id, (p.charged - p.refunded - mine).max(Money.zero(order.currency))))
    return out


def left_to_refund(order: Order, committed: dict[str, Decimal]) -> Money:
    """What is left to refund on the whole order (the sum over its payments)."""
    return total([left for _, left in left_per_payment(order, committed)], order.currency)
