"""Eligibility per line: small rules, each one question, every failing code collected."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .codes import INFORMATIONAL, EligibilityCode
from .deadline import Deadline
from .money import Money
from .order import Order, OrderLine
from .order_facts import OrderFacts
from .policy import LineRules, Policy
from .refund_math import next_unit_refund


@dataclass(frozen=True, slots=True)
class LineFacts:
    """Everything a rule may look at for one line, with an injected `now`."""

    order: Order
    line: OrderLine
    rules: LineRules
    deadline: Deadline | None
    fulfilled: int
    returned: int  # units already in returns that were not cancelled or rejected
    left_to_refund: Money
    now: datetime


@dataclass(frozen=True, slots=True)
class Verdict:
    rule: str
    passed: bool
    code: EligibilityCode | None
    detail: str


class Rule(Protocol):
    name: str
    # looks at the order only, never at the line: checked once per order, its verdict shared by every line
    order_wide: bool

    def check(self, f: LineFacts) -> Verdict: ...


def _pass(rule: str, detail: str) -> Verdict:
    return Verdict(rule, True, None, detail)


def _fail(rule: str, code: EligibilityCode, detail: str) -> Verdict:
    return Verdict(rule, False, code, detail)


class OrderPaid:
    name = "order_paid"
    order_wide = True

    def check(self, f: LineFacts) -> Verdict:
        if f.order.charged.is_zero:
            return _fail(self.name, EligibilityCode.ORDER_NOT_PAID, "nothing was charged for this order")
        return _pass(self.name, f"charged {f.order.charged}")


class Fulfilled:
    name = "fulfilled"
    order_wide = False

    def check(self, f: LineFacts) -> Verdict:
        if f.fulfilled <= 0:
            return _fail(self.name, EligibilityCode.NOT_FULFILLED, "this item has not been shipped yet")
        return _pass(self.name, f"{f.fulfilled} of {f.line.quantity} shipped")


class NotFinalSale:
    name = "final_sale"
    order_wide = False

    def check(self, f: LineFacts) -> Verdict:
        if f.rules.final_sale:
            return _fail(self.name, EligibilityCode.FINAL_SALE,
                         f"final sale ({f.rules.sources['final_sale']}): cannot be returned")
        return _pass(self.name, "not a final-sale item")


class WithinWindow:
    name = "window"
    order_wide = False

    def check(self, f: LineFacts) -> Verdict:
        d = f.deadline
        if d is None:
            return _pass(self.name, "window starts when the item ships")
        where = f.rules.sources["window_days"]
        phase = d.phase(f.now)
        if phase == "open":
            extra = " (seasonal window)" if d.seasonal else ""
            return _pass(self.name, f"returnable until {d.deadline.isoformat()}{extra}; "
                                    f"{f.rules.window_days}-day window from {where}")
        if phase == "grace":
            return Verdict(self.name, True, EligibilityCode.IN_GRACE,
                           f"window closed {d.deadline.isoformat()}; in the {f.rules.grace_days}-day grace "
                           f"period until {d.grace_deadline.isoformat()}")
        return _fail(self.name, EligibilityCode.WINDOW_EXPIRED,
                     f"return window and grace period ended {d.grace_deadline.isoformat()}")


class UnitsLeft:
    name = "units_left"
    order_wide = False

    def check(self, f: LineFacts) -> Verdict:
        left = f.fulfilled - f.returned
        if f.returned > 0 and left <= 0:
            return _fail(self.name, EligibilityCode.ALREADY_RETURNED,
                         f"all {f.returned} shipped units are already being returned")
        left = max(left, 0)
        return _pass(self.name, f"{left} {'unit' if left == 1 else 'units'} can be returned")


class Refundable:
    name = "refundable"
    order_wide = True

    def check(self, f: LineFacts) -> Verdict:
        if f.left_to_refund.amount <= 0:
            return _fail(self.name, EligibilityCode.NOT_REFUNDABLE, "the order has been refunded in full")
        return _pass(self.name, f"{f.left_to_refund} left to refund on the order")


DEFAULT_RULES: tuple[Rule, ...] = (OrderPaid(), Fulfilled(), NotFinalSale(), WithinWindow(), UnitsLeft(),
                                   Refundable())


@dataclass(frozen=True, slots=True)
class LineEligibility:
    line: OrderLine
    quantity_returnable: int
    eligible: bool
    in_grace: bool
    codes: tuple[EligibilityCode, ...]
    deadline: Deadline | None
    unit_refund: Money | None
    verdicts: tuple[Verdict, ...] = field(default=())

    @property
    def only_window_expired(self) -> bool:
        failing = {c for c in self.codes if c not in INFORMATIONAL}
        return failing == {EligibilityCode.WINDOW_EXPIRED}


def line_facts(order: Order, line: OrderLine, policy: Policy, returned: int, left_to_refund: Money,
               now: datetime, shared: OrderFacts | None = None) -> LineFacts:
    """The facts of one line; `shared` holds what the order's lines have in common (see check_order)."""
    shared = shared if shared is not None else OrderFacts(order, policy)
    rules = shared.rules(line)
    return LineFacts(order, line, rules, shared.deadline(line, rules),
                     min(order.fulfilled_quantity(line.id), line.quantity), returned, left_to_refund, now)


def check_line(facts: LineFacts, rules: tuple[Rule, ...] = DEFAULT_RULES,
               order_verdicts: dict[str, Verdict] | None = None) -> LineEligibility:
    """Every rule's verdict on the line; an order-wide rule's verdict is taken from `order_verdicts` when it is
    there (and kept there when it is not)."""
    verdicts: list[Verdict] = []
    for rule in rules:
        if order_verdicts is not None and rule.order_wide:
            verdict = order_verdicts.get(rule.name)
            if verdict is None:
                verdict = order_verdicts[rule.name] = rule.check(facts)
        else:
            verdict = rule.check(facts)
        verdicts.append(verdict)
    codes = tuple([v.code for v in verdicts if v.code is not None])
    eligible = all([v.passed for v in verdicts])
    returnable = max(facts.fulfilled - facts.returned, 0) if eligible else 0
    return LineEligibility(
        line=facts.line,
        quantity_returnable=returnable,
        eligible=eligible,
        in_grace=EligibilityCode.IN_GRACE in codes,
        codes=codes,
        deadline=facts.deadline,
        unit_refund=next_unit_refund(facts.order, facts.line, facts.returned),
        verdicts=tuple(verdicts),
    )


def check_order(order: Order, policy: Policy, returned: dict[str, int], left_to_refund: Money,
                now: datetime, only: Collection[str] | None = None) -> list[LineEligibility]:
    """Eligibility of every line of the order, or of the lines `only` names (a line's eligibility does not depend
    on the others': a decision needs only the lines asked for).

    Lines alike are judged once: the rules look at a line only through its rules (its product key), when it
    shipped, how many of it shipped, were ordered and came back, so lines equal in those share their verdicts;
    each keeps its own refund per unit. What every line shares (rules, deadlines, order-wide verdicts) is worked
    out once too."""
    shared = OrderFacts(order, policy)
    order_verdicts: dict[str, Verdict] = {}
    judged: dict[tuple[object, ...], LineEligibility] = {}
    out: list[LineEligibility] = []
    for line in order.lines:
        if only is not None and line.id not in only:
            continue
        units_back = returned.get(line.id, 0)
        fulfilled = min(order.fulfilled_quantity(line.id), line.quantity)
        alike = (shared.rules_key(line), order.fulfilled_at(line.id), fulfilled, line.quantity, units_back)
        seen = judged.get(alike)
        if seen is None:
            rules = shared.rules(line)
            facts = LineFacts(order, line, rules, shared.deadline(line, rules), fulfilled, units_back,
                              left_to_refund, now)
            judged[alike] = seen = check_line(facts, DEFAULT_RULES, order_verdicts)
            out.append(seen)
        else:
            out.append(LineEligibility(line, seen.quantity_returnable, seen.eligible, seen.in_grace, seen.codes,
                                       seen.deadline, next_unit_refund(order, line, units_back), seen.verdicts))
    return out
