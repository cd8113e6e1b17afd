"""Money on the wire: an amount (Decimal) and its currency."""
from __future__ import annotations

from decimal import Decimal

import strawberry

from ..domain.money import Money as DomainMoney


@strawberry.type
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, m: DomainMoney) -> "Money":
        return cls(amount=m.amount, currency=m.currency)

    @classmethod
    def row(cls, amount: Decimal, currency: str) -> "Money":
        return cls.of(DomainMoney(amount, currency))
