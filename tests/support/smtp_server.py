"""A real SMTP server on loopback (aiosmtpd), for the e-mail tests: it keeps every message it accepted, answers
DATA as told (e.g. "421 4.7.0 Try again later" once), and can speak STARTTLS, TLS and AUTH with a self-signed
certificate made for 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import tempfile
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


@dataclass
class Inbox:
    """The handler: what arrived, and the answers to give to the next DATA commands."""

    received: list[Received] = field(default_factory=list)
    answers: deque[str] = field(default_factory=deque)
    refused: list[str] = field(default_factory=list)  # what was answered other than 250

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = self.answers.popleft() if self.answers else "250 Message accepted for delivery"
        if not answer.startswith("250"):
            self.refused.append(answer)
            return answer
        raw = envelope.original_content or envelope.content
        msg = message_from_bytes(raw, policy=default)
        assert isinstance(msg, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw, msg))
        return answer

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def self_signed(folder: Path) -> Certificate:
    """A certificate for 127.0.0.1 that only the tests trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return paths


def password_check(user: str, password: str) -> Any:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)  # a failure answers 535

    return authenticator


@contextmanager
def smtp_server(*, implicit_tls: Certificate | None = None, **smtp_kwargs: Any) -> Iterator[tuple[Inbox, int]]:
    """(inbox, port) of a server on 127.0.0.1; `smtp_kwargs` go to aiosmtpd's SMTP (tls_context, auth...)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            ssl_context=implicit_tls.server_context() if implicit_tls else None, **smtp_kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextmanager
def certificate() -> Iterator[Certificate]:
    with tempfile.TemporaryDirectory() as folder:
        yield self_signed(Path(folder))
