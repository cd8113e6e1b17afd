"""The standalone store's ledger (ports.exchanges.LedgerRepository) and the adapters on it — replacements
taking stock off, store credit as a refund gateway — memory and SQL alike: one of each per key, however many
callers race."""
from __future__ import annotations

import asyncio
from decimal import Decimal

from saleor_returns.adapters.ledger.replacements import LedgerReplacements
from saleor_returns.adapters.ledger.store_credit import LedgerStoreCredit
from saleor_returns.adapters.memory.providers import MemoryOrders
from saleor_returns.domain.catalog import Product, Variant
from saleor_returns.domain.refunds import RefundCommand, RefundStatus
from saleor_returns.ports.exchanges import ReplacementCommand, ReplacementLine
from support.return_builder import OTHER_TENANT, TENANT, at, usd

SHOE = Product("P-SHOE", "Trail Shoe", (Variant("V-43", "43", "SHOE-43", usd("89.00"), 2),))


def command(key: str, units: int = 1, tenant: str = TENANT) -> ReplacementCommand:
    return ReplacementCommand(idempotency_key=key, tenant=tenant, return_id=key, return_number=f"R-{key}",
                              order_id="ORD-1", order_number="1", channel="default-channel",
                              customer_email="hal@example.com",
                              lines=(ReplacementLine("P-SHOE", "V-43", "Trail Shoe", "SHOE-43", units),))


def desk(uows) -> LedgerReplacements:
    return LedgerReplacements(uows, MemoryOrders(products={"P-SHOE": SHOE}), lambda: at(0))


async def test_a_replacement_is_made_once_per_key_and_takes_its_units_off_the_stock(uows):
    replacements = desk(uows)

    outcomes = await asyncio.gather(*(replacements.send(command("k1")) for _ in range(20)))

    assert {(o.created, o.order_number) for o in outcomes} == {(True, "X-R-k1")}
    assert await replacements.units_sent(TENANT, ["V-43"]) == {"V-43": 1}
    assert await replacements.units_sent(OTHER_TENANT, ["V-43"]) == {}


async def test_a_replacement_beyond_the_stock_left_is_out_of_stock_and_takes_nothing(uows):
    replacements = desk(uows)
    assert (await replacements.send(command("k1", units=2))).created

    late = await replacements.send(command("k2"))

    assert (late.created, late.out_of_stock) == (False, True) and "Trail Shoe (43)" in (late.message or "")
    assert await replacements.units_sent(TENANT, ["V-43"]) == {"V-43": 2}


async def test_store_credit_is_one_code_per_refund_key_worth_the_refund_plus_its_bonus(uows):
    gateway = LedgerStoreCredit(uows, lambda: at(0))
    refund = RefundCommand(refund_id="r1", idempotency_key="saleor-returns-refund-r1", amount=usd("120.00"),
                           psp_reference="pi_1", payment_gateway="store-credit", order_id="ORD-1",
                           return_number="R-1", tenant=TENANT,
                           metadata={"credit_bonus_percent": "10", "customer_email": "ivy@example.com"})

    outcomes = await asyncio.gather(*(gateway.refund(refund) for _ in range(20)))

    assert {o.status for o in outcomes} == {RefundStatus.SUCCEEDED}
    assert len({o.psp_reference for o in outcomes}) == 1
    async with uows(readonly=True) as tx:
        (credit,) = await tx.ledger.credits_of(TENANT, ["R-1"])
    assert (credit.code, credit.amount, credit.bonus) == (outcomes[0].psp_reference, usd("132.00"), usd("12.00"))
    assert credit.amount.amount == Decimal("132.00") and credit.customer_email == "ivy@example.com"


# --- a return's exchange and refund method, as saved ------------------------------------------------------------

async def test_a_returns_exchange_and_refund_method_come_back_as_saved_and_follow_a_fallback(uows):
    from dataclasses import replace as changed

    from saleor_returns.domain.exchanges import RefundMethod
    from saleor_returns.domain.return_exchange import ExchangeStatus, LineExchange, ReplacementOutcome
    from support.return_builder import a_line, a_return

    swapped = changed(a_line(amount="0.00"), exchange=LineExchange("V-43", "43", "SHOE-43", usd("89.00")))
    ret = a_return(total="0.00", lines=[swapped], refund_method=RefundMethod.STORE_CREDIT,
                   credit_bonus_percent=Decimal("12.5"), exchange_status=ExchangeStatus.PENDING,
                   exchange_due_at=at(1), instant_exchange=True)
    async with uows() as tx:
        tx.returns.add(ret)
        await tx.commit()
    async with uows(readonly=True) as tx:
        back = await tx.returns.get(TENANT, ret.id)
        due = await tx.work.due_exchanges(at(2), 10)
    assert (back.refund_method, back.credit_bonus_percent, back.exchange_status, back.instant_exchange) == (
        RefundMethod.STORE_CREDIT, Decimal("12.5"), ExchangeStatus.PENDING, True)
    assert back.lines[0].exchange == swapped.exchange and back.exchange_due_at == at(1)
    assert [r.return_id for r in due] == [ret.id]

    # when the replacement is out of stock, the line is refunded in full instead: saved as such
    async with uows() as tx:
        live = await tx.returns.get(TENANT, ret.id)
        await tx.lock_order(TENANT, live.order_id)
        live.replacement_sent(ReplacementOutcome(created=False, out_of_stock=True, message="43 is out of stock"),
                              at(3))
        await tx.commit()
    async with uows(readonly=True) as tx:
        after = await tx.returns.get(TENANT, ret.id)
        assert await tx.work.due_exchanges(at(4), 10) == []
    assert (after.exchange_status, after.exchange_note, after.refund_total) == (
        ExchangeStatus.FAILED, "43 is out of stock", usd("89.00"))
    assert (after.lines[0].exchange, after.lines[0].refund) == (None, usd("89.00"))
