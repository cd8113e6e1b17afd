"""A policy simulation's arithmetic: the outcome of a decision in four words, the totals of many, and which
rules made the difference between two traces of the same return."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from .analytics import add_to, money_list
from .decision_record import RuleVerdict
from .decision_snapshot import DecisionOutcome
from .lifecycle import Resolution, ReturnStatus
from .money import Money

DECISION_RULE = "decision"  # the trace's last line: the result itself, not a reason for it


class SimulatedOutcome(str, Enum):
    KEEP_ITEM = "KEEP_ITEM"
    SHIP_BACK = "SHIP_BACK"
    REVIEW = "REVIEW"
    REJECTED = "REJECTED"


def outcome_of(o: DecisionOutcome) -> SimulatedOutcome:
    if o.status is ReturnStatus.PENDING_REVIEW:
        return SimulatedOutcome.REVIEW
    if o.status is ReturnStatus.REJECTED:
        return SimulatedOutcome.REJECTED
    return SimulatedOutcome.KEEP_ITEM if o.resolution is Resolution.KEEP_ITEM else SimulatedOutcome.SHIP_BACK


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    keep_item: int = 0
    ship_back: int = 0
    review: int = 0
    rejected: int = 0



@dataclass(frozen=True, slots=True)
class SimulationTotals:
    """What a set of decisions adds up to. `refunds` is what they would refund (a review at the amount it
    computed; a refusal nothing); `label_cost` is the expected label cost of each ship-back."""

    counts: OutcomeCounts
    refunds: tuple[Money, ...]
    keep_item_value: tuple[Money, ...]
    label_cost: tuple[Money, ...]


@dataclass
class Tally:
    """Adds decisions up, one at a time."""

    counts: dict[SimulatedOutcome, int] = field(default_factory=lambda: dict.fromkeys(SimulatedOutcome, 0))
    refunds: dict[str, Decimal] = field(default_factory=dict)
    keep: dict[str, Decimal] = field(default_factory=dict)
    labels: dict[str, Decimal] = field(default_factory=dict)

    def add(self, o: DecisionOutcome, label_cost: Money | None) -> None:
        outcome = outcome_of(o)
        self.counts[outcome] += 1
        if outcome is SimulatedOutcome.REJECTED:
            return
        add_to(self.refunds, o.refund.currency, o.refund.amount)
        if outcome is SimulatedOutcome.KEEP_ITEM:
            add_to(self.keep, o.refund.currency, o.refund.amount)
        if outcome is SimulatedOutcome.SHIP_BACK and label_cost is not None:
            add_to(self.labels, label_cost.currency, label_cost.amount)

    def totals(self) -> SimulationTotals:
        return SimulationTotals(counts_of(self.counts), money_list(self.refunds), money_list(self.keep),
                                money_list(self.labels))


def counts_of(counts: dict[SimulatedOutcome, int]) -> OutcomeCounts:
    o = SimulatedOutcome
    return OutcomeCounts(counts[o.KEEP_ITEM], counts[o.SHIP_BACK], counts[o.REVIEW], counts[o.REJECTED])


def why_changed(before: Iterable[RuleVerdict], after: Iterable[RuleVerdict], was: DecisionOutcome,
                becomes: DecisionOutcome) -> tuple[str, ...]:
    """The rules whose verdict differs between the recorded trace and the replayed one (in the order the
    decision runs them), then the refund's parts that moved when no verdict explains a new refund."""
    old = {v.rule: v for v in before}
    new = {v.rule: v for v in after}
    rules = [r for r in new if r != DECISION_RULE] + [r for r in old if r not in new and r != DECISION_RULE]
    why = []
    for rule in rules:
        a, b = old.get(rule), new.get(rule)
        if a is not None and b is not None and a.verdict == b.verdict:
            continue
        now = f"{b.verdict} ({b.detail})" if b is not None else "not checked"
        why.append(f"{rule}: {a.verdict if a is not None else 'not checked'} → {now}")
    if was.refund != becomes.refund:
        parts = (("restocking fee", was.restocking_fee, becomes.restocking_fee),
                 ("return shipping deducted", was.shipping_deduction, becomes.shipping_deduction),
                 ("original shipping refunded", was.shipping_refund, becomes.shipping_refund))
        moved = [f"{name}: {a} → {b}" for name, a, b in parts if a != b]
        why.extend(moved or [f"refund: {was.refund} → {becomes.refund}"])
    return tuple(why)
