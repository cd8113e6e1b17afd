"""ports.InstallationRepository: installed Saleor stores, applied webhook bodies, one write-back writer per
return; memory and SQL alike."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from saleor_returns.ports import StoredInstallation, UnitOfWorkFactory
from support.return_builder import at

API = "https://shop.example/graphql/"
OTHER = "https://other.example/graphql/"
STORE = StoredInstallation(api_url=API, app_id="QXBwOjE=", auth_token="sealed-1", active=True,
                           schema_version="3.24", permissions=("MANAGE_ORDERS", "HANDLE_PAYMENTS"),
                           jwks={"keys": [{"kid": "k1", "kty": "RSA", "n": "abc", "e": "AQAB"}]},
                           domain="shop.example")
KEEP = timedelta(days=3)
LEASE = timedelta(minutes=5)


async def install(uows: UnitOfWorkFactory, inst: StoredInstallation, minute: float = 0) -> None:
    async with uows() as tx:
        await tx.installations.save(inst, at(minute))
        await tx.commit()


async def stored(uows: UnitOfWorkFactory, api_url: str = API) -> StoredInstallation | None:
    async with uows(readonly=True) as tx:
        return await tx.installations.load(api_url)


# --- installations ---------------------------------------------------------------------------------
async def test_an_installation_is_saved_and_loaded_as_it_was(uows):
    assert await stored(uows) is None
    await install(uows, STORE)
    await install(uows, replace(STORE, api_url=OTHER, jwks=None, domain=None, schema_version=None, permissions=()))

    assert await stored(uows) == STORE
    assert await stored(uows, OTHER) == replace(STORE, api_url=OTHER, jwks=None, domain=None, schema_version=None,
                                                permissions=())
    async with uows(readonly=True) as tx:
        assert sorted(i.api_url for i in await tx.installations.all()) == sorted([API, OTHER])


async def test_a_reinstall_replaces_the_token_and_is_active_again(uows):
    await install(uows, STORE)
    async with uows() as tx:
        assert await tx.installations.deactivate(API, STORE.app_id, at(1)) is True
        await tx.commit()
    await install(uows, replace(STORE, app_id="QXBwOjI=", auth_token="sealed-2", active=False), minute=2)

    assert await stored(uows) == replace(STORE, app_id="QXBwOjI=", auth_token="sealed-2", active=True)


async def test_an_uninstall_forgets_the_token_once_and_only_for_the_installed_app(uows):
    await install(uows, STORE)
    async with uows() as tx:
        assert await tx.installations.deactivate(API, "QXBwOjk5", at(1)) is False  # another app's word
        assert await tx.installations.deactivate(OTHER, STORE.app_id, at(1)) is False  # not installed
        await tx.commit()
    assert await stored(uows) == STORE

    async with uows() as tx:
        assert await tx.installations.deactivate(API, STORE.app_id, at(2)) is True
        await tx.commit()
    async with uows() as tx:
        assert await tx.installations.deactivate(API, STORE.app_id, at(3)) is False  # already
        await tx.commit()
    assert await stored(uows) == replace(STORE, active=False, auth_token="")


async def test_new_keys_are_saved(uows):
    await install(uows, STORE)
    keys = {"keys": [{"kid": "k2", "kty": "RSA", "n": "def", "e": "AQAB"}]}
    async with uows() as tx:
        await tx.installations.save_jwks(API, keys, at(1))
        await tx.installations.save_jwks(OTHER, keys, at(1))  # not installed: nothing to update
        await tx.commit()
    assert await stored(uows) == replace(STORE, jwks=keys)
    assert await stored(uows, OTHER) is None


async def test_an_installation_not_committed_is_not_kept(uows):
    async with uows() as tx:
        await tx.installations.save(STORE, at(0))
    assert await stored(uows) is None


# --- webhook bodies --------------------------------------------------------------------------------
async def test_a_webhook_body_is_applied_once_per_store(uows):
    async with uows() as tx:
        assert await tx.installations.delivery_seen(API, "d1") is False
        assert await tx.installations.record_delivery(API, "d1", "ORDER_REFUNDED", at(0), at(0), KEEP) is True
        assert await tx.installations.delivery_seen(API, "d1") is True  # in the same unit of work
        assert await tx.installations.record_delivery(API, "d1", "ORDER_REFUNDED", at(0), at(0), KEEP) is False
        await tx.commit()
    async with uows() as tx:
        assert await tx.installations.delivery_seen(API, "d1") is True
        assert await tx.installations.record_delivery(API, "d1", "ORDER_REFUNDED", None, at(1), KEEP) is False
        assert await tx.installations.delivery_seen(OTHER, "d1") is False
        assert await tx.installations.record_delivery(OTHER, "d1", "ORDER_REFUNDED", None, at(1), KEEP) is True
        await tx.commit()


async def test_webhook_bodies_older_than_the_keep_time_are_forgotten(uows):
    async with uows() as tx:
        await tx.installations.record_delivery(API, "old", "ORDER_REFUNDED", None, at(0), KEEP)
        await tx.installations.record_delivery(OTHER, "old", "ORDER_REFUNDED", None, at(0), KEEP)
        await tx.commit()
    later = at(0) + KEEP + timedelta(minutes=1)
    async with uows() as tx:  # recording a new body of the store drops the store's old ones
        assert await tx.installations.record_delivery(API, "new", "ORDER_REFUNDED", None, later, KEEP) is True
        await tx.commit()
    async with uows(readonly=True) as tx:
        assert await tx.installations.delivery_seen(API, "old") is False
        assert await tx.installations.delivery_seen(API, "new") is True
        assert await tx.installations.delivery_seen(OTHER, "old") is True  # another store's: kept


async def test_a_webhook_body_not_committed_is_not_kept(uows):
    async with uows() as tx:
        assert await tx.installations.record_delivery(API, "d1", "ORDER_REFUNDED", None, at(0), KEEP) is True
    async with uows(readonly=True) as tx:
        assert await tx.installations.delivery_seen(API, "d1") is False


# --- one writer per return -------------------------------------------------------------------------
async def claim(uows: UnitOfWorkFactory, return_id: str, minute: float, commit: bool = True) -> bool:
    async with uows() as tx:
        claimed = await tx.installations.claim_writeback(API, return_id, at(minute), LEASE)
        if commit:
            await tx.commit()
    return claimed


async def release(uows: UnitOfWorkFactory, return_id: str, force: bool = False) -> bool:
    async with uows() as tx:
        released = await tx.installations.release_writeback(return_id, force=force)
        await tx.commit()
    return released


async def test_one_writer_at_a_time_and_a_second_caller_asks_for_one_more_pass(uows):
    # given a writer holds the return
    assert await claim(uows, "r-1", 0) is True
    assert await claim(uows, "r-2", 0) is True  # another return: its own writer

    # when another caller comes while it writes: it is refused, and asks for one more pass
    assert await claim(uows, "r-1", 1) is False

    # then the holder's first release is refused (it must write once more), the second lets go
    assert await release(uows, "r-1") is False
    assert await release(uows, "r-1") is True
    assert await claim(uows, "r-1", 2) is True
    assert await release(uows, "r-1") is True


async def test_a_forced_release_lets_go_even_when_another_pass_was_asked_for(uows):
    assert await claim(uows, "r-1", 0) is True
    assert await claim(uows, "r-1", 1) is False
    assert await release(uows, "r-1", force=True) is True
    assert await claim(uows, "r-1", 2) is True


async def test_a_writer_that_died_is_replaced_after_its_lease(uows):
    assert await claim(uows, "r-1", 0) is True
    assert await claim(uows, "r-1", 5) is False  # the lease ends at minute 5: not yet over
    assert await claim(uows, "r-1", 5.1) is True


async def test_a_claim_not_committed_is_not_kept(uows):
    assert await claim(uows, "r-1", 0, commit=False) is True
    assert await claim(uows, "r-1", 1) is True
