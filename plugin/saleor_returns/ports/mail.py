"""The ports of e-mail: the outbox and each store's mail settings (persistence), and the mail server, the
letter writer, the links and the stores' identities (providers). adapters/db and adapters/memory implement
the persistence ports with the same semantics; adapters/mail the rest."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from ..domain.outbox import Notification, NotificationStatus, Rendered
from ..domain.returns import Return
from .persistence import WorkItem


@dataclass(frozen=True, slots=True)
class StoreMailSettings:
    """What a store's staff chose in the console: its e-mails on or off, and who they come from."""

    tenant: str
    enabled: bool = True
    sender_name: str | None = None  # None: the store's own (Saleor's shop), else RETURNS_MAIL_FROM's
    sender_address: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


class OutboxRepository(Protocol):
    """The messages owed. New ones are written by the unit of work itself, on commit, from the new events of the
    returns it saves (domain/notifications.py); messages read here are saved again on commit."""

    async def of_return(self, tenant: str, return_id: str) -> list[Notification]:
        """Every message of one return, oldest first (not loaded for change)."""
        ...

    async def page(self, tenant: str, status: NotificationStatus | None, first: int,
                   after: int | None) -> list[tuple[int, Notification]]:
        """Newest first, `first + 1` rows, each with its cursor position (not loaded for change)."""
        ...

    async def get(self, tenant: str, notification_id: str) -> Notification | None:
        """One message, loaded for change."""
        ...

    async def claim_due(self, now: datetime, limit: int, lease: timedelta,
                        ids: Sequence[str] | None = None) -> list[Notification]:
        """Due PENDING messages of any store (or only those of `ids`), each pushed one lease ahead so no other
        sender takes it (SKIP LOCKED on PostgreSQL); saved on commit."""
        ...

    async def labels_to_remind(self, now: datetime, within: timedelta, limit: int) -> list[WorkItem]:
        """Printable labels never scanned nor reminded of, expiring within `within` (any store)."""
        ...


class MailSettingsRepository(Protocol):
    async def get(self, tenant: str) -> StoreMailSettings | None:
        ...

    def save(self, settings: StoreMailSettings) -> None:
        """Insert or replace the store's settings (on commit)."""
        ...


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # "application/pdf"
    data: bytes


@dataclass(frozen=True, slots=True)
class Envelope:
    """One e-mail, ready for the wire."""

    message_id: str  # "<notification.<id>@host>": the same for every attempt of one message
    sender_name: str | None
    sender_address: str
    to: str
    to_name: str | None
    rendered: Rendered
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None


class Delivery(str, Enum):
    SENT = "SENT"  # the server accepted it
    RETRY = "RETRY"  # a temporary refusal (4xx) or no answer: try again later
    REFUSED = "REFUSED"  # a permanent refusal (5xx): FAILED
    HELD = "HELD"  # nothing leaves this machine (no mail server configured)


@dataclass(frozen=True, slots=True)
class SendOutcome:
    delivery: Delivery
    detail: str | None = None  # the server's answer ("421 4.7.0 Try again later")


class Mailer(Protocol):
    """The mail server. Never raises for a server's answer: it comes back as an outcome."""

    @property
    def configured(self) -> bool:
        """Whether messages leave the machine at all (RETURNS_SMTP_URL is set)."""
        ...

    @property
    def domain(self) -> str:
        """The host part of Message-IDs."""
        ...

    async def send(self, envelope: Envelope) -> SendOutcome:
        ...


@dataclass(frozen=True, slots=True)
class Letterhead:
    """What a message needs beyond the return: the store's name, and links for its reader."""

    store_name: str
    portal_url: str  # the return's own page in the portal
    console_url: str  # the case in the staff console
    label_url: str | None = None  # a signed download link of the message's label


class LetterWriter(Protocol):
    """Writes a message for its reader (templates, the reader's language, the store's money and time format)."""

    def write(self, message: Notification, ret: Return, head: Letterhead) -> Rendered:
        ...


class Links(Protocol):
    """Absolute links for people reading an e-mail (the public URL of the deployment)."""

    def portal(self, ret: Return) -> str:
        ...

    def console(self, ret: Return) -> str:
        ...

    def label(self, label_id: str, expires: datetime) -> str:
        ...


@dataclass(frozen=True, slots=True)
class StoreIdentity:
    """A store as it presents itself (Saleor: shop { name defaultMailSenderName defaultMailSenderAddress })."""

    name: str | None = None
    sender_name: str | None = None
    sender_address: str | None = None


class StoreIdentities(Protocol):
    async def identity(self, tenant: str) -> StoreIdentity:
        """The store's own name and sender (empty where it has none or cannot be reached now)."""
        ...
