"""E-mail area: a return's messages (ReturnRequest.notifications), the store's outbox and mail settings for
staff, a message as its reader got it, and a retry of a FAILED or HELD one (../shared/design/api/notifications.md).

The contract's NotificationStatus has PENDING, SENT and FAILED. A message kept without being sent (no mail server
is configured, or the store switched its e-mails off) is HELD here: the API shows it as PENDING with the reason in
`error` (it has not been sent, and may be, by a retry), and as HELD in `delivery`."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..domain.codes import ReturnErrorCode
from ..domain.outbox import Notification as DomainNotification
from ..domain.outbox import NotificationKind
from ..domain.outbox import NotificationStatus as Delivery
from ..domain.returns import Return
from ..services import mail_settings as settings_service
from ..services import notifications as service
from ..services.queries import decode_cursor, encode_cursor
from .context import Info
from .types import ReturnError, top_level

strawberry.enum(NotificationKind, description="Which message.")
strawberry.enum(Delivery, name="NotificationDelivery",
                description="Where a message is, including HELD: kept, not sent (no mail server, or e-mails off).")


@strawberry.enum(description="PENDING: not sent yet (also when held: see `error`), SENT, FAILED.")
class NotificationStatus(Enum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


CONTRACT_STATUS = {Delivery.PENDING: NotificationStatus.PENDING, Delivery.HELD: NotificationStatus.PENDING,
                   Delivery.SENT: NotificationStatus.SENT, Delivery.FAILED: NotificationStatus.FAILED}


@strawberry.type(description="An e-mail as written for its reader.")
class RenderedNotification:
    subject: str
    text: str
    html: str


@strawberry.type(description="An e-mail we owe someone, and what became of it.")
class Notification:
    id: strawberry.ID
    kind: NotificationKind
    to: str
    status: NotificationStatus
    delivery: Delivery
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    error: str | None
    language: str | None
    return_id: strawberry.ID
    return_number: str
    row: strawberry.Private[DomainNotification]

    @strawberry.field(description="The message as it was sent (or held), else as it would be sent now (staff).")
    async def rendered(self, info: Info) -> RenderedNotification:
        ctx = info.context
        try:
            found = await service.rendered(ctx.deps, ctx.require_staff(), self.row)
        except DomainError as err:
            raise top_level(err) from err
        return RenderedNotification(subject=found.subject, text=found.text, html=found.html)

    @classmethod
    def of(cls, n: DomainNotification, number: str = "") -> "Notification":
        return cls(id=strawberry.ID(n.id), kind=n.kind, to=n.to, status=CONTRACT_STATUS[n.status], delivery=n.status,
                   created_at=n.created_at, sent_at=n.sent_at, attempts=n.attempts, error=n.error,
                   language=n.language, return_id=strawberry.ID(n.return_id), return_number=number, row=n)


async def notifications_of(info: Info, ret: Return) -> list[Notification]:
    """ReturnRequest.notifications: staff see every message, the shopper those sent to them."""
    ctx = info.context
    found = await service.messages_of(ctx.deps, ctx.staff, ret)
    return [Notification.of(n, ret.number) for n in found]


@strawberry.type
class NotificationPage:
    items: list[Notification]
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A store's e-mail settings (staff): on or off, and who messages come from.")
class MailSettings:
    enabled: bool
    sender_name: str | None = strawberry.field(description="As staff set it; null: the store's own or the default.")
    sender_address: str | None
    effective_sender_name: str
    effective_sender_address: str
    store_name: str
    delivering: bool = strawberry.field(description="False: no mail server is configured; nothing leaves.")

    @classmethod
    def of(cls, v: settings_service.MailSettingsView) -> "MailSettings":
        return cls(enabled=v.enabled, sender_name=v.sender_name, sender_address=v.sender_address,
                   effective_sender_name=v.effective_sender_name, effective_sender_address=v.effective_sender_address,
                   store_name=v.store_name, delivering=v.delivering)


@strawberry.input
class MailSettingsInput:
    enabled: bool
    sender_name: str | None = None
    sender_address: str | None = None


NotificationResult = Annotated[Notification | ReturnError, strawberry.union("NotificationResult")]
MailSettingsResult = Annotated[MailSettings | ReturnError, strawberry.union("MailSettingsResult")]


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description="The store's e-mails, newest first (staff).")
    async def notifications(self, info: Info, delivery: Delivery | None = None, first: int | None = 50,
                            after: str | None = None) -> NotificationPage:
        ctx = info.context
        staff = ctx.require_staff()
        try:
            position = _position(after)
            rows, numbers = await service.outbox_page(ctx.deps, staff, delivery, first or 50, position)
        except DomainError as err:
            raise top_level(err) from err
        size = min(max(first or 50, 1), 100)
        shown = rows[:size]
        return NotificationPage(items=[Notification.of(n, numbers.get(n.return_id, "")) for _, n in shown],
                                has_next_page=len(rows) > size,
                                end_cursor=encode_cursor(shown[-1][0]) if shown else None)

    @strawberry.field(description="One of the store's e-mails (staff); null when there is none with this id.")
    async def notification(self, info: Info, id: strawberry.ID) -> Notification | None:
        ctx = info.context
        staff = ctx.require_staff()
        try:
            found = await service.message(ctx.deps, staff, str(id))
        except DomainError:
            return None
        number = await service.return_number(ctx.deps, found)
        return Notification.of(found, number)

    @strawberry.field(description="The store's e-mail settings (staff).")
    async def mail_settings(self, info: Info) -> MailSettings:
        ctx = info.context
        try:
            return MailSettings.of(await settings_service.mail_settings(ctx.deps, ctx.require_staff()))
        except DomainError as err:
            raise top_level(err) from err


def _position(after: str | None) -> int | None:
    if not after:
        return None
    try:
        return decode_cursor(after)
    except ValueError as exc:
        raise DomainError(ReturnErrorCode.INVALID_INPUT, "after is not a cursor from this list", "after") from exc


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Send a FAILED (or held) message again, now (staff).")
    async def retry_notification(self, info: Info, id: strawberry.ID) -> NotificationResult:
        ctx = info.context
        if ctx.staff is None:
            return ReturnError(code=ReturnErrorCode.FORBIDDEN, message="This needs a staff token.")
        try:
            return Notification.of(await service.retry_message(ctx.deps, ctx.staff, str(id)))
        except DomainError as err:
            return ReturnError.of(err)

    @strawberry.mutation(description="Switch the store's e-mails on or off, or change their sender (staff).")
    async def update_mail_settings(self, info: Info, input: MailSettingsInput) -> MailSettingsResult:
        ctx = info.context
        if ctx.staff is None:
            return ReturnError(code=ReturnErrorCode.FORBIDDEN, message="This needs a staff token.")
        try:
            return MailSettings.of(await settings_service.update_mail_settings(
                ctx.deps, ctx.staff, enabled=input.enabled, sender_name=input.sender_name,
                sender_address=input.sender_address))
        except DomainError as err:
            return ReturnError.of(err)
