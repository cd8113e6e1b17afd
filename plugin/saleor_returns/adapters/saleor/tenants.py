"""Tenants: one deployment serves many Saleor instances, each keyed by its API URL.

Per request, who is asking decides which store the request acts for: a Saleor token names its store
(`iss`), else a `Saleor-Api-Url` header names an installed store (guests of that store), else the
standalone store (settings.tenant, the demo store) answers as it always has. Installations are read
from the database (cached briefly), their app tokens decrypted, their JWKS cached and re-fetched once
when a token or webhook names an unknown key.
"""
from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from jwt import PyJWK

from ...ports import OrderSource, UnitOfWorkFactory
from ...saleor_settings import SaleorSettingsError, normalise_api_url
from ...services.context import Actor, ActorKind, Deps
from ...settings import Settings
from .auth import TokenRejected, looks_like_jwt, token_key_id, unverified_claims, verify_token
from .client import SaleorClient, new_http
from .errors import SaleorError
from .jwks import KeySet, fetch_jwks
from .order_source import SaleorOrderSource
from .token_box import TokenBox, TokenBoxError

log = logging.getLogger(__name__)
API_URL_HEADER = "saleor-api-url"
OWNER_PERMISSION = "MANAGE_STAFF"  # a Saleor staff member who manages staff counts as the store owner


@dataclass(frozen=True, slots=True)
class Installation:
    """An active installation, with its app token decrypted (None when the configured keys cannot)."""

    api_url: str
    app_id: str
    token: str | None
    schema_version: str | None
    permissions: tuple[str, ...]
    jwks: dict[str, Any] | None

    def supports(self, version: str) -> bool:
        """Whether the store's schema is at least `version` ("3.24")."""
        return _version(self.schema_version) >= _version(version)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, as the request proves it, and the Deps acting for their store."""

    deps: Deps
    staff: Actor | None = None
    customer: Actor | None = None
    bad_token: bool = False  # a token was sent that does not make anyone staff here
    refused: str | None = None  # credentials were presented for this store and refused: why


@dataclass
class _Cached:
    at: float
    installation: Installation | None


@dataclass
class SaleorTenants:
    """The installed stores, their clients and keys. One per process; safe to share between requests."""

    uow: UnitOfWorkFactory
    settings: Settings
    cache_seconds: float = 30.0
    jwks_refetch_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _http: httpx.AsyncClient | None = None
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _jwks_fetched: dict[str, float] = field(default_factory=dict)
    _box: TokenBox | None = None

    # --- installations ------------------------------------------------------------------------
    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = new_http(httpx.Timeout(self.settings.saleor.timeout_seconds, connect=5.0))
        return self._http

    @property
    def box(self) -> TokenBox:
        if self._box is None:
            self._box = TokenBox(self.settings.saleor.encryption_keys or (self.settings.secret_key,))
        return self._box

    async def installation(self, api_url: str | None) -> Installation | None:
        """The active installation of this store, or None (unknown, removed, or not a URL)."""
        if not api_url:
            return None
        try:
            key = normalise_api_url(api_url)
        except SaleorSettingsError:
            return None
        cached = self._cache.get(key)
        if cached is not None and self.clock() - cached.at < self.cache_seconds:
            return cached.installation
        async with self.uow(readonly=True) as tx:
            row = await tx.installations.load(key)
            found = self._open(row) if row is not None and row.active else None
        self._cache[key] = _Cached(self.clock(), found)
        return found

    def _open(self, row: Any) -> Installation:
        try:
            token: str | None = self.box.open(row.auth_token)
        except TokenBoxError:
            log.error("app token cannot be decrypted: reinstall the app or restore the key",
                      extra={"api_url": row.api_url})
            token = None
        return Installation(row.api_url, row.app_id, token, row.schema_version, tuple(row.permissions), row.jwks)

    def forget(self, api_url: str) -> None:
        """Drop what this process remembers about a store (after install, uninstall, new keys)."""
        self._cache.pop(api_url, None)

    def client(self, installation: Installation) -> SaleorClient:
        return SaleorClient(installation.api_url, installation.token, self.http)

    async def client_for(self, tenant: str) -> SaleorClient | None:
        """The client acting for a tenant, or None when the tenant is not an installed Saleor."""
        found = await self.installation(tenant) if tenant.startswith(("http://", "https://")) else None
        return self.client(found) if found is not None else None

    async def deps_for(self, base: Deps, api_url: str) -> Deps | None:
        """The Deps acting for one installed store (its orders from Saleor), or None."""
        found = await self.installation(api_url)
        return self._deps_of(base, found) if found is not None else None

    async def orders_for(self, tenant: str) -> OrderSource | None:
        """ports.Stores, for installed stores: the orders of the store `tenant` names (its API URL)."""
        found = await self.installation(tenant) if tenant.startswith(("http://", "https://")) else None
        return SaleorOrderSource(self.client(found), self.settings.saleor) if found is not None else None

    def _deps_of(self, base: Deps, found: Installation) -> Deps:
        return base.for_tenant(found.api_url, SaleorOrderSource(self.client(found), self.settings.saleor))

    # --- keys ---------------------------------------------------------------------------------
    async def signing_key(self, installation: Installation, kid: str | None) -> PyJWK | None:
        """The store's key with this id; the JWKS is fetched again (at most once a minute) when it is unknown."""
        if installation.jwks is not None:
            key = _key(installation.jwks, kid)
            if key is not None:
                return key
        last = self._jwks_fetched.get(installation.api_url)
        if last is not None and self.clock() - last < self.jwks_refetch_seconds:
            return None  # an unknown key again so soon: not a reason to ask Saleor again
        self._jwks_fetched[installation.api_url] = self.clock()
        try:
            jwks = await fetch_jwks(self.http, installation.api_url)
        except SaleorError as exc:
            log.warning("cannot fetch the store's JWKS", extra={"api_url": installation.api_url, "error": str(exc)})
            return None
        async with self.uow() as tx:
            await tx.installations.save_jwks(installation.api_url, jwks, _utcnow())
            await tx.commit()
        self.forget(installation.api_url)
        return _key(jwks, kid)

    # --- who is asking ------------------------------------------------------------------------
    async def identify(self, base: Deps, headers: Mapping[str, str], token: str | None) -> Caller | None:
        """Who is asking and for which store; None: not a Saleor request (the standalone store answers)."""
        header_url = headers.get(API_URL_HEADER)
        if token and looks_like_jwt(token) and not self._is_operator(token):
            return await self._by_token(base, token, header_url)
        if header_url:
            deps = await self.deps_for(base, header_url)
            if deps is None:
                return Caller(base, bad_token=token is not None,
                              refused="this store has not installed the returns app")
            return Caller(deps, bad_token=token is not None)
        return None

    async def _by_token(self, base: Deps, token: str, header_url: str | None) -> Caller | None:
        try:
            issuer = str(unverified_claims(token).get("iss") or "")
        except TokenRejected:
            issuer = ""
        found = await self.installation(issuer)
        if found is None:
            if header_url and (deps := await self.deps_for(base, header_url)) is not None:
                return Caller(deps, bad_token=True, refused="the token was not issued by this store")
            return None  # not a token of any store we serve: as before, a bad token on the standalone store
        deps = self._deps_of(base, found)
        if header_url and _same(header_url) != found.api_url:
            return Caller(deps, bad_token=True, refused="the token and the Saleor-Api-Url header name different stores")
        try:
            key = await self.signing_key(found, token_key_id(token))
            if key is None:
                raise TokenRejected("the token is not signed by this store")
            identity = verify_token(token, key, issuer=found.api_url, app_id=found.app_id)
        except TokenRejected as exc:
            log.info("saleor token refused", extra={"api_url": found.api_url, "reason": str(exc)})
            return Caller(deps, bad_token=True, refused=str(exc))
        if identity.is_staff:
            actor = Actor(ActorKind.STAFF, identity.email or identity.user_id or "staff", email=identity.email or None,
                          user_id=identity.user_id, is_owner=OWNER_PERMISSION in identity.user_permissions)
            return Caller(deps, staff=actor)
        customer = Actor(ActorKind.SHOPPER, identity.email or identity.user_id or "", email=identity.email or None,
                         user_id=identity.user_id)
        return Caller(deps, customer=customer)

    def _is_operator(self, token: str) -> bool:
        s = self.settings
        known = (s.admin_token, s.owner_token, *(t for _, t in s.staff_tokens))
        return any(t and hmac.compare_digest(token, t) for t in known)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _key(jwks: dict[str, Any], kid: str | None) -> PyJWK | None:
    try:
        return KeySet(jwks).get(kid)
    except ValueError:
        return None


def _same(url: str) -> str:
    try:
        return normalise_api_url(url)
    except SaleorSettingsError:
        return url


def _version(raw: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in (raw or "0").split(".")[:2])
    except ValueError:
        return (0,)


def _utcnow() -> datetime:  # the JWKS timestamp is bookkeeping, not a business time: the system clock is right
    return datetime.now(UTC)


def attach_saleor(deps: Deps) -> SaleorTenants:
    """Wire the installed Saleor instances into `deps`: tenants, write-backs (which also book refunds paid by
    another gateway), and refunds through Saleor (RETURNS_REFUND_GATEWAY=saleor)."""
    from ..refunds.directory import Gateways
    from .writeback import SaleorWriteback

    tenants = SaleorTenants(deps.uow, deps.settings)  # type: ignore[arg-type]
    deps.saleor = tenants
    deps.recorder = SaleorWriteback(tenants)
    gateways = deps.refunds
    assert isinstance(gateways, Gateways)
    for gateway in gateways.all().values():
        wire_gateway(deps, gateway)
    wire_exchanges(deps, tenants)
    return tenants


def wire_exchanges(deps: Deps, tenants: SaleorTenants) -> None:
    """Store credit as gift cards and replacements as orders in the installed Saleor stores."""
    from ...domain.return_exchange import STORE_CREDIT_GATEWAY
    from ..ledger.by_tenant import ReplacementsByTenant, StoreCreditByTenant
    from .replacements import SaleorReplacements
    from .store_credit import SaleorStoreCredit

    async def original(tenant: str, order_id: str) -> Any:
        orders = await tenants.orders_for(tenant)
        return await orders.get_order(order_id) if orders is not None else None

    credit = deps.refunds.named(STORE_CREDIT_GATEWAY) if hasattr(deps.refunds, "named") else None
    if isinstance(credit, StoreCreditByTenant) and credit.saleor is None:
        credit.saleor = SaleorStoreCredit(tenants.client_for)
    if isinstance(deps.replacements, ReplacementsByTenant) and deps.replacements.saleor is None:
        deps.replacements.saleor = SaleorReplacements(tenants.client_for, original)


def wire_gateway(deps: Deps, gateway: Any) -> Any:
    """A gateway connected to the installed stores: the Saleor gateway to their payment apps. Any other one
    pays by itself; what it paid is booked in the store's Saleor by the write-back (a note and the return's
    summary, adapters/saleor/refund_notes.py), never as a granted refund staff could send again."""
    from ...services.saleor_refunds import grant_plans
    from ..refunds.saleor_gateway import SaleorRefundGateway

    if isinstance(gateway, SaleorRefundGateway) and gateway.clients is None:
        gateway.wire(deps.saleor.client_for, grant_plans(deps.uow))
    return gateway


class NoStandaloneOrders:
    """The standalone store of a deployment that serves Saleor stores only (no RETURNS_ORDERS_FILE):
    it has no orders and no channels, so its guests find nothing (ORDER_NOT_FOUND)."""

    async def get_order(self, order_id: str) -> None:
        return None

    async def get_orders(self, order_ids: Any) -> dict[str, Any]:
        return {}

    async def get_channel(self, slug: str) -> None:
        return None

    def return_address(self, channel_slug: str) -> Any:
        raise KeyError(channel_slug)

    async def get_product(self, product_id: str, channel_slug: str) -> None:
        return None
