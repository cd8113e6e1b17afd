"""Carrier configuration from the environment: which carrier per channel, API keys, webhook secrets, format.

RETURNS_LABEL_CARRIER=local                       the default carrier (local, easypost or shippo)
RETURNS_LABEL_CARRIERS="default-channel=easypost,japan=local"   per channel, wins over the default
RETURNS_LABEL_FORMAT=4x6                          local labels: 4x6 (default), A6 or letter (two per page)
RETURNS_LABEL_COST="USD=7.50,EUR=6.90"            expected label cost (LABEL_COST deductions decided up front)
RETURNS_LABEL_VALID_DAYS=30                       labels expire; expired unused labels are voided
EASYPOST_API_KEY, EASYPOST_API_BASE, EASYPOST_SERVICE ("USPS:Priority", "Priority" or empty: cheapest),
EASYPOST_WEBHOOK_SECRET
SHIPPO_API_KEY, SHIPPO_API_BASE, SHIPPO_SERVICE (a servicelevel token such as "usps_priority", empty: cheapest),
SHIPPO_WEBHOOK_TOKEN
RETURNS_CARRIER_TIMEOUT=20 (seconds), RETURNS_PARCEL="12x9x4in,32oz"
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .domain.money import Money, parse_amounts

CARRIERS = ("local", "easypost", "shippo")
LABEL_FORMATS = ("4x6", "A6", "letter")
EASYPOST_DEFAULT_API_BASE = "https://api.easypost.com/v2"
SHIPPO_DEFAULT_API_BASE = "https://api.goshippo.com"
_PARCEL = re.compile(r"^\s*(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)in\s*,\s*(\d+(?:\.\d+)?)oz\s*$")


class CarrierSettingsError(ValueError):
    """A carrier setting is malformed; the message names the variable and how to fix it."""


@dataclass(frozen=True, slots=True)
class Parcel:
    length_in: Decimal = Decimal("12")
    width_in: Decimal = Decimal("9")
    height_in: Decimal = Decimal("4")
    weight_oz: Decimal = Decimal("32")


@dataclass(frozen=True)
class CarrierSettings:
    per_channel: tuple[tuple[str, str], ...] = ()
    label_format: str = "4x6"
    expected_cost: tuple[Money, ...] = ()
    easypost_api_key: str | None = field(default=None, repr=False)
    easypost_api_base: str = EASYPOST_DEFAULT_API_BASE
    easypost_service: str | None = None
    easypost_webhook_secret: str | None = field(default=None, repr=False)
    shippo_api_key: str | None = field(default=None, repr=False)
    shippo_api_base: str = SHIPPO_DEFAULT_API_BASE
    shippo_service: str | None = None
    shippo_webhook_token: str | None = field(default=None, repr=False)
    timeout_seconds: float = 20.0
    parcel: Parcel = Parcel()

    @classmethod
    def from_env(cls, e: dict[str, str]) -> "CarrierSettings":
        """Read the variables above from `e`; raises CarrierSettingsError naming the bad one."""
        kwargs: dict[str, object] = {}
        simple = {"RETURNS_LABEL_FORMAT": "label_format", "EASYPOST_API_KEY": "easypost_api_key",
                  "EASYPOST_API_BASE": "easypost_api_base", "EASYPOST_SERVICE": "easypost_service",
                  "EASYPOST_WEBHOOK_SECRET": "easypost_webhook_secret", "SHIPPO_API_KEY": "shippo_api_key",
                  "SHIPPO_API_BASE": "shippo_api_base", "SHIPPO_SERVICE": "shippo_service",
                  "SHIPPO_WEBHOOK_TOKEN": "shippo_webhook_token"}
        for var, attr in simple.items():
            if e.get(var):
                kwargs[attr] = e[var].strip()
        if e.get("RETURNS_LABEL_CARRIERS"):
            kwargs["per_channel"] = _per_channel(e["RETURNS_LABEL_CARRIERS"])
        if e.get("RETURNS_LABEL_COST"):
            kwargs["expected_cost"] = _money_map("RETURNS_LABEL_COST", e["RETURNS_LABEL_COST"])
        if e.get("RETURNS_CARRIER_TIMEOUT"):
            try:
                kwargs["timeout_seconds"] = float(e["RETURNS_CARRIER_TIMEOUT"])
            except ValueError as exc:
                raise CarrierSettingsError("RETURNS_CARRIER_TIMEOUT must be a number of seconds") from exc
        if e.get("RETURNS_PARCEL"):
            kwargs["parcel"] = _parcel(e["RETURNS_PARCEL"])
        return cls(**kwargs)  # type: ignore[arg-type]

    def names_in_use(self, default: str) -> set[str]:
        return {default, *(name for _, name in self.per_channel)}

    def check(self, default: str) -> None:
        """Every carrier in use is known and has what it needs."""
        if self.label_format not in LABEL_FORMATS:
            raise CarrierSettingsError(f"RETURNS_LABEL_FORMAT must be one of {', '.join(LABEL_FORMATS)}, "
                                       f"got {self.label_format!r}")
        if not self.timeout_seconds > 0:
            raise CarrierSettingsError("RETURNS_CARRIER_TIMEOUT must be a positive number of seconds")
        for name in sorted(self.names_in_use(default)):
            if name not in CARRIERS:
                raise CarrierSettingsError(f"unknown label carrier {name!r} (one of {', '.join(CARRIERS)}); "
                                           "see RETURNS_LABEL_CARRIER and RETURNS_LABEL_CARRIERS")
        if "easypost" in self.names_in_use(default) and not self.easypost_api_key:
            raise CarrierSettingsError("the easypost carrier needs EASYPOST_API_KEY (EasyPost dashboard: API Keys)")
        if "shippo" in self.names_in_use(default) and not self.shippo_api_key:
            raise CarrierSettingsError("the shippo carrier needs SHIPPO_API_KEY (Shippo: Settings > API)")
        for name, base in (("EASYPOST_API_BASE", self.easypost_api_base), ("SHIPPO_API_BASE", self.shippo_api_base)):
            if not re.match(r"^https?://[^\s?#]+$", base):
                raise CarrierSettingsError(f"{name} must be an http(s) URL, got {base!r}")


def _per_channel(raw: str) -> tuple[tuple[str, str], ...]:
    out = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        channel, sep, name = part.partition("=")
        if not sep or not channel.strip() or not name.strip():
            raise CarrierSettingsError(f"RETURNS_LABEL_CARRIERS: expected channel=carrier, got {part!r}")
        out.append((channel.strip(), name.strip().lower()))
    return tuple(out)


def _money_map(name: str, raw: str) -> tuple[Money, ...]:
    try:
        return parse_amounts(raw)
    except ValueError as exc:
        raise CarrierSettingsError(f"{name}: {exc}") from exc


def _parcel(raw: str) -> Parcel:
    match = _PARCEL.match(raw)
    if not match:
        raise CarrierSettingsError(f"RETURNS_PARCEL must look like 12x9x4in,32oz, got {raw!r}")
    length, width, height, weight = (Decimal(g) for g in match.groups())
    return Parcel(length, width, height, weight)
