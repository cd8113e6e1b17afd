"""What a decision saw, kept with the return it opened, so the same decision can run again on it later
(a policy simulation replays it under another policy; run under the policy version that decided it, it
gives the recorded decision back, trace and all)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .decision import Decision, KeepItemHistory, RequestedLine
from .lifecycle import Resolution, ReturnStatus
from .money import Money
from .order import Order

# the customer's keep-item returns are kept this far back at least (the policy's rolling period when longer):
# a replay under a policy with a longer period sees only what was kept
KEEP_ITEM_LOOKBACK = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class KeepItemReturn:
    """One of the customer's earlier keep-item returns, as counted by the keep-item limits."""

    at: datetime
    amount: Money


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    """What the decision said (the return may have moved on since: approved, converted, refunded)."""

    status: ReturnStatus  # APPROVED, PENDING_REVIEW; REJECTED only for a replay that refuses
    resolution: Resolution | None
    refund: Money
    restocking_fee: Money
    shipping_deduction: Money
    shipping_refund: Money

    @classmethod
    def of(cls, decision: Decision, currency: str) -> "DecisionOutcome":
        zero = Money.zero(currency)
        r = decision.refund
        return cls(decision.status, decision.resolution, r.total if r else zero, r.restocking_fee if r else zero,
                   r.shipping_deduction if r else zero, r.shipping_refund if r else zero)

    @classmethod
    def refused(cls, currency: str) -> "DecisionOutcome":
        zero = Money.zero(currency)
        return cls(ReturnStatus.REJECTED, None, zero, zero, zero, zero)


@dataclass(frozen=True, slots=True)
class DecisionSnapshot:
    """Everything the decision of one return read, and what it decided.

    `order` is None for returns decided before snapshots were kept (migration 0011 backfilled the rest from
    the tables): those cannot be replayed, and simulations count them apart."""

    decided_at: datetime
    policy_version: int
    currency: str
    requested: tuple[RequestedLine, ...]
    exception_requested: bool
    returned: Mapping[str, int]  # units per order line in earlier active returns of the order
    committed: Mapping[str, Decimal]  # per payment: refunded or refunding by this app on the order
    keep_item_returns: tuple[KeepItemReturn, ...]  # the customer's, back to KEEP_ITEM_LOOKBACK or further
    label_cost: Money | None  # the carrier's expected cost of a label then (None: unknown)
    outcome: DecisionOutcome
    order: Order | None = None
    why_not_replayable: str | None = field(default=None)

    @property
    def replayable(self) -> bool:
        return self.order is not None

    def __deepcopy__(self, memo: dict[int, object]) -> "DecisionSnapshot":
        return self  # a value that never changes: copies of the return (units of work) share it

    @classmethod
    def of(cls, *, order: Order, requested: tuple[RequestedLine, ...], exception_requested: bool,
           decided_at: datetime, returned: Mapping[str, int], committed: Mapping[str, Decimal],
           keep_item_returns: Iterable[KeepItemReturn], label_cost: Money | None,
           decision: Decision) -> "DecisionSnapshot":
        return cls(decided_at=decided_at, policy_version=decision.policy_version, currency=order.currency,
                   requested=tuple(requested), exception_requested=exception_requested, returned=dict(returned),
                   committed=dict(committed), keep_item_returns=tuple(keep_item_returns), label_cost=label_cost,
                   outcome=DecisionOutcome.of(decision, order.currency), order=order)


def keep_item_lookback(policy_days: int) -> timedelta:
    """How far back the customer's keep-item returns are read (and kept in the snapshot)."""
    return max(KEEP_ITEM_LOOKBACK, timedelta(days=policy_days))


def keep_item_history(kept: Iterable[KeepItemReturn], since: datetime, currency: str) -> KeepItemHistory:
    """The keep-item limits' view of the customer's returns: how many since `since`, and their total."""
    amounts = [k.amount for k in kept if k.at >= since and k.amount.currency == currency]
    return KeepItemHistory(len(amounts), Money(sum((a.amount for a in amounts), Decimal(0)), currency))
