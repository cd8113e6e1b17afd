"""What sending e-mail needs, wired once (bootstrap): the mail server, the letter writer, links, the stores'
identities, the deployment's default sender, and the fast path that sends right after a commit."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..ports.mail import LetterWriter, Links, Mailer, StoreIdentities

log = logging.getLogger(__name__)


@dataclass
class MailRoom:
    mailer: Mailer
    letters: LetterWriter
    links: Links
    identities: StoreIdentities
    sender_address: str  # RETURNS_MAIL_FROM's address: the sender when a store names none of its own
    sender_name: str | None = None
    store_name: str = "Returns"  # the standalone store's name in subjects (RETURNS_MAIL_FROM's display name)
    label_link_ttl: timedelta = timedelta(days=7)
    remind_before: timedelta = timedelta(days=3)  # LABEL_EXPIRING: this long before an unused label expires
    courier: "Courier" = field(default_factory=lambda: Courier())


class Courier:
    """The fast path: the ids of messages just committed are sent at once, in the background of the request
    that caused them (the worker sends whatever this misses: a crash, a full mail server)."""

    def __init__(self) -> None:
        self.send: Callable[[Sequence[str]], Coroutine[Any, Any, object]] | None = None
        self._tasks: set[asyncio.Task[object]] = set()

    def soon(self, ids: Sequence[str]) -> None:
        """Called by the unit of work after a commit that wrote messages."""
        if self.send is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a script): the worker sends them
        task = loop.create_task(self._run(list(ids)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, ids: list[str]) -> object:
        assert self.send is not None
        try:
            return await self.send(ids)
        except Exception:  # the worker will send them; a request must not fail because of mail
            log.exception("sending right after the commit failed", extra={"messages": ids})
            return None

    async def drain(self) -> None:
        """Wait until every message handed over so far was tried (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
