"""Use case: a store's staff switch its e-mails on or off and choose who they come from (the console)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.codes import ReturnError, ReturnErrorCode
from ..ports.mail import StoreMailSettings
from .context import Actor, Deps
from .staff_actions import require_staff

ADDRESS = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+$")


@dataclass(frozen=True, slots=True)
class MailSettingsView:
    """What applies now: the store's own choice, else its shop's (Saleor), else the deployment's."""

    enabled: bool
    sender_name: str | None  # as staff set it (None: not set)
    sender_address: str | None
    effective_sender_name: str
    effective_sender_address: str
    store_name: str
    delivering: bool  # whether anything leaves the machine (RETURNS_SMTP_URL is set)


async def mail_settings(deps: Deps, actor: Actor) -> MailSettingsView:
    require_staff(actor)
    async with deps.uow(readonly=True) as uow:
        saved = await uow.mail_settings.get(deps.tenant)
    return await _view(deps, saved)


async def _view(deps: Deps, saved: StoreMailSettings | None) -> MailSettingsView:
    room = deps.mail
    if room is None:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "E-mail is not set up in this deployment.")
    identity = await room.identities.identity(deps.tenant)
    store = identity.name or room.store_name
    name = (saved.sender_name if saved else None) or identity.sender_name or room.sender_name or store
    address = (saved.sender_address if saved else None) or identity.sender_address or room.sender_address
    return MailSettingsView(enabled=saved.enabled if saved else True,
                            sender_name=saved.sender_name if saved else None,
                            sender_address=saved.sender_address if saved else None, effective_sender_name=name,
                            effective_sender_address=address, store_name=store, delivering=room.mailer.configured)


async def sends_email(deps: Deps, tenant: str) -> bool:
    """Whether messages of this store leave the machine: a mail server is configured and its e-mails are on."""
    if deps.mail is None or not deps.mail.mailer.configured:
        return False
    async with deps.uow(readonly=True) as uow:
        saved = await uow.mail_settings.get(tenant)
    return saved.enabled if saved else True


async def update_mail_settings(deps: Deps, actor: Actor, *, enabled: bool, sender_name: str | None,
                               sender_address: str | None) -> MailSettingsView:
    """Save the store's choice (empty sender fields: the store's own, or the deployment's)."""
    require_staff(actor)
    name = (sender_name or "").strip() or None
    address = (sender_address or "").strip() or None
    if name is not None and (len(name) > 255 or any(c in name for c in "\r\n<>\"")):
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "The sender name must be one line of at most 255 "
                          "characters, without < > or quotes.", "senderName")
    if address is not None and (len(address) > 320 or not ADDRESS.match(address)):
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "The sender address must be an e-mail address such as "
                          "returns@shop.example.", "senderAddress")
    saved = StoreMailSettings(deps.tenant, enabled, name, address, deps.clock.now(), actor.label)
    async with deps.uow() as uow:
        await uow.lock(deps.tenant, "mail-settings")
        uow.mail_settings.save(saved)
        await uow.commit()
    return await _view(deps, saved)
