"""Issue 11, point 5: rotating RETURNS_SECRET_KEY (or RETURNS_ENCRYPTION_KEY) does not lock installed stores out:
`saleor-returns rotate-keys` re-encrypts their app tokens under the new key."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.saleor.token_box import TokenBox
from saleor_returns.bootstrap import build
from saleor_returns.ports import StoredInstallation
from saleor_returns.saleor_settings import SaleorSettings

OLD_SECRET, NEW_SECRET = "old-secret-key-" + "o" * 32, "new-secret-key-" + "n" * 32
STORES = {"https://a.example/graphql/": "app-token-of-a", "https://b.example/graphql/": "app-token-of-b"}
LOST = "https://lost.example/graphql/"  # sealed with a key nobody has any more


async def _install(settings, demo_store, sealed: dict[str, str]) -> None:
    wiring = build(settings, DemoOrderSource(demo_store))
    try:
        async with wiring.deps.uow() as tx:
            for url, token in sealed.items():
                await tx.installations.save(StoredInstallation(
                    api_url=url, app_id="app", auth_token=token, active=True, schema_version="3.20",
                    permissions=("MANAGE_ORDERS",)), datetime.now(UTC))
            await tx.commit()
    finally:
        await wiring.close()


async def _tokens_seen_by_the_app(settings, demo_store) -> dict[str, str | None]:
    """What a freshly started app (these settings) reads as each installed store's app token."""
    wiring = build(settings, DemoOrderSource(demo_store))
    try:
        seen = {url: await wiring.deps.saleor.installation(url) for url in [*STORES, LOST]}
        return {url: found.token for url, found in seen.items() if found is not None}
    finally:
        await wiring.close()


def rotate(settings, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
    command = Path(sys.executable).with_name("saleor-returns")  # the installed command, as operators run it
    return subprocess.run([str(command), "rotate-keys", *args], text=True,
                          capture_output=True, timeout=120,
                          env={**clean, "DATABASE_URL": settings.database_url, **env})


def test_a_new_secret_key_with_rotate_keys_keeps_every_store(settings, demo_store):
    # given stores installed while the app ran with the old RETURNS_SECRET_KEY (no RETURNS_ENCRYPTION_KEY)
    old_box = TokenBox((OLD_SECRET,))
    sealed = {url: old_box.seal(token) for url, token in STORES.items()}
    asyncio.run(_install(settings, demo_store, {**sealed, LOST: TokenBox(("gone" * 10,)).seal("t")}))
    new_settings = replace(settings, secret_key=NEW_SECRET)
    # (started with only the new key, the app cannot read them: the stores are locked out)
    assert asyncio.run(_tokens_seen_by_the_app(new_settings, demo_store)) == dict.fromkeys([*STORES, LOST])

    # when the operator runs rotate-keys with the new key set and the old one given
    result = rotate(settings, {"RETURNS_SECRET_KEY": NEW_SECRET, "RETURNS_OLD_ENCRYPTION_KEYS": OLD_SECRET})

    # then the app with the new key reads every token again; the one no key opens is named, exit status 1
    assert result.returncode == 1, result.stderr
    assert "2 tokens re-encrypted" in result.stderr and LOST in result.stderr
    assert asyncio.run(_tokens_seen_by_the_app(new_settings, demo_store)) == {**STORES, LOST: None}
    # and the old key opens none of them any more
    old_settings = replace(settings, secret_key=OLD_SECRET)
    assert asyncio.run(_tokens_seen_by_the_app(old_settings, demo_store)) == dict.fromkeys([*STORES, LOST])


def test_encryption_keys_rotate_in_place(settings, demo_store):
    # given tokens sealed under RETURNS_ENCRYPTION_KEY=K1, and K2 put first: "K2,K1" (K2 encrypts, both decrypt)
    k1, k2 = "first-encryption-key-" + "1" * 30, "second-encryption-key-" + "2" * 30
    asyncio.run(_install(settings, demo_store, {url: TokenBox((k1,)).seal(t) for url, t in STORES.items()}))

    # when rotate-keys runs with that list, no old key needed
    result = rotate(settings, {"RETURNS_ENCRYPTION_KEY": f"{k2},{k1}", "RETURNS_SECRET_KEY": NEW_SECRET})
    assert result.returncode == 0, result.stderr

    # then K1 can leave the list: an app with K2 alone reads every store
    only_k2 = replace(settings, saleor=SaleorSettings(encryption_keys=(k2,)))
    assert asyncio.run(_tokens_seen_by_the_app(only_k2, demo_store)) == STORES


def test_rotate_keys_refuses_to_run_without_the_new_key(settings):
    result = rotate(settings, {})
    assert result.returncode == 2 and "RETURNS_SECRET_KEY" in result.stderr
