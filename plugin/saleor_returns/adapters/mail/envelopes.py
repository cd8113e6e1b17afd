"""An Envelope → a MIME message (RFC 5322): text and HTML alternatives, attachments, headers in UTF-8 where
needed (RFC 2047 / RFC 6532 by the standard library's email policy), a Message-ID that is the same for every
attempt of one message."""
from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ...ports.mail import Envelope


def address(name: str | None, addr: str) -> Address:
    """A header address; a non-ASCII display name is encoded, the address itself is kept as given."""
    local, _, domain = addr.rpartition("@")
    return Address(display_name=name or "", username=local, domain=domain)


def mime(envelope: Envelope, now: datetime | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = address(envelope.sender_name, envelope.sender_address)
    msg["To"] = address(envelope.to_name, envelope.to)
    msg["Subject"] = envelope.rendered.subject
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = envelope.message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to us
    if envelope.language:
        msg["Content-Language"] = envelope.language.replace("_", "-")
    msg.set_content(envelope.rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(envelope.rendered.html, subtype="html", charset="utf-8")
    for attachment in envelope.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        msg.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return msg
