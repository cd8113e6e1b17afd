"""Saleor App configuration from the environment (docs/saleor.md).

RETURNS_ENCRYPTION_KEY        encrypts the stores' app tokens at rest (Fernet). A Fernet key, or any long
                              secret (a key is derived from it); several, comma-separated, to rotate: the
                              first encrypts, all decrypt. Default: derived from RETURNS_SECRET_KEY.
RETURNS_SALEOR_ALLOWED_URLS   only these Saleor API URLs may install the app ("https://a/graphql/,https://b/graphql/");
                              empty: any Saleor that can reach the app may install it
RETURNS_SALEOR_APP_ID         the app identifier in the manifest (default saleor-returns)
RETURNS_SALEOR_TIMEOUT        seconds per call to Saleor (default 15)
RETURNS_SALEOR_TIMEZONE       store time zone when a channel has no "returns.timezone" metadata (default UTC)
RETURNS_SALEOR_CHANNEL_TIMEZONES  per channel slug, for every store served: "default-channel=America/New_York"
RETURNS_SALEOR_WEBHOOK_MAX_AGE    a webhook issued longer ago than this is refused (default 24h)
RETURNS_PUBLIC_URL            the app's public base URL; the manifest's URLs are built from it. Without it they are
                              built from the request, whose Host header Saleor's HTTP client sends without the port
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .durations import EXAMPLES as DURATION_EXAMPLES
from .durations import read_duration

DEFAULT_APP_ID = "saleor-returns"


class SaleorSettingsError(ValueError):
    """A Saleor setting is malformed; the message names the variable and how to fix it."""


def normalise_api_url(url: str) -> str:
    """One spelling per store: scheme and host lower-cased, a trailing slash (Saleor sends '/graphql/')."""
    url = url.strip()
    match = re.match(r"^(https?)://([^/\s?#]+)(/[^\s?#]*)?$", url, re.IGNORECASE)
    if not match:
        raise SaleorSettingsError(f"not a Saleor API URL: {url!r} (expected https://host/graphql/)")
    scheme, host, path = match.group(1).lower(), match.group(2).lower(), match.group(3) or "/"
    return f"{scheme}://{host}{path if path.endswith('/') else path + '/'}"


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SaleorSettings:
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    allowed_urls: tuple[str, ...] = ()
    app_id: str = DEFAULT_APP_ID
    timeout_seconds: float = 15.0
    default_timezone: str = "UTC"
    channel_timezones: tuple[tuple[str, str], ...] = ()
    webhook_max_age: timedelta = timedelta(hours=24)
    public_url: str | None = None  # RETURNS_PUBLIC_URL when it is set explicitly

    @classmethod
    def from_env(cls, e: dict[str, str]) -> "SaleorSettings":
        """Read the variables above from `e`; raises SaleorSettingsError naming the bad one."""
        kwargs: dict[str, object] = {}
        if e.get("RETURNS_ENCRYPTION_KEY"):
            kwargs["encryption_keys"] = tuple(k.strip() for k in e["RETURNS_ENCRYPTION_KEY"].split(",") if k.strip())
        if e.get("RETURNS_SALEOR_ALLOWED_URLS"):
            kwargs["allowed_urls"] = tuple(normalise_api_url(u) for u in e["RETURNS_SALEOR_ALLOWED_URLS"].split(",")
                                           if u.strip())
        if e.get("RETURNS_SALEOR_APP_ID"):
            kwargs["app_id"] = e["RETURNS_SALEOR_APP_ID"].strip()
        if e.get("RETURNS_SALEOR_TIMEOUT"):
            try:
                kwargs["timeout_seconds"] = float(e["RETURNS_SALEOR_TIMEOUT"])
            except ValueError as exc:
                raise SaleorSettingsError("RETURNS_SALEOR_TIMEOUT must be a number of seconds") from exc
        if e.get("RETURNS_SALEOR_TIMEZONE"):
            kwargs["default_timezone"] = e["RETURNS_SALEOR_TIMEZONE"].strip()
        if e.get("RETURNS_SALEOR_CHANNEL_TIMEZONES"):
            kwargs["channel_timezones"] = _pairs("RETURNS_SALEOR_CHANNEL_TIMEZONES",
                                                 e["RETURNS_SALEOR_CHANNEL_TIMEZONES"])
        if e.get("RETURNS_PUBLIC_URL"):
            kwargs["public_url"] = e["RETURNS_PUBLIC_URL"].strip().rstrip("/")
        if e.get("RETURNS_SALEOR_WEBHOOK_MAX_AGE"):
            kwargs["webhook_max_age"] = _duration("RETURNS_SALEOR_WEBHOOK_MAX_AGE", e["RETURNS_SALEOR_WEBHOOK_MAX_AGE"])
        settings = cls(**kwargs)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if not 0 < self.timeout_seconds <= 120:
            raise SaleorSettingsError("RETURNS_SALEOR_TIMEOUT must be between 0 and 120 seconds")
        for name in (self.default_timezone, *(tz for _, tz in self.channel_timezones)):
            if not valid_timezone(name):
                raise SaleorSettingsError(f"unknown time zone {name!r} (an IANA name such as Europe/Berlin)")
        if not re.match(r"^[A-Za-z0-9._-]{1,100}$", self.app_id):
            raise SaleorSettingsError("RETURNS_SALEOR_APP_ID: letters, digits, '.', '_' and '-' only")
        if self.webhook_max_age <= timedelta(0):
            raise SaleorSettingsError("RETURNS_SALEOR_WEBHOOK_MAX_AGE must be longer than zero")

    def timezone_for(self, channel_slug: str) -> str:
        """The fallback time zone of a channel whose Saleor metadata names none."""
        return dict(self.channel_timezones).get(channel_slug, self.default_timezone)

    def allows(self, api_url: str) -> bool:
        return not self.allowed_urls or api_url in self.allowed_urls


def _pairs(name: str, raw: str) -> tuple[tuple[str, str], ...]:
    out = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SaleorSettingsError(f"{name}: expected slug=Area/City pairs, got {part!r}")
        out.append((key.strip(), value.strip()))
    return tuple(out)


def _duration(name: str, raw: str) -> timedelta:
    value = read_duration(raw)
    if value is None:
        raise SaleorSettingsError(f"{name} must be a duration like {DURATION_EXAMPLES}, got {raw!r}")
    return value
