"""The decision for a whole return, explained per line (DOMAIN.md, "Decision")."""
from __future__ import annotations

from dataclasses import dataclass, field

from .codes import EligibilityCode, ReturnError, ReturnErrorCode
from .decision_record import ReviewCode, RuleVerdict
from .eligibility import LineEligibility
from .lifecycle import Resolution, ReturnStatus
from .money import Money
from .order import Order
from .policy import GraceMode, Policy
from .refund_math import RefundBreakdown, RequestedUnits, compute_refund

EXCEPTION_REQUESTED = ReviewCode.EXCEPTION_REQUESTED


@dataclass(frozen=True, slots=True)
class RequestedLine:
    line_id: str
    quantity: int
    reason: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class KeepItemHistory:
    """The customer's keep-item refunds inside the policy's rolling period."""

    count: int
    amount: Money


@dataclass(frozen=True, slots=True)
class Decision:
    status: ReturnStatus  # APPROVED, PENDING_REVIEW or REJECTED
    resolution: Resolution | None
    accepted: tuple[RequestedLine, ...]
    refused: tuple[tuple[RequestedLine, tuple[EligibilityCode, ...]], ...]
    refund: RefundBreakdown | None
    policy_version: int
    trace: tuple[RuleVerdict, ...]
    review_codes: tuple[ReviewCode, ...] = ()
    out_of_policy: bool = False  # approving spends goodwill
    flags: tuple[EligibilityCode, ...] = field(default=())

    @property
    def refund_total(self) -> Money | None:
        return self.refund.total if self.refund else None


@dataclass(frozen=True, slots=True)
class DecisionInput:
    order: Order
    policy: Policy
    policy_version: int
    requested: tuple[RequestedLine, ...]
    eligibility: dict[str, LineEligibility]
    returned: dict[str, int]  # units per line in earlier active returns
    keep_history: KeepItemHistory
    left_to_refund: Money
    exception_requested: bool = False
    label_cost: Money | None = None  # the carrier's expected cost, for LABEL_COST deductions


def validate_request(inp: DecisionInput) -> None:
    """Input errors that refuse the whole request before any rule runs (nothing is saved)."""
    if not inp.requested:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "choose at least one item to return", "lines")
    seen: set[str] = set()
    for i, r in enumerate(inp.requested):
        where = f"lines[{i}]"
        if r.line_id in seen:
            raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"line {r.line_id} is listed twice", where)
        seen.add(r.line_id)
        if inp.order.line(r.line_id) is None:
            raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"line {r.line_id} is not part of this order",
                              f"{where}.orderLineId")
        if r.quantity <= 0:
            raise ReturnError(ReturnErrorCode.INVALID_INPUT, "quantity must be at least 1", f"{where}.quantity")
        if r.reason not in inp.policy.reasons:
            raise ReturnError(ReturnErrorCode.UNKNOWN_REASON,
                              f"unknown reason {r.reason!r}; choose one of {', '.join(inp.policy.reasons)}",
                              f"{where}.reason")
        if inp.policy.requires_comment(r.reason) and not (r.comment or "").strip():
            raise ReturnError(ReturnErrorCode.COMMENT_REQUIRED, f"reason {r.reason} needs a comment",
                              f"{where}.comment")
        el = inp.eligibility[r.line_id]
        if EligibilityCode.ALREADY_RETURNED in el.codes:
            raise ReturnError(ReturnErrorCode.ALREADY_RETURNED,
                              f"{el.line.product_name} has already been returned", f"{where}.orderLineId")
        fulfilled = inp.order.fulfilled_quantity(r.line_id)
        left = max(min(fulfilled, el.line.quantity) - inp.returned.get(r.line_id, 0), 0)
        # an exception turns an expired line into an accepted one: its quantity must hold too
        checked = el.eligible or (inp.exception_requested and el.only_window_expired)
        if checked and r.quantity > left:
            raise ReturnError(ReturnErrorCode.QUANTITY_EXCEEDED,
                              f"only {left} of {el.line.product_name} can be returned", f"{where}.quantity")


def decide(inp: DecisionInput) -> Decision:
    """Run the five steps of DOMAIN.md and keep a trace of each."""
    validate_request(inp)
    trace: list[RuleVerdict] = []
    accepted, refused, flags = _split_lines(inp, trace)
    excepted = [r for r, codes in refused if inp.exception_requested and _exception_allowed(inp, r)]
    if not accepted and not excepted:
        trace.append(RuleVerdict("decision", "REJECTED", "no requested item can be returned"))
        return Decision(ReturnStatus.REJECTED, None, (), tuple(refused), None, inp.policy_version, tuple(trace))
    if excepted:  # past grace, but the shopper asks a person to look at it
        lines = tuple(accepted) + tuple(excepted)
        refused = [(r, c) for r, c in refused if r not in excepted]
        trace.append(RuleVerdict("exception", "REVIEW", "the shopper asked for an exception past the grace period"))
        refund = _refund(inp, lines, ship_back=True)
        return Decision(ReturnStatus.PENDING_REVIEW, Resolution.SHIP_BACK, lines, tuple(refused), refund,
                        inp.policy_version, tuple(trace), (EXCEPTION_REQUESTED,), True, tuple(flags))
    keep_refund = _refund(inp, tuple(accepted), ship_back=False)
    review = _review_codes(inp, keep_refund.total, flags, trace)
    keep = _keep_item(inp, keep_refund.total, trace, flags)
    resolution = Resolution.KEEP_ITEM if keep else Resolution.SHIP_BACK
    refund = keep_refund if keep else _refund(inp, tuple(accepted), ship_back=True)
    status = ReturnStatus.PENDING_REVIEW if review else ReturnStatus.APPROVED
    trace.append(RuleVerdict("decision", status.value, f"{resolution.value}, refund {refund.total}"))
    return Decision(status, resolution, tuple(accepted), tuple(refused), refund, inp.policy_version, tuple(trace),
                    tuple(review), False, tuple(flags))


def _split_lines(inp: DecisionInput, trace: list[RuleVerdict]):
    accepted: list[RequestedLine] = []
    refused: list[tuple[RequestedLine, tuple[EligibilityCode, ...]]] = []
    flags: list[EligibilityCode] = []
    for r in inp.requested:
        el = inp.eligibility[r.line_id]
        for v in el.verdicts:
            verdict = "PASS" if v.passed and v.code is None else (v.code.value if v.code else "FAIL")
            trace.append(RuleVerdict(f"{v.rule}[{r.line_id}]", verdict, v.detail))
        if el.eligible:
            accepted.append(r)
            flags.extend(c for c in el.codes if c not in flags)
        else:
            refused.append((r, el.codes))
    return accepted, refused, flags


def _exception_allowed(inp: DecisionInput, r: RequestedLine) -> bool:
    return inp.eligibility[r.line_id].only_window_expired


def _units(inp: DecisionInput, lines: tuple[RequestedLine, ...]) -> list[RequestedUnits]:
    return [RequestedUnits(r.line_id, r.quantity, r.reason, inp.returned.get(r.line_id, 0)) for r in lines]


def _whole_order_back(inp: DecisionInput, lines: tuple[RequestedLine, ...]) -> bool:
    coming = {r.line_id: r.quantity for r in lines}
    return all(inp.returned.get(line.id, 0) + coming.get(line.id, 0) >= line.quantity for line in inp.order.lines)


def _refund(inp: DecisionInput, lines: tuple[RequestedLine, ...], *, ship_back: bool) -> RefundBreakdown:
    return compute_refund(order=inp.order, units=_units(inp, lines), policy=inp.policy, ship_back=ship_back,
                          label_cost=inp.label_cost, whole_order_back=_whole_order_back(inp, lines),
                          left_to_refund=inp.left_to_refund)


def _review_codes(inp: DecisionInput, amount: Money, flags: list[EligibilityCode],
                  trace: list[RuleVerdict]) -> list[ReviewCode]:
    codes: list[ReviewCode] = []
    if EligibilityCode.IN_GRACE in flags:
        if inp.policy.grace_mode is GraceMode.REVIEW:
            codes.append(ReviewCode.IN_GRACE_REVIEW)
            trace.append(RuleVerdict("grace_mode", "REVIEW", "in the grace period; the policy sends these to staff"))
        else:
            trace.append(RuleVerdict("grace_mode", "PASS", "in the grace period; the policy accepts these"))
    limit = inp.policy.review_threshold(amount.currency)
    if limit is not None and amount > limit:
        codes.append(ReviewCode.ABOVE_REVIEW_THRESHOLD)
        trace.append(RuleVerdict("review_above", "REVIEW", f"refund {amount} is above {limit}"))
    elif limit is not None:
        trace.append(RuleVerdict("review_above", "PASS", f"refund {amount} is within {limit}"))
    return codes


def _keep_item(inp: DecisionInput, amount: Money, trace: list[RuleVerdict], flags: list[EligibilityCode]) -> bool:
    policy, currency = inp.policy, amount.currency
    threshold = policy.keep_item_threshold(currency)
    cost = policy.return_cost(currency) if policy.keep_item_cost_aware else None
    under = threshold is not None and amount <= threshold
    cheaper_to_keep = cost is not None and cost >= amount
    if not (under or cheaper_to_keep):
        why = f"refund {amount} is above the keep-item threshold {threshold}" if threshold else \
            f"no keep-item threshold in {currency}"
        trace.append(RuleVerdict("keep_item", "SHIP_BACK", why))
        return False
    limits = policy.keep_item_limits
    cap = policy.keep_item_amount_cap(currency)
    hist = inp.keep_history
    over_count = hist.count + 1 > limits.max_count
    over_amount = cap is not None and hist.amount.currency == currency and hist.amount + amount > cap
    if over_count or over_amount:
        flags.append(EligibilityCode.KEEP_ITEM_LIMIT_REACHED)
        trace.append(RuleVerdict("keep_item_limits", "SHIP_BACK",
                                 f"{hist.count} keep-item refunds ({hist.amount}) in the last {limits.days} days; "
                                 f"limit {limits.max_count}" + (f" / {cap}" if cap else "")))
        return False
    why = f"refund {amount} is at or below {threshold}" if under else \
        f"returning it would cost {cost}, not less than the refund {amount}"
    trace.append(RuleVerdict("keep_item", "KEEP_ITEM", why))
    return True
