"""Configuration from the environment (RETURNS_*, DATABASE_URL); one frozen object, read once."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .domain.money import Money, is_known_currency, parse_decimal

DEFAULT_DB = "sqlite+aiosqlite:///./saleor-returns.sqlite3"


class SettingsError(ValueError):
    """A setting is malformed; the message names the variable."""


def _money_map(name: str, raw: str) -> tuple[Money, ...]:
    """"USD=2000,JPY=300000" → Money per currency."""
    out = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        code, _, amount = part.partition("=")
        code = code.strip().upper()
        if not is_known_currency(code):
            raise SettingsError(f"{name}: unknown currency {code!r}")
        try:
            out.append(Money(parse_decimal(amount), code))
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from exc
    return tuple(out)


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
    label_carrier: str = "local"
    label_link_ttl_seconds: int = 7 * 24 * 3600
    label_valid_days: int = 30
    goodwill_daily: tuple[Money, ...] = ()
    goodwill_default: Decimal = Decimal("2000.00")
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
                  "RETURNS_LOG_FORMAT": "log_format"}
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
        if e.get("RETURNS_GOODWILL_DAILY"):
            kwargs["goodwill_daily"] = _money_map("RETURNS_GOODWILL_DAILY", e["RETURNS_GOODWILL_DAILY"])
        kwargs.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**kwargs)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if self.refund_gateway not in ("simulated",):
            raise SettingsError(f"RETURNS_REFUND_GATEWAY: unknown gateway {self.refund_gateway!r} (simulated)")
        if self.label_carrier not in ("local",):
            raise SettingsError(f"RETURNS_LABEL_CARRIER: unknown carrier {self.label_carrier!r} (local)")
        if len(self.admin_token) < 16:
            raise SettingsError("RETURNS_ADMIN_TOKEN must be at least 16 characters")

    def goodwill_budget(self, currency: str) -> Money:
        for m in self.goodwill_daily:
            if m.currency == currency:
                return m
        return Money(self.goodwill_default, currency)
