"""Stored installations (one row per Saleor API URL) and applied webhook bodies: the queries, no rules."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ...ports.persistence import StoredInstallation
from .dialect import insert_for
from .models import SaleorInstallationRow, SaleorWebhookDeliveryRow, SaleorWritebackRow


async def load(session: AsyncSession, api_url: str) -> SaleorInstallationRow | None:
    stmt = select(SaleorInstallationRow).where(SaleorInstallationRow.saleor_api_url == api_url)
    return (await session.execute(stmt)).scalar_one_or_none()


async def save_install(session: AsyncSession, *, api_url: str, app_id: str, sealed_token: str, domain: str | None,
                       schema_version: str | None, permissions: list[str], jwks: dict[str, Any] | None,
                       now: datetime) -> None:
    """Insert the installation, or refresh it on a re-install (new token, active again): one row per store."""
    values = {"app_id": app_id, "auth_token": sealed_token, "saleor_domain": domain, "schema_version": schema_version,
              "permissions": permissions, "jwks": jwks, "jwks_fetched_at": now if jwks else None, "updated_at": now,
              "active": True}
    stmt = insert_for(session, SaleorInstallationRow).values(saleor_api_url=api_url, installed_at=now, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["saleor_api_url"], set_=values))


async def save_jwks(session: AsyncSession, api_url: str, jwks: dict[str, Any], now: datetime) -> None:
    await session.execute(update(SaleorInstallationRow).where(SaleorInstallationRow.saleor_api_url == api_url)
                          .values(jwks=jwks, jwks_fetched_at=now))


async def deactivate(session: AsyncSession, api_url: str, app_id: str, now: datetime) -> bool:
    """The store removed the app: inactive, and the token (useless now) forgotten. False if nothing changed."""
    result = await session.execute(
        update(SaleorInstallationRow)
        .where(SaleorInstallationRow.saleor_api_url == api_url, SaleorInstallationRow.app_id == app_id,
               SaleorInstallationRow.active.is_(True))
        .values(active=False, auth_token="", updated_at=now))
    return bool(getattr(result, "rowcount", 0))


async def delivery_seen(session: AsyncSession, tenant: str, digest: str) -> bool:
    stmt = select(SaleorWebhookDeliveryRow.id).where(SaleorWebhookDeliveryRow.tenant == tenant,
                                                     SaleorWebhookDeliveryRow.digest == digest)
    return (await session.execute(stmt)).first() is not None


async def record_delivery(session: AsyncSession, *, tenant: str, digest: str, event: str,
                          issued_at: datetime | None, now: datetime, keep: timedelta) -> bool:
    """Note a body as applied; False when it already was (the unique key drops the repeat). Bodies older
    than `keep` are forgotten: a replay of those is refused for its age already."""
    await session.execute(delete(SaleorWebhookDeliveryRow).where(SaleorWebhookDeliveryRow.tenant == tenant,
                                                                 SaleorWebhookDeliveryRow.received_at < now - keep))
    stmt = (insert_for(session, SaleorWebhookDeliveryRow)
            .values(tenant=tenant, digest=digest, event=event[:64], issued_at=issued_at, received_at=now)
            .on_conflict_do_nothing().returning(SaleorWebhookDeliveryRow.id))
    return (await session.execute(stmt)).scalar_one_or_none() is not None


# --- one writer per return ------------------------------------------------------------------------
async def claim_writeback(session: AsyncSession, tenant: str, return_id: str, now: datetime, lease: timedelta) -> bool:
    """Take the write-back of a return for `lease`; False when another writer holds it (it is then asked
    to write once more, so what changed meanwhile is written too)."""
    await session.execute(insert_for(session, SaleorWritebackRow)
                          .values(return_id=return_id, tenant=tenant, lease_until=None, again=False)
                          .on_conflict_do_nothing())
    free = (SaleorWritebackRow.lease_until.is_(None)) | (SaleorWritebackRow.lease_until < now)
    take = (update(SaleorWritebackRow).where(SaleorWritebackRow.return_id == return_id, free)
            .values(lease_until=now + lease, again=False))
    if getattr(await session.execute(take), "rowcount", 0):
        return True
    await session.execute(update(SaleorWritebackRow).where(SaleorWritebackRow.return_id == return_id)
                          .values(again=True))
    # the holder may have let go between the two statements: then nobody would write the last change
    return bool(getattr(await session.execute(take), "rowcount", 0))


async def release_writeback(session: AsyncSession, return_id: str, *, force: bool = False) -> bool:
    """Give the write-back up; False (still held) when someone asked for one more pass meanwhile."""
    stmt = update(SaleorWritebackRow).where(SaleorWritebackRow.return_id == return_id)
    if not force:
        stmt = stmt.where(SaleorWritebackRow.again.is_(False))
    released = await session.execute(stmt.values(lease_until=None, again=False))
    if getattr(released, "rowcount", 0):
        return True
    await session.execute(update(SaleorWritebackRow).where(SaleorWritebackRow.return_id == return_id)
                          .values(again=False))
    return False


def _stored(row: SaleorInstallationRow) -> StoredInstallation:
    return StoredInstallation(api_url=row.saleor_api_url, app_id=row.app_id, auth_token=row.auth_token,
                              active=row.active, schema_version=row.schema_version,
                              permissions=tuple(row.permissions or ()), jwks=row.jwks, domain=row.saleor_domain)


class SqlInstallations:
    """ports.InstallationRepository on SQLAlchemy (the functions above)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, api_url: str) -> StoredInstallation | None:
        row = await load(self.session, api_url)
        return _stored(row) if row is not None else None

    async def save(self, inst: StoredInstallation, now: datetime) -> None:
        await save_install(self.session, api_url=inst.api_url, app_id=inst.app_id, sealed_token=inst.auth_token,
                           domain=inst.domain, schema_version=inst.schema_version,
                           permissions=list(inst.permissions), jwks=inst.jwks, now=now)

    async def save_jwks(self, api_url: str, jwks: dict[str, Any], now: datetime) -> None:
        await save_jwks(self.session, api_url, jwks, now)

    async def deactivate(self, api_url: str, app_id: str, now: datetime) -> bool:
        return await deactivate(self.session, api_url, app_id, now)

    async def all(self) -> list[StoredInstallation]:
        rows = (await self.session.execute(select(SaleorInstallationRow))).scalars()
        return [_stored(r) for r in rows]

    async def delivery_seen(self, api_url: str, digest: str) -> bool:
        return await delivery_seen(self.session, api_url, digest)

    async def record_delivery(self, api_url: str, digest: str, event: str, issued_at: datetime | None,
                              now: datetime, keep: timedelta) -> bool:
        return await record_delivery(self.session, tenant=api_url, digest=digest, event=event, issued_at=issued_at,
                                     now=now, keep=keep)

    async def claim_writeback(self, tenant: str, return_id: str, now: datetime, lease: timedelta) -> bool:
        return await claim_writeback(self.session, tenant, return_id, now, lease)

    async def release_writeback(self, return_id: str, force: bool = False) -> bool:
        return await release_writeback(self.session, return_id, force=force)
