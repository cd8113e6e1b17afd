"""What the lines of one order share, worked out once per order and policy: the rules of each product key and
the deadline of each window start. A 200-line order has a handful of overrides and shipping dates."""
from __future__ import annotations

from datetime import datetime

from .deadline import Deadline, compute_deadline
from .order import Order, OrderLine
from .policy import LineRules, OverrideLevel, Policy

RulesKey = tuple[str | None, str | None, str | None]


class OrderFacts:
    """For one check of one order under one policy (not kept longer: both are values of that moment)."""

    __slots__ = ("order", "policy", "_levels", "_rules", "_deadlines")

    def __init__(self, order: Order, policy: Policy) -> None:
        self.order = order
        self.policy = policy
        self._levels = frozenset(ov.level for ov in policy.overrides)  # the levels any override names
        self._rules: dict[RulesKey, LineRules] = {}
        self._deadlines: dict[tuple[datetime | None, int, int], Deadline | None] = {}

    def rules_key(self, line: OrderLine) -> RulesKey:
        """What of the line the policy's overrides look at: lines with equal keys have equal rules (without
        overrides, every line has the channel's)."""
        levels = self._levels
        if not levels:
            return (None, None, None)
        return (line.product_type if OverrideLevel.PRODUCT_TYPE in levels else None,
                line.category if OverrideLevel.CATEGORY in levels else None,
                line.product if OverrideLevel.PRODUCT in levels else None)

    def rules(self, line: OrderLine) -> LineRules:
        key = self.rules_key(line)
        found = self._rules.get(key)
        if found is None:
            found = self._rules[key] = self.policy.for_line(*key)
        return found

    def deadline(self, line: OrderLine, rules: LineRules) -> Deadline | None:
        fulfilled_at = self.order.fulfilled_at(line.id)
        key = (fulfilled_at, rules.window_days, rules.grace_days)
        if key in self._deadlines:
            return self._deadlines[key]
        order = self.order
        found = self._deadlines[key] = compute_deadline(
            ordered_at=order.created_at, fulfilled_at=fulfilled_at, window_days=rules.window_days,
            grace_days=rules.grace_days, policy=self.policy, timezone=order.channel.timezone)
        return found
