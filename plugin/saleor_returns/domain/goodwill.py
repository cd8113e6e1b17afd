"""The goodwill budget: what a staff member may spend per day on out-of-policy returns, unasked."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .codes import ReturnError, ReturnErrorCode
from .money import Money

DEFAULT_DAILY_BUDGET = Decimal("2000.00")


@dataclass(frozen=True, slots=True)
class Budget:
    daily: Money
    spent_today: Money

    @property
    def left(self) -> Money:
        return (self.daily - self.spent_today).max(Money.zero(self.daily.currency))


def check_spend(budget: Budget, amount: Money, *, is_owner: bool) -> Money:
    """The amount to book against the budget; GOODWILL_BUDGET_EXCEEDED beyond it unless an owner acts."""
    if amount <= budget.left or is_owner:
        return amount
    raise ReturnError(ReturnErrorCode.GOODWILL_BUDGET_EXCEEDED,
                      f"approving this spends {amount} of goodwill but only {budget.left} is left today; "
                      "ask a store owner to approve it")
