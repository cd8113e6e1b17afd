"""The outbox and the stores' mail settings in memory (ports/mail.py), with adapters/db's semantics: the messages
new events owe are written when the unit of work flushes (one per dedupe key), seen by its own queries at once
and by others once committed; messages read for change are copies, written back on commit; nothing is kept
when it leaves without committing."""
from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...domain.notifications import messages_owed
from ...domain.outbox import Notification, NotificationStatus
from ...domain.return_parcel import AWAITING_PARCEL
from ...domain.returns import Return
from ...ports.mail import StoreMailSettings
from ...ports.persistence import ReturnRef, WorkItem

if TYPE_CHECKING:
    from .uow import MemoryUnitOfWork


@dataclass
class MemoryMail:
    """What the notifications tables would hold (part of a MemoryDatabase)."""

    notifications: dict[str, Notification] = field(default_factory=dict)  # by id; insertion order is the seq
    keys: set[str] = field(default_factory=set)
    settings: dict[str, StoreMailSettings] = field(default_factory=dict)
    staff: tuple[str, ...] = ()  # RETURNS_STAFF_EMAILS
    after_commit: Any = None  # told the ids of new messages once committed (the fast path)


class MemoryOutbox:
    """ports.OutboxRepository in memory."""

    def __init__(self, uow: "MemoryUnitOfWork") -> None:
        self.uow = uow
        self.new: dict[str, Notification] = {}  # written by this unit of work (flushed), not committed
        self.changed: dict[str, Notification] = {}
        self.settings: dict[str, StoreMailSettings] = {}

    @property
    def mail(self) -> MemoryMail:
        return self.uow.db.mail

    def owe(self, ret: Return, first_new: int) -> None:
        """On flush: the messages the events `ret.events[first_new:]` owe (a key already owed is left out)."""
        for n in messages_owed(ret, first_new, self.mail.staff, lambda: str(uuid.uuid4())):
            if n.dedupe_key not in self.mail.keys and all(m.dedupe_key != n.dedupe_key for m in self.new.values()):
                self.new[n.id] = n

    def commit(self) -> list[str]:
        """Put what this unit of work wrote in place; the ids of the new messages."""
        written = list(self.new)
        for n in self.new.values():
            self.mail.keys.add(n.dedupe_key)
            self.mail.notifications[n.id] = n
        for n in self.changed.values():
            self.mail.notifications[n.id] = copy.deepcopy(n)
        self.mail.settings.update(self.settings)
        self.new, self.changed, self.settings = {}, {}, {}
        return written

    def _all(self) -> list[Notification]:
        """As this unit of work's queries see them: committed, and what it wrote itself."""
        return [*self.mail.notifications.values(), *self.new.values()]

    async def of_return(self, tenant: str, return_id: str) -> list[Notification]:
        return [copy.deepcopy(self.changed.get(n.id, n)) for n in self._all()
                if n.tenant == tenant and n.return_id == return_id]

    async def page(self, tenant: str, status: NotificationStatus | None, first: int,
                   after: int | None) -> list[tuple[int, Notification]]:
        rows = [(seq, self.changed.get(n.id, n)) for seq, n in enumerate(self._all(), start=1)]
        rows = [(seq, n) for seq, n in rows
                if n.tenant == tenant and (status is None or n.status is status) and (after is None or seq < after)]
        return [(seq, copy.deepcopy(n)) for seq, n in reversed(rows)][:first + 1]

    async def get(self, tenant: str, notification_id: str) -> Notification | None:
        found = self.new.get(notification_id) or self.mail.notifications.get(notification_id)
        if found is None or found.tenant != tenant:
            return None
        return self.changed.setdefault(notification_id, copy.deepcopy(found))

    async def claim_due(self, now: datetime, limit: int, lease: timedelta,
                        ids: Sequence[str] | None = None) -> list[Notification]:
        wanted = set(ids) if ids is not None else None
        due = sorted((n for n in self._all() if self.changed.get(n.id, n).due(now)
                      and (wanted is None or n.id in wanted)), key=lambda n: n.created_at)[:limit]
        claimed = []
        for stored in due:
            n = self.changed.setdefault(stored.id, copy.deepcopy(stored))
            if n.claim(now, lease):
                claimed.append(n)
        return claimed

    async def labels_to_remind(self, now: datetime, within: timedelta, limit: int) -> list[WorkItem]:
        found = sorted(((lb.expires_at, r, lb.id) for r in self.uow.stored().values() for lb in r.labels
                        if r.status in AWAITING_PARCEL and lb.printable and lb.first_scan_at is None
                        and lb.expiry_reminded_at is None
                        and lb.expires_at is not None and now < lb.expires_at <= now + within),
                       key=lambda f: f[0])
        return [WorkItem(ReturnRef(r.tenant, r.id, r.order_id), label_id) for _, r, label_id in found[:limit]]


class MemoryMailSettings:
    """ports.MailSettingsRepository in memory."""

    def __init__(self, uow: "MemoryUnitOfWork") -> None:
        self.uow = uow

    async def get(self, tenant: str) -> StoreMailSettings | None:
        return self.uow.outbox.settings.get(tenant) or self.uow.db.mail.settings.get(tenant)

    def save(self, settings: StoreMailSettings) -> None:
        self.uow.outbox.settings[settings.tenant] = settings
