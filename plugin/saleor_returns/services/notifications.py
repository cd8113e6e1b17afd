"""Use cases: the messages of a return (staff see every one, a shopper those sent to them), the store's
outbox for staff, a message as its reader got it (or will), and a staff retry of a FAILED or HELD one."""
from __future__ import annotations

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.outbox import Notification, NotificationStatus, Rendered
from ..domain.returns import Return
from .context import Actor, Deps
from .mail_delivery import compose, deliver_due
from .staff_actions import require_staff


def visible_to(actor: Actor | None, ret: Return, messages: list[Notification]) -> list[Notification]:
    """Staff see every message; anyone else (the return's shopper) only those sent to them."""
    if actor is not None and actor.is_staff:
        return messages
    mine = ret.customer_email.lower()
    return [n for n in messages if not n.kind.for_staff and n.to.lower() == mine]


async def messages_of(deps: Deps, actor: Actor | None, ret: Return) -> list[Notification]:
    """The messages of a return the asker may already see (the caller checked they may see the return)."""
    async with deps.uow(readonly=True) as uow:
        found = await uow.outbox.of_return(ret.tenant, ret.id)
    return visible_to(actor, ret, found)


async def outbox_page(deps: Deps, actor: Actor, status: NotificationStatus | None, first: int,
                      after: int | None) -> tuple[list[tuple[int, Notification]], dict[str, str]]:
    """Staff: the store's messages, newest first, and the number of each message's return."""
    require_staff(actor)
    async with deps.uow(readonly=True) as uow:
        rows = await uow.outbox.page(deps.tenant, status, min(max(first, 1), 100), after)
        numbers = {}
        for _, n in rows:
            if n.return_id not in numbers:
                ret = await uow.returns.get(deps.tenant, n.return_id)
                numbers[n.return_id] = ret.number if ret else ""
    return rows, numbers


async def message(deps: Deps, actor: Actor, notification_id: str) -> Notification:
    require_staff(actor)
    async with deps.uow(readonly=True) as uow:
        found = await uow.outbox.get(deps.tenant, notification_id)
    if found is None:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"There is no message {notification_id}.", "id")
    return found


async def return_number(deps: Deps, n: Notification) -> str:
    async with deps.uow(readonly=True) as uow:
        ret = await uow.returns.get(n.tenant, n.return_id)
    return ret.number if ret else ""


async def rendered(deps: Deps, actor: Actor, n: Notification) -> Rendered:
    """Staff: what was sent (or held), or — not sent yet — what would be sent now."""
    require_staff(actor)
    if n.rendered is not None:
        return n.rendered
    if deps.mail is None:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "E-mail is not set up in this deployment.")
    async with deps.uow(readonly=True) as uow:
        ret = await uow.returns.get(n.tenant, n.return_id)
        prefs = await uow.mail_settings.get(n.tenant)
    if ret is None:
        raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, "The return of this message is gone.", "id")
    letter = await compose(deps, deps.mail, n, ret, prefs)
    return letter.envelope.rendered


async def retry_message(deps: Deps, actor: Actor, notification_id: str) -> Notification:
    """Staff: send a FAILED (or HELD) message again, now; returns it as it ended this time."""
    require_staff(actor)
    async with deps.uow() as uow:
        found = await uow.outbox.get(deps.tenant, notification_id)
        if found is None:
            raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"There is no message {notification_id}.", "id")
        found.retry(deps.clock.now())
        await uow.commit()
    await deliver_due(deps, 1, [notification_id])
    return await message(deps, actor, notification_id)
