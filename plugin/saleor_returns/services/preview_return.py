"""Use case: what requestReturn would decide, per line and overall, before the shopper commits (previewReturn).

Reads only: nothing is saved, no refund or label provider is called. The decision is the one
services/decide_return.py takes for requestReturn, so the preview and the real answer cannot drift.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from ..domain.codes import EligibilityCode
from ..domain.decision import Decision, RequestedLine, decide
from ..domain.lifecycle import Resolution, ReturnStatus
from ..domain.money import Money
from ..domain.order import Order
from .context import Actor, Deps
from .decide_return import Decided, gather_and_decide
from .loading import order_for


class LineOutcome(str, Enum):
    KEEP_ITEM = "KEEP_ITEM"  # refunded at once, nothing to send
    SHIP_BACK = "SHIP_BACK"  # goes in the box with a prepaid label
    REVIEW = "REVIEW"  # a person decides first
    REFUSED = "REFUSED"  # cannot be returned (the codes say why)


@dataclass(frozen=True, slots=True)
class PreviewLine:
    line_id: str
    product_name: str
    quantity: int
    outcome: LineOutcome
    refund: Money | None
    codes: tuple[EligibilityCode, ...]
    kept_alone: bool  # shipped back with the others, but would be kept if returned on its own


@dataclass(frozen=True, slots=True)
class ReturnPreview:
    order: Order
    decision: Decision
    lines: tuple[PreviewLine, ...]

    @property
    def split_would_keep(self) -> bool:
        """Some line ships back only because it is returned together with the others."""
        return any(line.kept_alone for line in self.lines)


async def preview_return(deps: Deps, actor: Actor, order_id: str, requested: tuple[RequestedLine, ...],
                         exception_requested: bool) -> ReturnPreview:
    """The decision requestReturn would take now for `requested`, explained per line."""
    order = await order_for(deps, actor, order_id)
    async with deps.uow(readonly=True) as uow:
        decided = await gather_and_decide(uow, deps, order, requested, exception_requested, deps.clock.now())
    return ReturnPreview(order, decided.decision, tuple(_lines(order, decided)))


def _lines(order: Order, decided: Decided) -> list[PreviewLine]:
    decision = decided.decision
    refunds = decision.refund.lines if decision.refund else {}
    mixed = decision.resolution is Resolution.SHIP_BACK and len(decision.accepted) > 1 \
        and decision.status is ReturnStatus.APPROVED
    out: list[PreviewLine] = []
    for r in decision.accepted:
        outcome = LineOutcome.REVIEW if decision.status is ReturnStatus.PENDING_REVIEW else \
            LineOutcome(decision.resolution.value if decision.resolution else Resolution.SHIP_BACK.value)
        out.append(PreviewLine(r.line_id, _name(order, r), r.quantity, outcome, refunds.get(r.line_id), (),
                               mixed and _kept_alone(decided, r)))
    for r, codes in decision.refused:
        out.append(PreviewLine(r.line_id, _name(order, r), r.quantity, LineOutcome.REFUSED, None, codes, False))
    position = {r.line_id: i for i, r in enumerate(decided.inputs.requested)}
    return sorted(out, key=lambda line: position.get(line.line_id, 0))


def _kept_alone(decided: Decided, line: RequestedLine) -> bool:
    """Would this line, asked for on its own, be refunded at once and kept? (the same rules, one line)"""
    alone = decide(replace(decided.inputs, requested=(line,), exception_requested=False))
    return alone.status is ReturnStatus.APPROVED and alone.resolution is Resolution.KEEP_ITEM


def _name(order: Order, r: RequestedLine) -> str:
    line = order.line(r.line_id)
    return line.product_name if line else r.line_id
