"""A mail server in memory, for service tests: it keeps what it was given and answers as told."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ...ports.mail import Delivery, Envelope, SendOutcome


@dataclass
class MemoryMailer:
    """ports.Mailer: `sent` is what it accepted; queue answers in `answers` (e.g. a RETRY, then SENT)."""

    configured: bool = True
    domain: str = "test.invalid"
    sent: list[Envelope] = field(default_factory=list)
    tried: list[Envelope] = field(default_factory=list)
    answers: deque[SendOutcome] = field(default_factory=deque)

    async def send(self, envelope: Envelope) -> SendOutcome:
        self.tried.append(envelope)
        outcome = self.answers.popleft() if self.answers else SendOutcome(Delivery.SENT)
        if outcome.delivery is Delivery.SENT:
            self.sent.append(envelope)
        return outcome
