"""Demo start-up: the policy file's versions and the orders file's earlier returns, once."""
from __future__ import annotations

import logging
from typing import Any

from ..adapters.demo.orders_file import SeedReturn
from ..domain.codes import ReturnError
from ..domain.decision import RequestedLine
from .context import Actor, Deps
from .policies import seed_policies
from .request_return import ReturnInput, request_return

log = logging.getLogger(__name__)


async def seed_demo(deps: Deps, policies: dict[str, dict[str, Any]], returns: tuple[SeedReturn, ...]) -> None:
    seeded = await seed_policies(deps, policies)
    if seeded:
        log.info("policies seeded", extra={"channels": seeded})
    for seed in returns:
        async with deps.uow(readonly=True) as tx:
            if await tx.repo.returned_units(deps.tenant, seed.order_id):
                continue  # seeded at an earlier start
        lines = tuple(RequestedLine(x.order_line_id, x.quantity, x.reason, x.comment) for x in seed.lines)
        try:
            await request_return(deps, Actor.guest(seed.email), ReturnInput(seed.order_id, lines))
        except ReturnError as err:
            log.warning("seed return refused", extra={"order": seed.order_id, "code": err.code.value,
                                                      "error": err.message})
