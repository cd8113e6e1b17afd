"""E-mail configuration from the environment (docs/notifications.md).

RETURNS_SMTP_URL      smtp://[user:password@]host[:port] (STARTTLS when the server offers it; port 587 by default)
                      or smtps://… (TLS from the start; port 465); ?timeout=SECONDS (default 30). Unset: messages
                      are kept in the outbox (HELD) and shown in the console; none leave the machine.
RETURNS_MAIL_FROM     the sender, e.g. "Returns <returns@shop.example>"; a Saleor store's own sender wins, and a
                      store's console settings win over both. Its display name names the standalone store.
RETURNS_STAFF_EMAILS  comma-separated addresses told when a return needs review (STAFF_REVIEW_NEEDED)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 60.0


class SmtpUrlError(ValueError):
    """RETURNS_SMTP_URL cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def parse(cls, url: str) -> "SmtpServer":
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            raise SmtpUrlError("must start with smtp:// (STARTTLS when offered) or smtps:// (TLS)")
        if not parts.hostname:
            raise SmtpUrlError("names no host, e.g. smtp://user:password@smtp.example.com:587")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError as exc:
            raise SmtpUrlError(f"has a bad port: {exc}") from None
        timeout = DEFAULT_TIMEOUT
        raw = parse_qs(parts.query).get("timeout")
        if raw:
            try:
                timeout = float(raw[0])
            except ValueError:
                raise SmtpUrlError(f"timeout must be a number of seconds, got {raw[0]!r}") from None
            if not 0 < timeout <= MAX_TIMEOUT:  # a claimed message's lease must outlast an attempt
                raise SmtpUrlError(f"timeout must be more than 0 and at most {MAX_TIMEOUT:.0f} seconds")
        return cls(parts.hostname, port, parts.scheme == "smtps",
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password is not None else None, timeout)

    @property
    def shown(self) -> str:
        """For logs and banners: without the password."""
        who = f"{self.username}@" if self.username else ""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{who}{self.host}:{self.port}"


ADDRESS = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+$")
DEFAULT_FROM = "Returns <returns@localhost>"


class EmailSettingsError(ValueError):
    """An e-mail setting is malformed; the message names the variable."""


@dataclass(frozen=True)
class EmailSettings:
    smtp_url: str | None = None
    mail_from: str = DEFAULT_FROM
    staff_emails: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: dict[str, str]) -> "EmailSettings":
        staff = tuple(a.strip() for a in env.get("RETURNS_STAFF_EMAILS", "").split(",") if a.strip())
        found = cls(smtp_url=env.get("RETURNS_SMTP_URL") or None,
                    mail_from=env.get("RETURNS_MAIL_FROM") or DEFAULT_FROM, staff_emails=staff)
        found.check()
        return found

    def check(self) -> None:
        if self.smtp_url:
            try:
                SmtpServer.parse(self.smtp_url)
            except SmtpUrlError as exc:
                raise EmailSettingsError(f"RETURNS_SMTP_URL {exc}") from None
        name, address = parseaddr(self.mail_from)
        if not ADDRESS.match(address) or "\n" in self.mail_from or "\r" in self.mail_from:
            raise EmailSettingsError(f"RETURNS_MAIL_FROM must be an address such as 'Returns <returns@shop.example>' "
                                     f"or 'returns@shop.example', got {self.mail_from!r}")
        for staff in self.staff_emails:
            if not ADDRESS.match(staff):
                raise EmailSettingsError(f"RETURNS_STAFF_EMAILS: {staff!r} is not an e-mail address "
                                         "(separate several with commas)")

    @property
    def sender(self) -> tuple[str | None, str]:
        """(display name or None, address) of RETURNS_MAIL_FROM."""
        name, address = parseaddr(self.mail_from)
        return name or None, address

    @property
    def smtp_shown(self) -> str | None:
        """RETURNS_SMTP_URL without its password, for banners and logs."""
        return SmtpServer.parse(self.smtp_url).shown if self.smtp_url else None
