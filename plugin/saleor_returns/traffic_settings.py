"""Request limits and rate limits from the environment (docs/operations.md, "Request limits" and "Rate limits").

RETURNS_MAX_BODY_BYTES=1048576     any request body; larger is HTTP 413 (checked while it is read)
RETURNS_MAX_JSON_DEPTH=20          nesting of a JSON body (GraphQL variables and extensions included)
RETURNS_MAX_LIST_LENGTH=1000       items of one JSON list, entries of one JSON object
RETURNS_MAX_QUERY_CHARS=20000      characters of a GraphQL document
RETURNS_MAX_QUERY_TOKENS=2000      its tokens (and, apart, its comments)
RETURNS_MAX_QUERY_DEPTH=20         nested selections, fragments expanded
RETURNS_MAX_QUERY_ALIASES=20       aliases
RETURNS_MAX_QUERY_FIELDS=1000      fields it would resolve, fragments expanded

RETURNS_RATE_LIMIT_LOOKUPS_PER_ADDRESS=60/minute    order look-ups per client address
RETURNS_RATE_LIMIT_LOOKUPS_PER_ORDER=20/minute      look-ups of one order or return
RETURNS_RATE_LIMIT_REQUESTS_PER_ADDRESS=20/minute   requestReturn per client address
RETURNS_RATE_LIMIT_REQUESTS_PER_ORDER=10/minute     requestReturn per order
RETURNS_RATE_LIMIT_PER_TOKEN=600/minute             root fields per bearer token (staff, signed-in shoppers)
RETURNS_RATE_LIMIT_REFUSED_PER_ADDRESS=10/minute    refused requests (limits) before an address is turned away
RETURNS_RATE_LIMIT_STORAGE=database|memory          database: shared by every replica (default on PostgreSQL)

Rates use the `limits` library's syntax ("20/minute", "100/hour;1000/day"), or "off".
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from limits import RateLimitItem, parse_many

from .graphql.document_limits import DocumentLimits

RATE_STORAGES = ("database", "memory")


class TrafficSettingsError(ValueError):
    """A limit is malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class RequestLimits:
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 20
    max_list_length: int = 1000
    document: DocumentLimits = field(default_factory=DocumentLimits)


_REQUEST_VARS = {"RETURNS_MAX_BODY_BYTES": "max_body_bytes", "RETURNS_MAX_JSON_DEPTH": "max_json_depth",
                 "RETURNS_MAX_LIST_LENGTH": "max_list_length"}
_DOCUMENT_VARS = {"RETURNS_MAX_QUERY_CHARS": "max_chars", "RETURNS_MAX_QUERY_TOKENS": "max_tokens",
                  "RETURNS_MAX_QUERY_DEPTH": "max_depth", "RETURNS_MAX_QUERY_ALIASES": "max_aliases",
                  "RETURNS_MAX_QUERY_FIELDS": "max_fields"}
# the least each may be set to: below that, the portal and the console stop working
_FLOORS = {"max_body_bytes": 16 * 1024, "max_json_depth": 8, "max_list_length": 100, "max_chars": 4000,
           "max_tokens": 400, "max_depth": 8, "max_aliases": 0, "max_fields": 300}


def request_limits_from_env(e: dict[str, str]) -> RequestLimits:
    """The variables above, each a whole number at or above the floor the bundled clients need."""
    values: dict[str, dict[str, int]] = {"request": {}, "document": {}}
    for kind, names in (("request", _REQUEST_VARS), ("document", _DOCUMENT_VARS)):
        for var, attr in names.items():
            if not e.get(var):
                continue
            try:
                number = int(e[var].strip().replace("_", ""))
            except ValueError:
                raise TrafficSettingsError(f"{var} must be a whole number, got {e[var]!r}") from None
            if number < _FLOORS[attr]:
                raise TrafficSettingsError(f"{var} must be at least {_FLOORS[attr]} (the portal and the console "
                                           f"need that much), got {number}")
            values[kind][attr] = number
    return RequestLimits(**values["request"], document=DocumentLimits(**values["document"]))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Each rate as `limits` items (several windows may apply); () means no limit."""

    lookups_per_address: tuple[RateLimitItem, ...] = field(default_factory=lambda: _rate("60/minute"))
    lookups_per_order: tuple[RateLimitItem, ...] = field(default_factory=lambda: _rate("20/minute"))
    requests_per_address: tuple[RateLimitItem, ...] = field(default_factory=lambda: _rate("20/minute"))
    requests_per_order: tuple[RateLimitItem, ...] = field(default_factory=lambda: _rate("10/minute"))
    per_token: tuple[RateLimitItem, ...] = field(default_factory=lambda: _rate("600/minute"))
    refused_per_address: tuple[RateLimitItem, ...] = field(default_factory=lambda: _rate("10/minute"))
    storage: str | None = None  # None: "database" on PostgreSQL, "memory" on SQLite

    @classmethod
    def generous(cls, rate: str = "1000000/minute") -> "RateLimits":
        """Every rate raised to `rate` (the test kit: limits stay on, and never get in a test's way)."""
        return cls(**{f.name: _rate(rate) for f in fields(cls) if f.name != "storage"})  # type: ignore[arg-type]

    def storage_for(self, database_url: str) -> str:
        return self.storage or ("database" if database_url.startswith(("postgres", "postgresql")) else "memory")


_RATE_VARS = {"RETURNS_RATE_LIMIT_LOOKUPS_PER_ADDRESS": "lookups_per_address",
              "RETURNS_RATE_LIMIT_LOOKUPS_PER_ORDER": "lookups_per_order",
              "RETURNS_RATE_LIMIT_REQUESTS_PER_ADDRESS": "requests_per_address",
              "RETURNS_RATE_LIMIT_REQUESTS_PER_ORDER": "requests_per_order",
              "RETURNS_RATE_LIMIT_PER_TOKEN": "per_token",
              "RETURNS_RATE_LIMIT_REFUSED_PER_ADDRESS": "refused_per_address"}


def _rate(raw: str, var: str = "") -> tuple[RateLimitItem, ...]:
    if raw.strip().lower() in ("off", "none", "0"):
        return ()
    try:
        items = tuple(parse_many(raw))
    except ValueError:
        raise TrafficSettingsError(f"{var} must be a rate such as 20/minute or 100/hour;1000/day, or off, "
                                   f"got {raw!r}") from None
    if any(item.amount < 1 for item in items):
        raise TrafficSettingsError(f"{var}: a rate allows at least 1 request (or say off), got {raw!r}")
    return items


def rate_limits_from_env(e: dict[str, str]) -> RateLimits:
    kwargs: dict[str, object] = {attr: _rate(e[var], var) for var, attr in _RATE_VARS.items() if e.get(var)}
    if e.get("RETURNS_RATE_LIMIT_STORAGE"):
        storage = e["RETURNS_RATE_LIMIT_STORAGE"].strip().lower()
        if storage not in RATE_STORAGES:
            raise TrafficSettingsError(f"RETURNS_RATE_LIMIT_STORAGE must be database or memory, got {storage!r}")
        kwargs["storage"] = storage
    return RateLimits(**kwargs)  # type: ignore[arg-type]
