"""The mail server over SMTP (aiosmtplib): `smtp://[user:password@]host[:port]` speaks STARTTLS when the server
offers it, `smtps://…` TLS from the first byte; `?timeout=SECONDS` (default 30). A server's answer is an
outcome, never an exception: 4xx (and no answer at all) → try again later, 5xx → refused for good."""
from __future__ import annotations

import logging
import socket
import ssl

import aiosmtplib

from ...email_settings import SmtpServer, SmtpUrlError
from ...ports.mail import Delivery, Envelope, SendOutcome
from .envelopes import mime

__all__ = ["NoMailServer", "SmtpMailer", "SmtpServer", "SmtpUrlError"]

log = logging.getLogger(__name__)


class SmtpMailer:
    """ports.Mailer over SMTP."""

    configured = True

    def __init__(self, server: SmtpServer, domain: str | None = None,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.server = server
        self.domain = domain or socket.getfqdn() or "saleor-returns.invalid"
        self.tls_context = tls_context  # None: the system's trusted certificates (tests pass their own)

    async def send(self, envelope: Envelope) -> SendOutcome:
        s = self.server
        try:
            await aiosmtplib.send(
                mime(envelope), sender=envelope.sender_address, recipients=[envelope.to], hostname=s.host,
                port=s.port, username=s.username, password=s.password, use_tls=s.implicit_tls,
                start_tls=False if s.implicit_tls else None, timeout=s.timeout, tls_context=self.tls_context)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _answer(min((r.code for r in exc.recipients), default=550),
                           "; ".join(f"{r.code} {r.message}" for r in exc.recipients))
        except aiosmtplib.SMTPResponseException as exc:
            return _answer(exc.code, f"{exc.code} {exc.message}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:  # no answer: connection, TLS, timeout
            return SendOutcome(Delivery.RETRY, f"{type(exc).__name__}: {exc}"[:500])
        return SendOutcome(Delivery.SENT, None)


def _answer(code: int, detail: str) -> SendOutcome:
    return SendOutcome(Delivery.REFUSED if 500 <= code < 600 else Delivery.RETRY, detail[:1000])


class NoMailServer:
    """ports.Mailer when RETURNS_SMTP_URL is unset: nothing leaves the machine, every message is held."""

    configured = False

    def __init__(self, domain: str = "saleor-returns.invalid") -> None:
        self.domain = domain

    async def send(self, envelope: Envelope) -> SendOutcome:
        return SendOutcome(Delivery.HELD, "not sent: no mail server is configured (RETURNS_SMTP_URL)")
