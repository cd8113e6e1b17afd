"""A Saleor store's e-mails come from the store itself: its name and default sender (shop { name
defaultMailSenderName defaultMailSenderAddress }), and its orders say which language to write in."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from saleor_returns.adapters.mail.identities import StoreIdentityDirectory
from saleor_returns.adapters.saleor.client import SaleorClient
from saleor_returns.adapters.saleor.order_mapping import language
from saleor_returns.adapters.saleor.order_source import SaleorOrderSource
from saleor_returns.ports.mail import StoreIdentity
from saleor_returns.saleor_settings import SaleorSettings
from support.fake_saleor import FakeSaleor


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "EUR", timezone="Europe/Berlin")
    try:
        yield saleor
    finally:
        saleor.stop()


class Tenants:
    """Stands for adapters/saleor/tenants.SaleorTenants: a client per installed store."""

    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients

    async def client_for(self, tenant: str) -> Any:
        return self.clients.get(tenant)


async def test_the_shop_names_itself_and_its_sender(fake):
    async with httpx.AsyncClient(timeout=5) as http:
        full = SaleorClient(fake.api_url, fake.add_app(["MANAGE_ORDERS", "MANAGE_SETTINGS"]).token, http)
        orders_only = SaleorClient(fake.api_url, fake.add_app(["MANAGE_ORDERS"]).token, http)
        directory = StoreIdentityDirectory(Tenants({"https://a/graphql/": full, "https://b/graphql/": orders_only}))

        assert await directory.identity("https://a/graphql/") == StoreIdentity(
            "Saleor Demo Shop", "Fake Shop Returns", "returns@fake-shop.example")
        # without MANAGE_SETTINGS the sender is not readable: the name alone, the deployment's sender
        assert await directory.identity("https://b/graphql/") == StoreIdentity("Saleor Demo Shop")
        # asked once, then kept; the standalone store has no identity of its own
        calls = len(fake.calls)
        await directory.identity("https://a/graphql/")
        assert len(fake.calls) == calls
        assert await directory.identity("demo") == StoreIdentity()


async def test_the_order_language_is_read_from_saleor(fake):
    order = fake.add_order(email="jonas@example.de", user_id=None, language="DE_AT",
                           lines=[{"name": "Tasse", "qty": 1, "price": "12.00"}],
                           shipped_at=datetime(2026, 11, 20, tzinfo=UTC))
    async with httpx.AsyncClient(timeout=5) as http:
        source = SaleorOrderSource(SaleorClient(fake.api_url, fake.add_app().token, http), SaleorSettings())
        found = await source.get_order(order["id"])
    assert found is not None and found.language_code == "de_AT"


@pytest.mark.parametrize("saleor, locale", [("DE", "de"), ("EN_US", "en_US"), ("PT_BR", "pt_BR"),
                                            ("ZH_HANS", "zh_Hans"), (None, None), ("", None)])
def test_saleor_language_codes_become_locale_names(saleor, locale):
    assert language(saleor) == locale
