"""Demo start-up: the policy file's versions and the orders file's earlier returns, once."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from ..domain.codes import ReturnError
from ..domain.decision import RequestedLine
from .context import Actor, Deps
from .policies import seed_policies
from .request_return import ReturnInput, request_return

log = logging.getLogger(__name__)


class SeedReturn(Protocol):
    """An earlier return of the orders file (adapters/demo/orders_file.py), made at the demo's first start."""

    order_id: str
    email: str
    lines: Sequence[Any]  # each with order_line_id, quantity, reason, comment


async def seed_demo(deps: Deps, policies: dict[str, dict[str, Any]], returns: Sequence[SeedReturn]) -> None:
    seeded = await seed_policies(deps, policies)
    if seeded:
        log.info("policies seeded", extra={"channels": seeded})
    for seed in returns:
        async with deps.uow(readonly=True) as uow:
            if await uow.returns.returned_units(deps.tenant, seed.order_id):
                continue  # seeded at an earlier start
        lines = tuple(RequestedLine(x.order_line_id, x.quantity, x.reason, x.comment) for x in seed.lines)
        try:
            await request_return(deps, Actor.guest(seed.email), ReturnInput(seed.order_id, lines))
        except ReturnError as err:
            log.warning("seed return refused", extra={"order": seed.order_id, "code": err.code.value,
                                                      "error": err.message})
