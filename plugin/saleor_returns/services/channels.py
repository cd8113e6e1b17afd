"""Use case: the sales channels staff can configure (for the console's channel pickers)."""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from ..domain.order import Channel
from ..ports import UnitOfWork
from .context import Actor, Deps
from .loading import current_policy
from .staff_actions import require_staff


@dataclass(frozen=True, slots=True)
class KnownChannel:
    channel: Channel
    policy_version: int  # 0: the built-in defaults, never saved


async def known_channels(deps: Deps, actor: Actor) -> list[KnownChannel]:
    """Channels with a saved policy or a return, plus any the order source lists; unknown slugs are dropped."""
    require_staff(actor)
    listed = await _listed_by_source(deps)  # a network call: not inside the transaction
    async with deps.uow(readonly=True) as uow:
        slugs = set(await known_slugs(uow, deps.tenant)) | set(listed)
        versions = {slug: (await current_policy(uow, deps.tenant, slug)).version for slug in slugs}
    out = []
    for slug in sorted(slugs):
        channel = await deps.orders.get_channel(slug)
        if channel is not None:
            out.append(KnownChannel(channel, versions[slug]))
    return out


async def known_slugs(uow: UnitOfWork, tenant: str) -> list[str]:
    """Channel slugs this tenant has a policy or a return in, sorted."""
    return sorted(set(await uow.policies.channels(tenant)) | set(await uow.returns.channels(tenant)))


async def _listed_by_source(deps: Deps) -> list[str]:
    """Slugs from an order source that can list its channels (`channel_slugs()`, sync or async)."""
    lister = getattr(deps.orders, "channel_slugs", None)
    if lister is None:
        return []
    found: Any = lister()
    if inspect.isawaitable(found):
        found = await found
    return [str(s) for s in found]
