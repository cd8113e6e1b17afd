"""Sending the outbox, exactly once per message: claim (one lease, so no other sender takes it), write the
letter, send it with a Message-ID derived from the message's id, save the outcome. A 4xx (or no answer) is
tried again with backoff; a 5xx is FAILED with the server's words, for staff; without a mail server (or with
the store's e-mails switched off) the message is HELD: kept as it would have been sent, nothing leaves."""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from ..domain.outbox import LEASE, Notification, NotificationKind, NotificationStatus, Rendered
from ..domain.returns import Return
from ..ports import UnitOfWork
from ..ports.mail import Attachment, Delivery, Envelope, Letterhead, SendOutcome, StoreMailSettings
from .context import Deps
from .mail_room import MailRoom

log = logging.getLogger(__name__)
NO_SERVER = "not sent: no mail server is configured (RETURNS_SMTP_URL); nothing leaves this machine"
SWITCHED_OFF = "not sent: this store's e-mails are switched off (console: Messages → Settings)"
SEND_TIME = timedelta(seconds=65)  # the longest one attempt may take (RETURNS_SMTP_URL's timeout is at most 60 s)
LABELLED = (NotificationKind.LABEL_READY, NotificationKind.LABEL_EXPIRING)


@dataclass(frozen=True, slots=True)
class Letter:
    envelope: Envelope
    enabled: bool


async def deliver_due(base: Deps, batch: int = 20, ids: Sequence[str] | None = None) -> Counter[str]:
    """Claim due messages (any store; or only `ids`) and send each. Returns how many ended how."""
    if base.mail is None:
        return Counter()
    now = base.clock.now()
    async with base.uow() as uow:
        claimed = await uow.outbox.claim_due(now, batch, LEASE, ids)
        await uow.commit()
    done: Counter[str] = Counter()
    for message in claimed:
        if base.clock.now() > now + LEASE - SEND_TIME:
            break  # the rest may be taken by another sender once their lease ends: never send after it
        done[await deliver(base, message)] += 1
    return done


async def deliver(base: Deps, message: Notification) -> str:
    """Write and send one claimed message, then save what happened (its status)."""
    room = base.mail
    assert room is not None
    async with base.uow(readonly=True) as uow:
        ret = await uow.returns.get(message.tenant, message.return_id)
        prefs = await uow.mail_settings.get(message.tenant)
    async with base.uow(readonly=True) as uow:  # apart: the return above holds its labels without their PDFs
        pdf = await _label_pdf(uow, message)
    if ret is None:
        return await _outcome(base, message, None, SendOutcome(Delivery.REFUSED, "the return no longer exists"))
    try:
        letter = await compose(base, room, message, ret, prefs, pdf)
    except Exception as exc:  # a template that cannot be written is a bug: FAILED and logged, not retried forever
        log.exception("message could not be written",
                      extra={"notification": message.id, "kind": message.kind.value})
        return await _outcome(base, message, None, SendOutcome(Delivery.REFUSED, f"could not be written: {exc}"))
    if not letter.enabled:
        outcome = SendOutcome(Delivery.HELD, SWITCHED_OFF)
    elif not room.mailer.configured:
        outcome = SendOutcome(Delivery.HELD, NO_SERVER)
    else:
        outcome = await room.mailer.send(letter.envelope)
    return await _outcome(base, message, letter.envelope.rendered, outcome)


async def _label_pdf(uow: UnitOfWork, message: Notification) -> bytes | None:
    label_id = message.facts.get("label_id")
    if message.kind is not NotificationKind.LABEL_READY or not label_id:
        return None
    found = await uow.returns.label_pdf(str(label_id))
    return found[1] if found is not None and found[1] else None


async def compose(base: Deps, room: MailRoom, message: Notification, ret: Return,
                  prefs: StoreMailSettings | None, pdf: bytes | None = None) -> Letter:
    """The letter as its reader gets it: the store's name and sender, links, the label attached."""
    identity = await room.identities.identity(message.tenant)
    label_id = message.facts.get("label_id") if message.kind in LABELLED else None
    label_url = room.links.label(str(label_id), base.clock.now() + room.label_link_ttl) if label_id else None
    head = Letterhead(store_name=identity.name or room.store_name, portal_url=room.links.portal(ret),
                      console_url=room.links.console(ret), label_url=label_url)
    rendered = room.letters.write(message, ret, head)
    address = (prefs.sender_address if prefs else None) or identity.sender_address or room.sender_address
    name = (prefs.sender_name if prefs else None) or identity.sender_name or room.sender_name or head.store_name
    attachments = (Attachment(f"return-label-{ret.number}.pdf", "application/pdf", pdf),) if pdf else ()
    envelope = Envelope(message_id=f"<{message.message_id_local}@{room.mailer.domain}>", sender_name=name,
                        sender_address=address, to=message.to, to_name=message.to_name, rendered=rendered,
                        attachments=attachments, language=message.language)
    return Letter(envelope, prefs.enabled if prefs else True)


async def _outcome(base: Deps, message: Notification, rendered: Rendered | None, outcome: SendOutcome) -> str:
    now = base.clock.now()
    async with base.uow() as uow:
        saved = await uow.outbox.get(message.tenant, message.id)
        if saved is None or saved.status is not NotificationStatus.PENDING:
            return "skipped"  # settled meanwhile (a staff retry of a message taken over after its lease)
        if outcome.delivery is Delivery.SENT and rendered is not None:
            saved.sent(rendered, now)
        elif outcome.delivery is Delivery.HELD and rendered is not None:
            saved.held(outcome.detail or "not sent", rendered)
        elif outcome.delivery is Delivery.RETRY:
            saved.deferred(outcome.detail or "the mail server did not answer", now, rendered)
        else:
            saved.failed(outcome.detail or "refused", rendered)
        await uow.commit()
    # kept, not sent (no mail server, or the store's e-mails off) is the expected state there, said once at start
    level = logging.DEBUG if outcome.delivery is Delivery.HELD else logging.INFO
    log.log(level, "message", extra={"notification": message.id, "kind": message.kind.value,
                                     "status": saved.status.value, "attempts": saved.attempts,
                                     "detail": outcome.detail})
    return saved.status.value
