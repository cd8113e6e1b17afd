"""Exchanges and store credit on the wire (../shared/design/api/exchanges.md): what eligibility offers, and
what a return shows of its store credit and replacement."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry

from ..domain.exchanges import ExchangeOption as DomainExchangeOption
from ..domain.exchanges import RefundMethod
from ..domain.exchanges import RefundMethodOption as DomainRefundMethodOption
from ..domain.money import Money as DomainMoney
from ..domain.refunds import RefundStatus
from ..domain.return_exchange import STORE_CREDIT_GATEWAY, ExchangeStatus
from ..domain.returns import Return
from .money import Money

strawberry.enum(RefundMethod, description="How a refund goes back: to the payment, or as store credit.")
strawberry.enum(ExchangeStatus, description="Where a return's replacement is.")


@strawberry.enum(description="Where a return's store credit is.")
class StoreCreditStatus(str, Enum):
    PENDING = "PENDING"
    ISSUED = "ISSUED"
    FAILED = "FAILED"


@strawberry.type(description="A way the refund may go back, with the bonus added when it is chosen.")
class RefundMethodOption:
    method: RefundMethod
    bonus_percent: Decimal

    @classmethod
    def of(cls, o: DomainRefundMethodOption) -> "RefundMethodOption":
        return cls(method=o.method, bonus_percent=o.bonus_percent)


@strawberry.type(description="A variant of the same product a line may be swapped for.")
class ExchangeOption:
    variant_id: strawberry.ID
    name: str
    sku: str | None
    unit_price: Money
    available: bool = strawberry.field(description="false when out of stock.")

    @classmethod
    def of(cls, o: DomainExchangeOption) -> "ExchangeOption":
        v = o.variant
        return cls(variant_id=strawberry.ID(v.id), name=v.name, sku=v.sku, unit_price=Money.of(v.unit_price),
                   available=o.available)


@strawberry.type(description="A refund taken as store credit: a code worth the refund plus the bonus.")
class StoreCredit:
    code: str | None
    amount: Money = strawberry.field(description="What the credit is worth: the refund plus the bonus.")
    bonus: Money
    status: StoreCreditStatus
    expires_at: datetime | None = None


@strawberry.type
class ExchangeLine:
    variant_id: strawberry.ID
    product_name: str
    quantity: int


@strawberry.type(description="The replacement sent for the swapped lines.")
class Exchange:
    status: ExchangeStatus
    order_id: strawberry.ID | None
    order_number: str | None
    lines: list[ExchangeLine]
    price_difference: Money = strawberry.field(description="Paid minus the new variants' prices: it goes back "
                                                           "by the refund method (zero for an even swap).")
    note: str | None = strawberry.field(default=None, description="Why it failed or waits (out of stock: the "
                                                                  "lines were refunded instead).")


def store_credit_of(r: Return) -> StoreCredit | None:
    """The credit of a STORE_CREDIT return: its refunds through the store-credit gateway (the code is the
    refund's reference), or what it will be worth while none is issued yet."""
    from ..domain.exchanges import RefundMethod as Method

    if r.refund_method is not Method.STORE_CREDIT:
        return None
    pct = r.credit_bonus_percent or Decimal(0)
    credits = [x for x in r.refunds if x.gateway == STORE_CREDIT_GATEWAY and x.status is not RefundStatus.CANCELED]
    base = sum((x.amount.amount for x in credits), Decimal(0)) if credits else r.refund_total.amount
    bonus = DomainMoney(base * pct / Decimal(100), r.currency)
    if any(x.status is RefundStatus.FAILED for x in credits):
        status = StoreCreditStatus.FAILED
    elif credits and all(x.status is RefundStatus.SUCCEEDED for x in credits):
        status = StoreCreditStatus.ISSUED
    else:
        status = StoreCreditStatus.PENDING
    codes = [x.psp_reference for x in credits if x.status is RefundStatus.SUCCEEDED and x.psp_reference]
    return StoreCredit(code=", ".join(codes) or None, amount=Money.of(DomainMoney(base, r.currency) + bonus),
                       bonus=Money.of(bonus), status=status)


def exchange_of(r: Return) -> Exchange | None:
    if r.exchange_status is None:
        return None
    return Exchange(status=r.exchange_status,
                    order_id=strawberry.ID(r.exchange_order_id) if r.exchange_order_id else None,
                    order_number=r.exchange_order_number,
                    lines=[ExchangeLine(variant_id=strawberry.ID(x.variant_id),
                                        product_name=f"{line.product_name} → {x.variant_name}",
                                        quantity=line.quantity) for line, x in r.swaps],
                    price_difference=Money.of(r.price_difference), note=r.exchange_note)
