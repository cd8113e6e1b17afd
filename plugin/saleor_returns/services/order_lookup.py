"""Use case: find the order a shopper means by what is printed on the receipt (its number, or its id)."""
from __future__ import annotations

import inspect
import logging
from typing import Any

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.order import Order
from ..ports import UpstreamUnavailable
from .context import Actor, Deps
from .loading import NOT_FOUND, order_for

log = logging.getLogger(__name__)

MAX_REFERENCE = 100


def clean_reference(reference: str) -> str:
    """'  #1001 ' → '1001': receipts and e-mails print the number with a hash."""
    return reference.strip().lstrip("#").strip()


async def find_order(deps: Deps, actor: Actor, reference: str) -> Order:
    """The order with this number (or id) that `actor` may act on; ORDER_NOT_FOUND otherwise.

    A wrong e-mail, an unknown number and an unknown id all look the same, so numbers cannot be probed.
    """
    ref = clean_reference(reference)
    if not ref or len(ref) > MAX_REFERENCE:
        raise ReturnError(ReturnErrorCode.ORDER_NOT_FOUND, NOT_FOUND, "orderNumber")
    order_id = await _id_by_number(deps, ref) or ref
    try:
        return await order_for(deps, actor, order_id)
    except ReturnError as err:
        if err.code is ReturnErrorCode.ORDER_NOT_FOUND:
            raise ReturnError(err.code, err.message, "orderNumber") from err
        raise


async def _id_by_number(deps: Deps, number: str) -> str | None:
    """Ask the order source for the id behind a number, when it can answer that question."""
    lookup = getattr(deps.orders, "order_by_number", None)
    if lookup is None:
        return None  # the source only knows ids: the reference is tried as an id
    try:
        found: Any = lookup(number)
        if inspect.isawaitable(found):
            found = await found
    except UpstreamUnavailable as exc:
        raise ReturnError(ReturnErrorCode.UPSTREAM_UNAVAILABLE,
                          "The store cannot be reached right now; please try again in a minute.") from exc
    if found is None:
        log.info("order number not found", extra={"tenant": deps.tenant})
        return None
    return str(found.id)
