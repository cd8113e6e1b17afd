"""A Saleor instance installs the app (POST /api/register with its app token).

The token is stored (encrypted) only after Saleor confirmed it: `app { id permissions }` answered with
our app and MANAGE_ORDERS. A re-install refreshes the token and re-activates the store; an optional
allow-list (RETURNS_SALEOR_ALLOWED_URLS) limits which stores this deployment serves.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ...ports import StoredInstallation
from ...saleor_settings import SaleorSettingsError, normalise_api_url
from ...services.context import Deps
from ...settings import settings_of
from .auth import STAFF_PERMISSION
from .client import SaleorClient
from .errors import SaleorAuthError, SaleorError, SaleorUnavailable
from .jwks import fetch_jwks

log = logging.getLogger(__name__)
MAX_TOKEN = 2048


class InstallRefused(Exception):
    """The install is refused; `code` and the message go back to Saleor (the Dashboard shows the message)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True, slots=True)
class Installed:
    api_url: str
    app_id: str
    permissions: tuple[str, ...]


async def register(deps: Deps, *, api_url: str | None, auth_token: object, domain: str | None,
                   schema_version: str | None) -> Installed:
    """Check the token with Saleor, then store it for this API URL (one row per store)."""
    tenants = deps.saleor
    url = _url(deps, api_url)
    if not isinstance(auth_token, str) or not auth_token.strip() or len(auth_token) > MAX_TOKEN:
        raise InstallRefused("INVALID_TOKEN", "the request carries no auth_token", 400)
    app_id, permissions = await _confirm(SaleorClient(url, auth_token, tenants.http), settings_of(deps).saleor.app_id)
    try:
        jwks = await fetch_jwks(tenants.http, url)
    except SaleorError as exc:  # webhooks fetch it later; the install need not fail for it
        log.warning("JWKS not fetched at install", extra={"api_url": url, "error": str(exc)})
        jwks = None
    async with deps.uow() as tx:
        await tx.installations.save(StoredInstallation(
            api_url=url, app_id=app_id, auth_token=tenants.box.seal(auth_token), active=True,
            domain=(domain or "")[:255] or None, schema_version=(schema_version or "")[:32] or None,
            permissions=tuple(permissions), jwks=jwks), deps.clock.now())
        await tx.commit()
    tenants.forget(url)
    log.info("saleor app installed", extra={"api_url": url, "app_id": app_id, "schema_version": schema_version,
                                            "permissions": list(permissions)})
    return Installed(url, app_id, permissions)


def _url(deps: Deps, api_url: str | None) -> str:
    try:
        url = normalise_api_url(api_url or "")
    except SaleorSettingsError as exc:
        raise InstallRefused("INVALID_API_URL", "the Saleor-Api-Url header is missing or not a URL", 400) from exc
    if len(url) > 255:
        raise InstallRefused("INVALID_API_URL", "the Saleor API URL is longer than 255 characters", 400)
    if not settings_of(deps).saleor.allows(url):
        log.warning("install refused: store not allowed", extra={"api_url": url})
        raise InstallRefused("FORBIDDEN", f"this deployment does not serve {url} (RETURNS_SALEOR_ALLOWED_URLS)", 403)
    return url


async def _confirm(client: SaleorClient, our_id: str) -> tuple[str, tuple[str, ...]]:
    """Our app's id and permissions as Saleor reports them for this token; InstallRefused otherwise."""
    try:
        app = (await client.execute("AppIdentity")).get("app") or {}
    except SaleorUnavailable as exc:
        raise InstallRefused("UPSTREAM_UNAVAILABLE", f"Saleor could not be reached to check the token: {exc}",
                             503) from exc
    except (SaleorAuthError, SaleorError) as exc:
        raise InstallRefused("INVALID_TOKEN", "Saleor did not accept the token", 401) from exc
    if not app.get("id"):
        raise InstallRefused("INVALID_TOKEN", "Saleor did not accept the token", 401)
    if app.get("identifier") not in (None, "", our_id):
        raise InstallRefused("INVALID_TOKEN", f"the token belongs to app {app.get('identifier')!r}, not {our_id}",
                             401)
    permissions = tuple(str(p.get("code")) for p in app.get("permissions") or ())
    if STAFF_PERMISSION not in permissions:
        raise InstallRefused("MISSING_PERMISSION", f"the app needs {STAFF_PERMISSION}", 403)
    return str(app["id"]), permissions
