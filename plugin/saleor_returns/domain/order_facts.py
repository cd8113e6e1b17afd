"""What the lines of one order share, worked out once per order and policy: the rules of each product key and
the deadline of each window start. A 200-line order has a handful of products' rules and shipping dates."""
from __future__ import annotations

from datetime import datetime

from .deadline import Deadline, compute_deadline
from .order import Order, OrderLine
from .policy import LineRules, Policy


class OrderFacts:
    """For one check of one order under one policy (not kept longer: both are values of that moment)."""

    __slots__ = ("order", "policy", "_rules", "_deadlines")

    def __init__(self, order: Order, policy: Policy) -> None:
        self.order = order
        self.policy = policy
        self._rules: dict[tuple[str | None, str | None, str | None], LineRules] = {}
        self._deadlines: dict[tuple[datetime | None, int, int], Deadline | None] = {}

    def rules(self, line: OrderLine) -> LineRules:
        key = (line.product_type, line.category, line.product)
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
