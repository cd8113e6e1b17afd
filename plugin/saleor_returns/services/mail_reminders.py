"""LABEL_EXPIRING: a few days before an unused label expires, its shopper is reminded, once per label (the
label remembers it; the e-mail follows the event like every other message)."""
from __future__ import annotations

from .context import Deps
from .loading import locked


async def remind_expiring_labels(base: Deps, limit: int = 50) -> int:
    """Every store's printable, unscanned labels expiring within the reminder window, reminded of once."""
    if base.mail is None:
        return 0
    now = base.clock.now()
    async with base.uow(readonly=True) as uow:
        due = await uow.outbox.labels_to_remind(now, base.mail.remind_before, limit)
    reminded = 0
    for item in due:
        async with base.uow() as uow:
            ret = await locked(uow, item.ref)
            if ret.remind_label_expiry(item.item_id, base.clock.now()):
                reminded += 1
                await uow.commit()
    return reminded
