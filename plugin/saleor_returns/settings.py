"""Configuration from the environment (RETURNS_*, DATABASE_URL); one frozen object, read once."""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from .carrier_settings import CarrierSettings, CarrierSettingsError
from .domain.goodwill_defaults import default_daily_budget
from .domain.money import Money, parse_amounts
from .durations import EXAMPLES as DURATION_EXAMPLES
from .durations import read_duration
from .email_settings import EmailSettings, EmailSettingsError
from .saleor_settings import SaleorSettings, SaleorSettingsError
from .traffic_settings import (
    RateLimits,
    RequestLimits,
    TrafficSettingsError,
    rate_limits_from_env,
    request_limits_from_env,
)

DEFAULT_DB = "sqlite+aiosqlite:///./saleor-returns.sqlite3"
REFUND_GATEWAYS = ("simulated", "stripe", "saleor")
STRIPE_DEFAULT_API_BASE = "https://api.stripe.com"


class SettingsError(ValueError):
    """A setting is malformed; the message names the variable."""


def _money_map(name: str, raw: str) -> tuple[Money, ...]:
    """"USD=2000,JPY=300000" → Money per currency."""
    try:
        return parse_amounts(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from exc


def parse_duration(name: str, raw: str) -> timedelta:
    """"30s", "15m", "24h", "7d" or plain seconds → timedelta; the error names the setting."""
    value = read_duration(raw)
    if value is None:
        raise SettingsError(f"{name} must be a duration like {DURATION_EXAMPLES}, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DB
    tenant: str = "demo"  # the tenant of standalone mode (demo store / orders file)
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    owner_token: str | None = field(default=None, repr=False)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    public_url: str = "http://127.0.0.1:8000"
    orders_file: Path | None = None
    policy_file: Path | None = None
    refund_gateway: str = "simulated"
    stripe_api_key: str | None = field(default=None, repr=False)
    stripe_api_base: str = STRIPE_DEFAULT_API_BASE
    stripe_webhook_secret: str | None = field(default=None, repr=False)
    stripe_timeout_seconds: float = 30.0
    stripe_max_network_retries: int = 2
    refund_give_up_after: timedelta = timedelta(hours=24)  # retryable failures end in FAILED after this
    refund_lease: timedelta = timedelta(minutes=5)  # an in-flight or claimed refund is left alone this long
    insight_retention: timedelta = timedelta(days=366)  # how far back simulations and analytics may look
    label_carrier: str = "local"
    label_link_ttl_seconds: int = 7 * 24 * 3600
    label_valid_days: int = 30
    carriers: CarrierSettings = field(default_factory=CarrierSettings)  # carrier_settings.py
    saleor: SaleorSettings = field(default_factory=SaleorSettings)  # saleor_settings.py (the Saleor App)
    email: EmailSettings = field(default_factory=EmailSettings)  # email_settings.py (RETURNS_SMTP_URL, ...)
    goodwill_daily: tuple[Money, ...] = ()
    staff_tokens: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (name, token): one budget each
    store_name: str | None = None  # the standalone store's name in the portal (RETURNS_STORE_NAME)
    cors_origins: tuple[str, ...] = ()  # storefront origins allowed to call /graphql from the browser
    limits: RequestLimits = field(default_factory=RequestLimits)  # traffic_settings.py: sizes refused up front
    rate_limits: RateLimits = field(default_factory=RateLimits)  # traffic_settings.py: guessing slowed down
    log_level: str = "INFO"
    log_format: str = "json"  # or "text"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> "Settings":
        e = dict(os.environ if env is None else env)
        kwargs: dict[str, object] = {}
        simple = {"DATABASE_URL": "database_url", "RETURNS_TENANT": "tenant", "RETURNS_ADMIN_TOKEN": "admin_token",
                  "RETURNS_OWNER_TOKEN": "owner_token", "RETURNS_SECRET_KEY": "secret_key",
                  "RETURNS_PUBLIC_URL": "public_url", "RETURNS_REFUND_GATEWAY": "refund_gateway",
                  "RETURNS_LABEL_CARRIER": "label_carrier", "RETURNS_LOG_LEVEL": "log_level",
                  "RETURNS_LOG_FORMAT": "log_format", "STRIPE_API_KEY": "stripe_api_key",
                  "STRIPE_API_BASE": "stripe_api_base", "STRIPE_WEBHOOK_SECRET": "stripe_webhook_secret"}
        for var, attr in simple.items():
            if e.get(var):
                kwargs[attr] = e[var]
        for var, attr in {"RETURNS_ORDERS_FILE": "orders_file", "RETURNS_POLICY_FILE": "policy_file"}.items():
            if e.get(var):
                kwargs[attr] = Path(e[var])
        for var, attr in {"RETURNS_LABEL_LINK_TTL": "label_link_ttl_seconds",
                          "RETURNS_LABEL_VALID_DAYS": "label_valid_days"}.items():
            if e.get(var):
                try:
                    kwargs[attr] = int(e[var])
                except ValueError as exc:
                    raise SettingsError(f"{var} must be a whole number, got {e[var]!r}") from exc
        kwargs.update(_stripe_numbers(e))
        for var, attr in {"RETURNS_REFUND_GIVE_UP_AFTER": "refund_give_up_after",
                          "RETURNS_REFUND_LEASE": "refund_lease",
                          "RETURNS_INSIGHT_RETENTION": "insight_retention"}.items():
            if e.get(var):
                kwargs[attr] = parse_duration(var, e[var])
        if e.get("RETURNS_GOODWILL_DAILY"):
            kwargs["goodwill_daily"] = _money_map("RETURNS_GOODWILL_DAILY", e["RETURNS_GOODWILL_DAILY"])
        if e.get("RETURNS_STAFF_TOKENS"):
            kwargs["staff_tokens"] = _staff_tokens(e["RETURNS_STAFF_TOKENS"])
        if e.get("RETURNS_STORE_NAME"):
            kwargs["store_name"] = e["RETURNS_STORE_NAME"].strip()[:120]
        if e.get("RETURNS_CORS_ORIGINS"):  # "https://shop.example.com,https://www.example.com"
            kwargs["cors_origins"] = tuple(o.strip().rstrip("/") for o in e["RETURNS_CORS_ORIGINS"].split(",")
                                           if o.strip())
        try:
            kwargs["carriers"] = CarrierSettings.from_env(e)
        except CarrierSettingsError as exc:
            raise SettingsError(str(exc)) from exc
        try:
            kwargs["saleor"] = SaleorSettings.from_env(e)
        except SaleorSettingsError as exc:
            raise SettingsError(str(exc)) from exc
        try:
            kwargs["email"] = EmailSettings.from_env(e)
            kwargs["limits"] = request_limits_from_env(e)
            kwargs["rate_limits"] = rate_limits_from_env(e)
        except (EmailSettingsError, TrafficSettingsError) as exc:
            raise SettingsError(str(exc)) from exc
        kwargs.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**kwargs)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if self.refund_gateway not in REFUND_GATEWAYS:
            raise SettingsError(f"RETURNS_REFUND_GATEWAY: unknown gateway {self.refund_gateway!r} "
                                f"({' or '.join(REFUND_GATEWAYS)})")
        if self.refund_gateway == "stripe":
            self.check_stripe()
        for name, value in (("RETURNS_REFUND_GIVE_UP_AFTER", self.refund_give_up_after),
                            ("RETURNS_REFUND_LEASE", self.refund_lease),
                            ("RETURNS_INSIGHT_RETENTION", self.insight_retention)):
            if value <= timedelta(0):
                raise SettingsError(f"{name} must be longer than zero")
        try:
            self.carriers.check(self.label_carrier)
        except CarrierSettingsError as exc:
            raise SettingsError(f"RETURNS_LABEL_CARRIER / RETURNS_LABEL_CARRIERS: {exc}") from exc
        if self.label_valid_days < 1:
            raise SettingsError("RETURNS_LABEL_VALID_DAYS must be at least 1")
        if len(self.admin_token) < 16:
            raise SettingsError("RETURNS_ADMIN_TOKEN must be at least 16 characters")

    def check_stripe(self) -> None:
        """What RETURNS_REFUND_GATEWAY=stripe (and `reconcile`) need, with messages that say how to fix it."""
        key = self.stripe_api_key or ""
        if not key:
            raise SettingsError("RETURNS_REFUND_GATEWAY=stripe needs STRIPE_API_KEY: a secret key (sk_live_..., "
                                "sk_test_...) or a restricted key (rk_...) with write access to Refunds")
        if key.startswith("pk_"):
            raise SettingsError("STRIPE_API_KEY is a publishable key (pk_...); refunds need a secret key (sk_...) "
                                "or a restricted key (rk_...)")
        if not key.startswith(("sk_", "rk_")):
            raise SettingsError("STRIPE_API_KEY must be a Stripe secret key (sk_...) or restricted key (rk_...)")
        if not re.match(r"^https?://[^/\s?#]+/?$", self.stripe_api_base):
            raise SettingsError(f"STRIPE_API_BASE must be a base URL such as {STRIPE_DEFAULT_API_BASE} or "
                                f"http://127.0.0.1:12111 (scheme and host, no path), got {self.stripe_api_base!r}")
        secret = self.stripe_webhook_secret
        if secret is not None and not secret.startswith("whsec_"):
            raise SettingsError("STRIPE_WEBHOOK_SECRET must be the signing secret of the webhook endpoint "
                                "(whsec_..., shown in the Stripe Dashboard under Developers > Webhooks)")
        if not self.stripe_timeout_seconds > 0:  # also refuses nan
            raise SettingsError("STRIPE_TIMEOUT must be a positive number of seconds")
        if not 0 <= self.stripe_max_network_retries <= 10:
            raise SettingsError("STRIPE_MAX_NETWORK_RETRIES must be between 0 and 10")

    def goodwill_budget(self, currency: str) -> Money:
        """RETURNS_GOODWILL_DAILY for `currency`, else the built-in default of that currency."""
        for m in self.goodwill_daily:
            if m.currency == currency:
                return m
        return default_daily_budget(currency)


def _staff_tokens(raw: str) -> tuple[tuple[str, str], ...]:
    """RETURNS_STAFF_TOKENS="alice=token1,bob=token2": named staff, each with their own goodwill budget."""
    out: list[tuple[str, str]] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name, sep, token = part.partition("=")
        name, token = name.strip(), token.strip()
        if not sep or not re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", name):
            raise SettingsError("RETURNS_STAFF_TOKENS: write name=token pairs separated by commas "
                                f"(names of letters, digits, . _ @ -), got {part.split('=')[0]!r}")
        if len(token) < 16:
            raise SettingsError(f"RETURNS_STAFF_TOKENS: the token of {name} must be at least 16 characters")
        if name in ("admin", "owner") or any(n == name for n, _ in out):
            raise SettingsError(f"RETURNS_STAFF_TOKENS: the name {name} is reserved or listed twice")
        out.append((name, token))
    return tuple(out)


def _stripe_numbers(e: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    try:
        if e.get("STRIPE_TIMEOUT"):
            out["stripe_timeout_seconds"] = float(e["STRIPE_TIMEOUT"])
        if e.get("STRIPE_MAX_NETWORK_RETRIES"):
            out["stripe_max_network_retries"] = int(e["STRIPE_MAX_NETWORK_RETRIES"])
    except ValueError as exc:
        raise SettingsError(f"STRIPE_TIMEOUT (seconds) and STRIPE_MAX_NETWORK_RETRIES (a whole number) must be "
                            f"numbers: {exc}") from exc
    return out


def settings_of(deps: Any) -> "Settings":
    """The full settings of a wiring, for the web edge and the adapters (services read them as ports.Config)."""
    found = deps.settings
    if not isinstance(found, Settings):
        raise TypeError("the wiring was built without Settings")
    return found
