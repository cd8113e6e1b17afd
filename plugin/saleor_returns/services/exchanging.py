"""Use case: send a return's replacement, exactly once (exchanges.md). The intent is the return's PENDING
exchange, due since approval (keep-item, instant exchange) or receipt; the desk is called with the return's
key; the outcome is a second transaction. Out of stock, the lines are refunded instead (Return._fall_back),
so the refund of a return with a replacement due is planned only after this (Return.plan_refunds waits)."""
from __future__ import annotations

import logging

from ..domain.order import Order
from ..domain.return_exchange import ReplacementOutcome, exchange_key
from ..domain.returns import Return
from ..ports import ReturnRef, UpstreamUnavailable
from ..ports.exchanges import ReplacementCommand, ReplacementLine
from .context import Deps
from .loading import locked

log = logging.getLogger(__name__)


def replacement_command(ret: Return, order: Order) -> ReplacementCommand:
    lines = []
    for line, swap in ret.swaps:
        ordered = order.line(line.order_line_id)
        product_id = (ordered.product if ordered else None) or ""
        lines.append(ReplacementLine(product_id=product_id, variant_id=swap.variant_id,
                                     product_name=line.product_name, sku=swap.sku, quantity=line.quantity))
    return ReplacementCommand(idempotency_key=exchange_key(ret.id), tenant=ret.tenant, return_id=ret.id,
                              return_number=ret.number, order_id=ret.order_id, order_number=ret.order_number,
                              channel=ret.channel, customer_email=ret.customer_email, lines=tuple(lines))


async def send_due_replacement(deps: Deps, ref: ReturnRef, order: Order) -> bool:
    """Send the return's replacement when it is due and not settled; True when this call settled it."""
    async with deps.uow(readonly=True) as uow:
        ret = await uow.returns.get(ref.tenant, ref.return_id)
    if ret is None or not ret.exchange_waits or deps.replacements is None:
        return False
    command = replacement_command(ret, order)
    try:
        outcome = await deps.replacements.send(command)
    except UpstreamUnavailable as exc:
        outcome = ReplacementOutcome(created=False, retryable=True, message=f"the store did not answer: {exc}")
    async with deps.uow() as uow:
        ret = await locked(uow, ref)
        ret.replacement_sent(outcome, deps.clock.now())
        await uow.commit()
    if not (outcome.created or outcome.out_of_stock):
        log.warning("replacement not sent; the worker tries again",
                    extra={"return": ref.return_id, "why": outcome.message})
        return False
    return True
