"""The outbox and the stores' mail settings in SQL (ports/mail.py).

New messages are inserted by the unit of work on commit, from the new events of the returns it saves, in the
same transaction (`OutboxWriter`); the unique dedupe key drops a message already owed. Messages read for change
are written back on commit, like returns."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ...domain.labels import LabelStatus
from ...domain.notifications import messages_owed
from ...domain.outbox import Notification, NotificationKind, NotificationStatus, Rendered
from ...domain.return_parcel import AWAITING_PARCEL
from ...domain.returns import Return
from ...ports.mail import StoreMailSettings
from ...ports.persistence import ReturnRef, WorkItem
from .dialect import is_postgres
from .models import LabelRow, NotificationRow, ReturnRow, StoreMailSettingsRow


def notification_from_row(row: NotificationRow) -> Notification:
    rendered = Rendered(row.subject or "", row.body_text or "", row.body_html or "") \
        if row.subject is not None else None
    return Notification(
        id=row.id, tenant=row.tenant, return_id=row.return_id, kind=NotificationKind(row.kind), to=row.recipient,
        dedupe_key=row.dedupe_key, created_at=row.created_at, to_name=row.recipient_name, language=row.language,
        facts=dict(row.facts or {}), status=NotificationStatus(row.status), attempts=row.attempts,
        next_attempt_at=row.next_attempt_at, sent_at=row.sent_at, error=row.error, rendered=rendered)


def _values(n: Notification) -> dict[str, object]:
    """The columns that change after a message is written."""
    r = n.rendered
    return {"status": n.status.value, "attempts": n.attempts, "next_attempt_at": n.next_attempt_at,
            "sent_at": n.sent_at, "error": n.error, "subject": r.subject if r else None,
            "body_text": r.text if r else None, "body_html": r.html if r else None}


_NOTIFICATIONS: Table = NotificationRow.__table__  # type: ignore[assignment]
# built once per dialect (compiled once): a message already owed (same dedupe key) is dropped
_OWE = {postgres: (pg_insert(_NOTIFICATIONS) if postgres else sqlite_insert(_NOTIFICATIONS))
        .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(_NOTIFICATIONS.c.id)
        for postgres in (False, True)}


class OutboxWriter:
    """On commit: the messages the new events owe, inserted in the same transaction (returns their ids)."""

    def __init__(self, staff: Sequence[str]) -> None:
        self.staff = tuple(staff)

    async def write(self, conn: AsyncConnection, fresh: list[tuple[Return, int]]) -> list[str]:
        written = []
        stmt = _OWE[conn.dialect.name == "postgresql"]
        for ret, first_new in fresh:
            for n in messages_owed(ret, first_new, self.staff, lambda: str(uuid.uuid4())):
                values = {"id": n.id, "tenant": n.tenant, "return_id": n.return_id, "kind": n.kind.value,
                          "recipient": n.to[:320], "recipient_name": (n.to_name or None) and n.to_name[:255],
                          "language": n.language, "dedupe_key": n.dedupe_key, "facts": n.facts,
                          "created_at": n.created_at, **_values(n)}
                if (await conn.execute(stmt, values)).scalar_one_or_none() is not None:
                    written.append(n.id)
        return written


class SqlOutbox:
    """ports.OutboxRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._changed: dict[str, Notification] = {}

    async def of_return(self, tenant: str, return_id: str) -> list[Notification]:
        stmt = (select(NotificationRow).where(NotificationRow.tenant == tenant, NotificationRow.return_id == return_id)
                .order_by(NotificationRow.seq))
        return [notification_from_row(r) for r in (await self.session.execute(stmt)).scalars()]

    async def page(self, tenant: str, status: NotificationStatus | None, first: int,
                   after: int | None) -> list[tuple[int, Notification]]:
        stmt = select(NotificationRow).where(NotificationRow.tenant == tenant)
        if status is not None:
            stmt = stmt.where(NotificationRow.status == status.value)
        if after is not None:
            stmt = stmt.where(NotificationRow.seq < after)
        rows = (await self.session.execute(stmt.order_by(NotificationRow.seq.desc()).limit(first + 1))).scalars()
        return [(r.seq, notification_from_row(r)) for r in rows]

    async def get(self, tenant: str, notification_id: str) -> Notification | None:
        stmt = select(NotificationRow).where(NotificationRow.tenant == tenant, NotificationRow.id == notification_id)
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return self._watch(notification_from_row(row)) if row is not None else None

    def _watch(self, n: Notification) -> Notification:
        self._changed[n.id] = n
        return n

    async def claim_due(self, now: datetime, limit: int, lease: timedelta,
                        ids: Sequence[str] | None = None) -> list[Notification]:
        stmt = select(NotificationRow).where(
            NotificationRow.status == NotificationStatus.PENDING.value,
            (NotificationRow.next_attempt_at.is_(None)) | (NotificationRow.next_attempt_at <= now))
        if ids is not None:
            stmt = stmt.where(NotificationRow.id.in_(list(ids)))
        stmt = stmt.order_by(NotificationRow.created_at).limit(limit)
        if is_postgres(self.session):
            stmt = stmt.with_for_update(skip_locked=True)
        claimed = []
        for row in (await self.session.execute(stmt)).scalars():
            n = notification_from_row(row)
            if n.claim(now, lease):
                claimed.append(self._watch(n))
        return claimed

    async def labels_to_remind(self, now: datetime, within: timedelta, limit: int) -> list[WorkItem]:
        stmt = (select(ReturnRow.tenant, ReturnRow.id, ReturnRow.order_id, LabelRow.id)
                .join(LabelRow, LabelRow.return_seq == ReturnRow.seq)
                .where(ReturnRow.status.in_([s.value for s in AWAITING_PARCEL]),
                       LabelRow.status == LabelStatus.ISSUED.value, LabelRow.voided_at.is_(None),
                       LabelRow.first_scan_at.is_(None), LabelRow.expiry_reminded_at.is_(None),
                       LabelRow.expires_at > now, LabelRow.expires_at <= now + within)
                .order_by(LabelRow.expires_at).limit(limit))
        found = (await self.session.execute(stmt)).all()
        return [WorkItem(ReturnRef(t, i, o), label_id) for t, i, o, label_id in found]

    async def flush(self) -> None:
        """Write back what the messages read for change became."""
        for n in self._changed.values():
            await self.session.execute(update(NotificationRow).where(NotificationRow.id == n.id).values(**_values(n))
                                       .execution_options(synchronize_session=False))
        self._changed.clear()


class SqlMailSettings:
    """ports.MailSettingsRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._pending: StoreMailSettingsRow | None = None

    async def get(self, tenant: str) -> StoreMailSettings | None:
        row = await self.session.get(StoreMailSettingsRow, tenant)
        if row is None:
            return None
        return StoreMailSettings(row.tenant, row.enabled, row.sender_name, row.sender_address, row.updated_at,
                                 row.updated_by)

    def save(self, settings: StoreMailSettings) -> None:
        row = StoreMailSettingsRow(tenant=settings.tenant, enabled=settings.enabled, sender_name=settings.sender_name,
                                   sender_address=settings.sender_address,
                                   updated_at=settings.updated_at or datetime.now(UTC),
                                   updated_by=(settings.updated_by or "")[:320])
        self._pending = row

    async def flush(self) -> None:
        if self._pending is not None:
            await self.session.merge(self._pending)
            self._pending = None
