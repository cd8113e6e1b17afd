"""The stores' own names and senders: a Saleor store's `shop { name defaultMailSenderName
defaultMailSenderAddress }` (graphql/saleor/ShopIdentity.graphql), asked once per store and kept a while; the
standalone store has none (RETURNS_MAIL_FROM speaks for it)."""
from __future__ import annotations

import logging
import time
from typing import Any

from ...ports.mail import StoreIdentity
from ..saleor.errors import SaleorError

log = logging.getLogger(__name__)
KEEP_SECONDS = 600.0  # a shop renamed in the Dashboard shows in e-mails within ten minutes
RETRY_SECONDS = 60.0  # a store that could not be asked is asked again after a minute


class StoreIdentityDirectory:
    """ports.StoreIdentities: installed Saleor stores are asked through their client (adapters/saleor)."""

    def __init__(self, saleor: Any = None) -> None:
        self.saleor = saleor  # SaleorTenants, or None (no Saleor stores)
        self._kept: dict[str, tuple[float, StoreIdentity]] = {}

    async def identity(self, tenant: str) -> StoreIdentity:
        kept = self._kept.get(tenant)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        client = await self.saleor.client_for(tenant) if self.saleor is not None else None
        if client is None:
            return StoreIdentity()
        found, keep = await _ask(client, tenant)
        self._kept[tenant] = (time.monotonic() + keep, found)
        return found


async def _ask(client: Any, tenant: str) -> tuple[StoreIdentity, float]:
    """The shop's name and sender; without MANAGE_SETTINGS (the sender needs it) the name alone."""
    try:
        shop = (await client.execute("ShopIdentity")).get("shop") or {}
        return StoreIdentity(shop.get("name"), shop.get("defaultMailSenderName"),
                             shop.get("defaultMailSenderAddress")), KEEP_SECONDS
    except SaleorError as exc:
        log.info("shop sender not readable, asking for the name only", extra={"tenant": tenant, "error": str(exc)})
    try:
        shop = (await client.execute("ShopName")).get("shop") or {}
        return StoreIdentity(shop.get("name")), KEEP_SECONDS
    except SaleorError as exc:
        log.warning("shop identity not readable", extra={"tenant": tenant, "error": str(exc)})
        return StoreIdentity(), RETRY_SECONDS
