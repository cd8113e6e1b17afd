"""Links in e-mails: absolute, from the deployment's public URL (RETURNS_PUBLIC_URL), since no request is there."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from ..domain.returns import Return
from .label_links import label_path
from .signed_links import sign_path


class PublicLinks:
    """ports.Links: the return's portal page (with the e-mail that proves it is theirs), the console case, a
    signed label download."""

    def __init__(self, public_url: str, secret_key: str) -> None:
        self.base = public_url.rstrip("/")
        self.secret_key = secret_key

    def portal(self, ret: Return) -> str:
        return f"{self.base}/portal/returns/{quote(ret.id)}?{urlencode({'email': ret.customer_email})}"

    def console(self, ret: Return) -> str:
        return f"{self.base}/console#/returns/{quote(ret.id)}"

    def label(self, label_id: str, expires: datetime) -> str:
        return self.base + sign_path(self.secret_key, label_path(label_id), expires)
