"""A fake Saleor on loopback, built from Saleor's own SDL (../shared/saleor/schema.graphql) with graphql-core.

Every document it receives is parsed and validated against that schema first, so it refuses what Saleor
would refuse (400 with Saleor's error shape); then root resolvers answer the operations the app uses with
Saleor-shaped data. Like Saleor it is a federation subgraph: `_service { sdl }` answers Saleor's subgraph SDL
(support/saleor_subgraph.py) and `_entities` resolves `Order`s for callers who may see them; `me` answers
for a customer's token. It holds an RSA key, serves it as JWKS (kid = RFC 7638 thumbprint, like Saleor),
signs customer and Dashboard tokens with it, installs apps from their manifest (GET the manifest, POST the
app token to tokenTargetUrl), and delivers webhooks signed as Saleor does (JWS RS256, detached payload,
`b64: false`, `crit: ["b64"]`). A "payment app" settles refund requests when the test says so.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, build_schema, execute, parse, validate
from jwt import api_jws
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .fake_saleor_exchanges import CatalogState, ExchangeRoot
from .saleor_subgraph import saleor_subgraph_sdl
from .server import ServerThread

SDL = Path(__file__).resolve().parents[2].parent / "shared" / "saleor" / "schema.graphql"
# Saleor 3.20's mount and target names (3.24 keeps them as free strings; 3.20-3.22 refuse anything else)
MOUNTS = {"CUSTOMER_OVERVIEW_CREATE", "CUSTOMER_OVERVIEW_MORE_ACTIONS", "CUSTOMER_DETAILS_MORE_ACTIONS",
          "PRODUCT_OVERVIEW_CREATE", "PRODUCT_OVERVIEW_MORE_ACTIONS", "PRODUCT_DETAILS_MORE_ACTIONS",
          "NAVIGATION_CATALOG", "NAVIGATION_ORDERS", "NAVIGATION_CUSTOMERS", "NAVIGATION_DISCOUNTS",
          "NAVIGATION_TRANSLATIONS", "NAVIGATION_PAGES", "ORDER_DETAILS_MORE_ACTIONS", "ORDER_OVERVIEW_CREATE",
          "ORDER_OVERVIEW_MORE_ACTIONS"}
TARGETS = {"POPUP", "APP_PAGE"}


@cache
def saleor_schema() -> GraphQLSchema:
    """Saleor's schema, built once per test run (about a second)."""
    return build_schema(SDL.read_text())


def gid(kind: str, pk: object) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required members, sorted, no spaces."""
    canonical = json.dumps({k: public_jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def money(amount: Decimal | str | int, currency: str) -> dict[str, Any]:
    return {"amount": Decimal(str(amount)), "currency": currency}


def taxed(amount: Decimal | str | int, currency: str) -> dict[str, Any]:
    return {"gross": money(amount, currency), "net": money(amount, currency), "tax": money(0, currency),
            "currency": currency}


class PermissionDenied(Exception):
    """Named like Saleor's: the fake reports it as extensions.exception.code = PermissionDenied."""


class SigningKey:
    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.jwk = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        self.kid = thumbprint(self.jwk)

    def public(self) -> dict[str, Any]:
        return {**self.jwk, "use": "sig", "kid": self.kid, "alg": "RS256"}


@dataclass
class FakeApp:
    id: str
    identifier: str
    token: str
    permissions: list[str]
    webhooks: list[dict[str, Any]]
    active: bool = True


@dataclass(frozen=True)
class FakeCustomer:
    """A shopper signed in with a customer access token of this Saleor."""

    email: str
    user_id: str | None


@dataclass
class Delivery:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class FakeSaleor:
    """Start with `FakeSaleor().start()`; `api_url` is what an installed app is told."""

    key: SigningKey = field(default_factory=SigningKey)
    apps: dict[str, FakeApp] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)  # operation names received, in order
    outbox: list[Delivery] = field(default_factory=list)
    refund_requests: list[str] = field(default_factory=list)  # granted refund ids sent to the payment app
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer the next requests with
    jwks_requests: int = 0
    fail_operations: dict[str, int] = field(default_factory=dict)  # operation name → HTTP status, once
    down_operations: set[str] = field(default_factory=set)  # operations answered 503 until removed (an outage)
    delays: dict[str, float] = field(default_factory=dict)  # operation name → seconds to wait before answering
    # the order's transactions have no payment app that handles refund requests (Saleor's error code)
    no_payment_app: bool = False
    shop: dict[str, Any] = field(default_factory=lambda: {  # Shop: name, and the sender (MANAGE_SETTINGS)
        "name": "Saleor Demo Shop", "defaultMailSenderName": "Fake Shop Returns",
        "defaultMailSenderAddress": "returns@fake-shop.example"})
    catalog: CatalogState = field(default_factory=CatalogState)  # products, stock, gift cards (exchanges)
    server: ServerThread | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    # --- server -------------------------------------------------------------------------------
    def start(self) -> "FakeSaleor":
        saleor_schema()
        self.server = ServerThread(self._make_app).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return f"{self.server.url}/graphql/"

    @property
    def domain(self) -> str:
        assert self.server is not None
        return self.server.url.split("://", 1)[1]

    def _make_app(self) -> Starlette:
        return Starlette(routes=[Route("/graphql/", self._graphql, methods=["POST"]),
                                 Route("/.well-known/jwks.json", self._jwks, methods=["GET"])])

    async def _jwks(self, _: Request) -> Response:
        self.jwks_requests += 1
        return JSONResponse({"keys": [self.key.public()]})

    async def _graphql(self, request: Request) -> Response:
        if self.fail_next:
            return JSONResponse({"error": "fake outage"}, status_code=self.fail_next.pop(0))
        body = json.loads(await request.body())
        try:
            document = parse(body["query"])
        except GraphQLError as exc:
            return JSONResponse({"errors": [_error(exc)]}, status_code=400)
        errors = validate(saleor_schema(), document)
        if errors:  # what Saleor answers for documents its schema does not allow
            return JSONResponse({"errors": [_error(e) for e in errors]}, status_code=400)
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        name = operation.name.value if operation.name else "anonymous"
        if name in self.fail_operations:
            return JSONResponse({"error": "fake outage"}, status_code=self.fail_operations.pop(name))
        if name in self.down_operations:
            return JSONResponse({"error": "fake outage"}, status_code=503)
        if name in self.delays:
            await asyncio.sleep(self.delays[name])
        self.calls.append(name)
        app = self._app_for(request.headers.get("authorization", ""))
        customer = None if app else self._customer_for(request.headers.get("authorization", ""))
        result = execute(saleor_schema(), document, root_value=Root(self, app, customer),
                         variable_values=body.get("variables") or {}, operation_name=body.get("operationName"))
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [_error(e) for e in result.errors]
        return Response(json.dumps(out, default=_json), media_type="application/json")

    def _app_for(self, authorization: str) -> FakeApp | None:
        token = authorization.removeprefix("Bearer ").strip()
        return next((a for a in self.apps.values() if a.active and a.token == token), None)

    def _customer_for(self, authorization: str) -> FakeCustomer | None:
        """The customer of a valid access token signed with this Saleor's key (Saleor: tokenCreate)."""
        token = authorization.removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(token, self.key.private.public_key(), algorithms=["RS256"], issuer=self.api_url)
        except jwt.PyJWTError:
            return None
        return FakeCustomer(claims["email"], claims.get("user_id")) if claims.get("type") == "access" else None

    # --- store data ---------------------------------------------------------------------------
    def add_channel(self, slug: str = "default-channel", currency: str = "USD", timezone: str | None = None,
                    warehouse: dict[str, Any] | None = None) -> dict[str, Any]:
        metadata = {"returns.timezone": timezone} if timezone else {}
        address = warehouse or {"firstName": "", "lastName": "", "companyName": "Returns Dept", "streetAddress1":
                                "1 Warehouse Way", "streetAddress2": "", "city": "Newark", "postalCode": "07102",
                                "countryArea": "NJ", "country": {"code": "US", "country": "United States"}}
        channel = {"id": gid("Channel", len(self.channels) + 1), "slug": slug, "name": slug, "currencyCode": currency,
                   "_metadata": metadata, "metafield": lambda info, key: metadata.get(key),
                   "warehouses": [{"id": gid("Warehouse", 1), "slug": "main", "name": "Main warehouse",
                                   "address": address}]}
        self.channels[slug] = channel
        return channel

    def add_order(self, *, email: str, user_id: str | None, lines: list[dict[str, Any]], shipped_at: datetime,
                  created_at: datetime | None = None, channel: str = "default-channel", shipping: str = "9.99",
                  psp_reference: str = "pi_fake_1", language: str = "EN_US") -> dict[str, Any]:
        """An order, fulfilled at `shipped_at` and paid in full (one transaction).
        `lines`: {name, sku, qty, price (after discounts), undiscounted, type, category, slug}."""
        ch = self.channels.get(channel) or self.add_channel(channel)
        currency, pk = ch["currencyCode"], next(self._ids)
        order_lines, fulfillment_lines, total = [], [], Decimal(shipping)
        for i, spec in enumerate(lines, 1):
            line_id = gid("OrderLine", f"{pk}-{i}")
            price = Decimal(spec["price"])
            total += price * spec["qty"]
            order_lines.append({
                "id": line_id, "productName": spec["name"], "variantName": spec.get("variant", ""),
                "productSku": spec.get("sku"), "quantity": spec["qty"], "quantityFulfilled": spec["qty"],
                "unitPrice": taxed(price, currency), "undiscountedUnitPrice": taxed(spec.get("undiscounted", price),
                                                                                   currency),
                "totalPrice": taxed(price * spec["qty"], currency),
                "variant": {"id": gid("ProductVariant", f"{pk}-{i}"), "product": {
                    "id": gid("Product", f"{pk}-{i}"), "slug": spec.get("slug", f"product-{i}"),
                    "productType": {"id": gid("ProductType", i), "name": spec.get("type", "Default")},
                    "category": {"id": gid("Category", i), "name": spec.get("category", "Default")}}}})
            fulfillment_lines.append({"id": gid("FulfillmentLine", f"{pk}-{i}"), "quantity": spec["qty"],
                                      "orderLine": {"id": line_id}})
        order_id = gid("Order", f"0000{pk:04d}-0000-0000-0000-000000000000")
        private: dict[str, str] = {}
        order: dict[str, Any] = {
            "__typename": "Order", "id": order_id, "number": str(1000 + pk),
            "created": iso(created_at or shipped_at - timedelta(days=2)),
            "status": "FULFILLED", "userEmail": email, "languageCodeEnum": language,
            "user": {"id": user_id, "email": email} if user_id else None,
            "channel": ch, "total": taxed(total, currency), "shippingPrice": taxed(shipping, currency),
            "shippingAddress": {"firstName": "Ada", "lastName": "Lovelace", "companyName": "", "streetAddress1":
                                "12 Analytical Lane", "streetAddress2": "", "city": "Brooklyn", "postalCode": "11201",
                                "countryArea": "NY", "country": {"code": "US", "country": "United States"}},
            "lines": order_lines,
            "fulfillments": [{"id": gid("Fulfillment", pk), "status": "FULFILLED", "created": iso(shipped_at),
                              "lines": fulfillment_lines}],
            "transactions": [{"id": gid("TransactionItem", pk), "name": "Stripe", "pspReference": psp_reference,
                              "chargedAmount": money(total, currency), "refundedAmount": money(0, currency),
                              "refundPendingAmount": money(0, currency)}],
            "grantedRefunds": [], "events": [], "metadata": [], "_private": private,
            "privateMetadata": lambda info: [{"key": k, "value": v} for k, v in private.items()],
            "privateMetafield": lambda info, key: private.get(key),
        }
        self.orders[order_id] = order
        return order

    # --- tokens -------------------------------------------------------------------------------
    def customer_token(self, email: str, user_id: str | None, *, expires_in: int = 300, key: SigningKey | None = None,
                       issuer: str | None = None, token_type: str = "access") -> str:
        """A customer access token as Saleor's tokenCreate issues it."""
        now = int(time.time())
        claims = {"iat": now, "owner": "saleor", "iss": issuer or self.api_url, "exp": now + expires_in,
                  "token": secrets.token_hex(6), "email": email, "type": token_type, "user_id": user_id,
                  "is_staff": False}
        signer = key or self.key
        return jwt.encode(claims, signer.private, algorithm="RS256", headers={"kid": signer.kid})

    def dashboard_token(self, app_id: str, email: str = "staff@example.com", *, permissions: list[str] | None = None,
                        user_permissions: list[str] | None = None, expires_in: int = 300,
                        key: SigningKey | None = None) -> str:
        """The token the Dashboard hands an app's page (type thirdparty, the app id, the allowed permissions)."""
        now = int(time.time())
        user_perms = user_permissions if user_permissions is not None else ["MANAGE_ORDERS", "HANDLE_PAYMENTS"]
        claims = {"iat": now, "owner": "saleor", "iss": self.api_url, "exp": now + expires_in,
                  "token": secrets.token_hex(6), "email": email, "type": "thirdparty",
                  "user_id": gid("User", 99), "is_staff": True, "app": app_id,
                  "permissions": permissions if permissions is not None else ["MANAGE_ORDERS", "HANDLE_PAYMENTS"],
                  "user_permissions": user_perms}
        signer = key or self.key
        return jwt.encode(claims, signer.private, algorithm="RS256", headers={"kid": signer.kid})

    def sign(self, body: bytes, key: SigningKey | None = None) -> str:
        """Saleor's webhook signature: JWS RS256 over the raw body, payload detached."""
        signer = key or self.key
        return api_jws.encode(body, key=signer.private, algorithm="RS256",
                              headers={"kid": signer.kid, "crit": ["b64"]}, is_payload_detached=True)

    # --- apps ---------------------------------------------------------------------------------
    def install(self, manifest_url: str, *, permissions: list[str] | None = None) -> FakeApp:
        """Saleor's install: read and check the manifest, create the app and its token, POST the token to
        tokenTargetUrl. A refused token uninstalls the app again and raises InstallFailed."""
        manifest = httpx.get(manifest_url, timeout=10).json()
        check_manifest(manifest)
        pk = next(self._ids)
        app = FakeApp(gid("App", pk), manifest["id"], secrets.token_urlsafe(24),
                      permissions if permissions is not None else list(manifest["permissions"]),
                      list(manifest.get("webhooks") or ()))
        self.apps[app.id] = app
        response = httpx.post(manifest["tokenTargetUrl"], json={"auth_token": app.token}, timeout=15, headers={
            "Saleor-Domain": self.domain, "Saleor-Api-Url": self.api_url, "Saleor-Schema-Version": "3.24"})
        if response.status_code >= 400:
            del self.apps[app.id]
            raise InstallFailed(response)
        return app

    def delete_app(self, app: FakeApp) -> None:
        """Soft-delete (inactive at once) and tell the app itself with APP_DELETED, like Saleor 3.2x."""
        app.active = False
        self.emit("APP_DELETED", {"__typename": "AppDeleted", "app": {"id": app.id, "identifier": app.identifier}},
                  apps=[app])

    def add_app(self, permissions: list[str] | None = None, identifier: str = "saleor-returns") -> FakeApp:
        """An installed app without the install dance (for tests of the client alone)."""
        app = FakeApp(gid("App", next(self._ids)), identifier, secrets.token_urlsafe(24),
                      permissions if permissions is not None else ["MANAGE_ORDERS", "HANDLE_PAYMENTS"], [])
        self.apps[app.id] = app
        return app

    # --- webhooks -----------------------------------------------------------------------------
    def emit(self, event: str, payload: dict[str, Any], apps: list[FakeApp] | None = None) -> int:
        """Queue the event for every webhook subscribed to it: the app's own subscription query, executed
        against the schema on this payload, signed. Returns how many deliveries were queued."""
        queued = 0
        for app in apps or [a for a in self.apps.values() if a.active]:
            for hook in app.webhooks:
                if event not in hook.get("asyncEvents", ()) or not hook.get("isActive", True):
                    continue
                event_obj = {"issuedAt": iso(datetime.now(UTC)), "version": "3.24.0", "recipient": None,
                             "issuingPrincipal": None, **payload}
                result = execute(saleor_schema(), parse(hook["query"]), root_value={"event": event_obj})
                assert not result.errors, result.errors
                body = json.dumps(result.data["event"], default=_json).encode()
                self.outbox.append(Delivery(hook["targetUrl"], body, {
                    "Content-Type": "application/json", "Saleor-Event": event.lower(), "Saleor-Domain": self.domain,
                    "Saleor-Api-Url": self.api_url, "Saleor-Signature": self.sign(body)}))
                queued += 1
        return queued

    def emit_order(self, event: str, order: dict[str, Any]) -> int:
        kind = {"ORDER_REFUNDED": "OrderRefunded", "ORDER_FULLY_REFUNDED": "OrderFullyRefunded",
                "ORDER_UPDATED": "OrderUpdated", "ORDER_FULFILLED": "OrderFulfilled"}[event]
        return self.emit(event, {"__typename": kind, "order": order})

    def deliver(self) -> list[httpx.Response]:
        """POST every queued webhook (like Saleor's Celery workers), oldest first."""
        sent, self.outbox = self.outbox, []
        return [httpx.post(d.url, content=d.body, headers=d.headers, timeout=30) for d in sent]

    # --- the store's payment app --------------------------------------------------------------
    def staff_send_granted_refunds(self) -> int:
        """Staff click "refund" in the Dashboard on every granted refund that was never sent to the payment
        app (status NONE or FAILURE, which Saleor lets staff send); returns how many went to the payment app."""
        sent = 0
        for order in self.orders.values():
            for grant in order["grantedRefunds"]:
                if grant["status"] in ("NONE", "FAILURE"):
                    grant["status"] = "PENDING"
                    self.refund_requests.append(grant["id"])
                    sent += 1
        return sent

    def settle_refunds(self, status: str = "SUCCESS") -> int:
        """The payment app answers every pending refund request; Saleor emits ORDER_REFUNDED (and
        ORDER_FULLY_REFUNDED when nothing is left) for the refunds that went through, ORDER_UPDATED for those
        that failed (the charged amount went back up)."""
        settled = 0
        for order in self.orders.values():
            moved = failed = False
            for grant in order["grantedRefunds"]:
                if grant["status"] != "PENDING":
                    continue
                transaction = next(t for t in order["transactions"] if t["id"] == grant["transaction"]["id"])
                amount = grant["amount"]["amount"]
                transaction["refundPendingAmount"]["amount"] -= amount
                if status == "SUCCESS":  # Saleor: charged already went down with the request
                    transaction["refundedAmount"]["amount"] += amount
                    moved = True
                else:
                    transaction["chargedAmount"]["amount"] += amount
                    failed = True
                grant["status"] = status
                settled += 1
            if failed:
                self.emit_order("ORDER_UPDATED", order)
            if moved:
                self.emit_order("ORDER_REFUNDED", order)
                refunded = sum(t["refundedAmount"]["amount"] for t in order["transactions"])
                if refunded >= order["total"]["gross"]["amount"]:
                    self.emit_order("ORDER_FULLY_REFUNDED", order)
        return settled


class InstallFailed(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"install failed: {response.status_code} {response.text}")
        self.response = response


def check_manifest(manifest: dict[str, Any]) -> None:
    """What Saleor checks before it installs an app (manifest_validations.py), as far as the app uses it."""
    schema = saleor_schema()
    for required in ("id", "name", "version", "tokenTargetUrl"):
        assert manifest.get(required), f"manifest: {required} is required"
    known = set(schema.get_type("PermissionEnum").values)  # type: ignore[union-attr]
    assert set(manifest["permissions"]) <= known - {"MANAGE_APPS"}, manifest["permissions"]
    events = set(schema.get_type("WebhookEventTypeAsyncEnum").values)  # type: ignore[union-attr]
    for hook in manifest.get("webhooks") or ():
        assert hook["name"] and hook["targetUrl"].startswith(("http://", "https://")), hook
        assert set(hook["asyncEvents"]) <= events, hook["asyncEvents"]
        document = parse(hook["query"])
        assert not validate(schema, document), validate(schema, document)
        assert all(d.operation.value == "subscription" for d in document.definitions
                   if isinstance(d, OperationDefinitionNode)), "a webhook query is a subscription"
    for ext in manifest.get("extensions") or ():
        assert ext["mount"] in MOUNTS and ext.get("target", "POPUP") in TARGETS, ext
        assert set(ext.get("permissions") or ()) <= set(manifest["permissions"]), ext
        if ext.get("target") == "APP_PAGE":
            assert ext["url"].startswith("/"), "an APP_PAGE extension has a relative URL (Saleor 3.20)"


class Root(ExchangeRoot):
    """Root query and mutation fields the app uses; the rest of Saleor's schema answers null."""

    def __init__(self, fake: FakeSaleor, caller: FakeApp | None, customer: FakeCustomer | None = None) -> None:
        self.fake, self.caller, self.customer = fake, caller, customer

    def _need(self, permission: str | None = None) -> FakeApp:
        if self.caller is None or (permission and permission not in self.caller.permissions):
            raise PermissionDenied(f"You need one of the following permissions: {permission or 'AUTHENTICATED_APP'}")
        return self.caller

    # queries
    def app(self, info: Any, id: str | None = None) -> dict[str, Any]:  # noqa: A002
        app = self._need()
        return {"id": app.id, "identifier": app.identifier, "name": app.identifier,
                "permissions": [{"code": p, "name": p} for p in app.permissions]}

    def shop(self, info: Any) -> dict[str, Any]:
        """The sender fields need MANAGE_SETTINGS (as in Saleor); the name needs nothing."""
        asked = {s.name.value for node in info.field_nodes for s in node.selection_set.selections}
        if asked & {"defaultMailSenderName", "defaultMailSenderAddress"}:
            self._need("MANAGE_SETTINGS")
        return dict(self.fake.shop)

    def order(self, info: Any, id: str | None = None, externalReference: str | None = None) -> Any:  # noqa: A002, N803
        self._need("MANAGE_ORDERS")
        if externalReference is not None:
            return next((o for o in self.fake.orders.values() if o.get("_external") == externalReference), None)
        return self.fake.orders.get(id or "")

    def orders(self, info: Any, filter: dict[str, Any] | None = None, first: int | None = None,  # noqa: A002
               **_: Any) -> dict[str, Any]:
        self._need("MANAGE_ORDERS")
        numbers = set((filter or {}).get("numbers") or ())
        ids = set((filter or {}).get("ids") or ())
        found = [o for o in self.fake.orders.values()
                 if (not numbers or o["number"] in numbers) and (not ids or o["id"] in ids)]
        return _connection(found, first)

    def me(self, info: Any) -> dict[str, Any] | None:
        """The signed-in customer, with their orders (Saleor: orders whose user is them)."""
        who = self.customer
        if who is None:
            return None
        mine = [o for o in self.fake.orders.values() if o["user"] and o["user"]["id"] == who.user_id]
        return {"id": who.user_id, "email": who.email,
                "orders": lambda info, first=None, **_: _connection(mine, first)}

    # federation (saleor/graphql/core/federation/schema.py)
    def _service(self, info: Any) -> dict[str, str]:
        return {"sdl": saleor_subgraph_sdl()}

    def _entities(self, info: Any, representations: list[dict[str, Any]]) -> list[Any]:
        """Orders by id, for callers who may see them (MANAGE_ORDERS: all; a customer: their own); null
        otherwise. Only `Order` is served here."""
        out: list[Any] = []
        for rep in representations:
            if rep.get("__typename") != "Order":
                raise GraphQLError("Invalid value or unsupported model for __typename")
            order = self.fake.orders.get(rep.get("id") or "")
            out.append(order if order is not None and self._may_see(order) else None)
        return out

    def _may_see(self, order: dict[str, Any]) -> bool:
        if self.caller is not None:
            return "MANAGE_ORDERS" in self.caller.permissions
        return self.customer is not None and bool(order["user"]) and order["user"]["id"] == self.customer.user_id

    def channel(self, info: Any, id: str | None = None, slug: str | None = None) -> Any:  # noqa: A002
        return self.fake.channels.get(slug or "")

    def channels(self, info: Any) -> list[dict[str, Any]]:
        self._need()
        return list(self.fake.channels.values())

    # mutations
    def orderFulfillmentReturnProducts(self, info: Any, order: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        self._need("MANAGE_ORDERS")
        o = self.fake.orders.get(order)
        if o is None:
            return _errors("NOT_FOUND", "order")
        assert input.get("refund") is False, "the app must not refund through the legacy payments API"
        moved = []
        for item in input.get("fulfillmentLines") or ():
            line = next((fl for f in o["fulfillments"] if f["status"] == "FULFILLED" for fl in f["lines"]
                         if fl["id"] == item["fulfillmentLineId"]), None)
            if line is None or item["quantity"] > line["quantity"]:
                return _errors("INVALID_QUANTITY", "fulfillmentLines")
            line["quantity"] -= item["quantity"]
            moved.append({"id": gid("FulfillmentLine", f"r{next(self.fake._ids)}"), "quantity": item["quantity"],
                          "orderLine": line["orderLine"], "reason": item.get("reason")})
        for f in o["fulfillments"]:
            f["lines"] = [fl for fl in f["lines"] if fl["quantity"] > 0]
        returned = {"id": gid("Fulfillment", f"r{next(self.fake._ids)}"), "status": "RETURNED",
                    "created": iso(datetime.now(UTC)), "lines": moved, "reason": input.get("reason")}
        o["fulfillments"].append(returned)
        o["events"].append({"type": "FULFILLMENT_RETURNED", "message": None})
        return {"returnFulfillment": returned, "errors": []}

    def orderNoteAdd(self, info: Any, order: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        self._need("MANAGE_ORDERS")
        o = self.fake.orders.get(order)
        if o is None:
            return _errors("NOT_FOUND", "order")
        event = {"id": gid("OrderEvent", next(self.fake._ids)), "type": "NOTE_ADDED", "message": input["message"]}
        o["events"].append(event)
        return {"order": o, "event": event, "errors": []}

    def updatePrivateMetadata(self, info: Any, id: str, input: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N802, A002
        self._need("MANAGE_ORDERS")
        o = self.fake.orders.get(id)
        if o is None:
            return _errors("NOT_FOUND", "id")
        for item in input:
            o["_private"][item["key"]] = item["value"]
        return {"item": None, "errors": []}

    def orderGrantRefundCreate(self, info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        self._need("MANAGE_ORDERS")
        o = self.fake.orders.get(id)
        if o is None:
            return _errors("NOT_FOUND", "id")
        transaction = next((t for t in o["transactions"] if t["id"] == input["transactionId"]), None)
        if transaction is None:
            return _errors("NOT_FOUND", "transactionId")
        amount = Decimal(str(input["amount"])) if input.get("amount") is not None else None
        if amount is not None and amount > transaction["chargedAmount"]["amount"]:
            return _errors("AMOUNT_GREATER_THAN_AVAILABLE", "amount")
        granted: dict[str, int] = {}
        for grant in o["grantedRefunds"]:
            for gl in grant.get("lines") or ():
                granted[gl["orderLine"]["id"]] = granted.get(gl["orderLine"]["id"], 0) + gl["quantity"]
        lines = []
        for item in input.get("lines") or ():
            line = next((ln for ln in o["lines"] if ln["id"] == item["id"]), None)
            if line is None or item["quantity"] + granted.get(item["id"], 0) > line["quantity"]:
                return _errors("INVALID", "lines")
            lines.append({"id": gid("OrderGrantedRefundLine", next(self.fake._ids)), "quantity": item["quantity"],
                          "orderLine": line, "reason": item.get("reason")})
        if amount is None:
            amount = sum((ln["orderLine"]["unitPrice"]["gross"]["amount"] * ln["quantity"] for ln in lines),
                         Decimal(0))
        grant = {"id": gid("OrderGrantedRefund", next(self.fake._ids)), "status": "NONE",
                 "reason": input.get("reason"), "amount": money(amount, transaction["chargedAmount"]["currency"]),
                 "transaction": transaction, "lines": lines, "createdAt": iso(datetime.now(UTC)),
                 "updatedAt": iso(datetime.now(UTC)),
                 "shippingCostsIncluded": bool(input.get("grantRefundForShipping"))}
        o["grantedRefunds"].append(grant)
        return {"order": o, "grantedRefund": grant, "errors": []}

    def orderGrantRefundUpdate(self, info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        self._need("MANAGE_ORDERS")
        for o in self.fake.orders.values():
            for grant in o["grantedRefunds"]:
                if grant["id"] != id:
                    continue
                if grant["status"] in ("PENDING", "SUCCESS") and set(input) - {"reason"}:
                    return _errors("INVALID", "input")  # Saleor: only the reason, once sent
                if "reason" in input:
                    grant["reason"] = input["reason"]
                return {"order": o, "grantedRefund": grant, "errors": []}
        return _errors("NOT_FOUND", "id")

    def transactionRequestRefundForGrantedRefund(self, info: Any, grantedRefundId: str, id: str | None = None,  # noqa: N802, N803, A002
                                                 token: str | None = None) -> dict[str, Any]:
        self._need("HANDLE_PAYMENTS")
        for o in self.fake.orders.values():
            for grant in o["grantedRefunds"]:
                if grant["id"] != grantedRefundId:
                    continue
                if grant["status"] == "PENDING":
                    return _errors("REFUND_IS_PENDING", "grantedRefundId")
                if grant["status"] == "SUCCESS":
                    return _errors("REFUND_ALREADY_PROCESSED", "grantedRefundId")
                if self.fake.no_payment_app:  # Saleor: no app handles TRANSACTION_REFUND_REQUESTED
                    grant["status"] = "FAILURE"  # and the grant is marked failed
                    return _errors("MISSING_TRANSACTION_ACTION_REQUEST_WEBHOOK", "id")
                transaction, amount = grant["transaction"], grant["amount"]["amount"]
                if transaction["chargedAmount"]["amount"] < amount:
                    return _errors("AMOUNT_GREATER_THAN_AVAILABLE", "grantedRefundId")
                grant["status"] = "PENDING"  # Saleor takes a requested refund off the charged amount at once
                transaction["refundPendingAmount"]["amount"] += amount
                transaction["chargedAmount"]["amount"] -= amount
                self.fake.refund_requests.append(grant["id"])
                return {"transaction": grant["transaction"], "errors": []}
        return _errors("NOT_FOUND", "grantedRefundId")


def _connection(nodes: list[dict[str, Any]], first: int | None) -> dict[str, Any]:
    page = nodes[:first] if first is not None else nodes
    return {"edges": [{"node": o, "cursor": o["id"]} for o in page],
            "pageInfo": {"hasNextPage": len(page) < len(nodes), "hasPreviousPage": False}, "totalCount": len(nodes)}


def _errors(code: str, field_name: str) -> dict[str, Any]:
    return {"errors": [{"field": field_name, "message": f"{field_name}: {code}", "code": code}]}


def _error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    code = type(original).__name__ if original is not None else "GraphQLError"
    out: dict[str, Any] = {"message": error.message, "extensions": {"exception": {"code": code}}}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    return out


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)  # Saleor's Money.amount is a Float on the wire
    raise TypeError(type(value).__name__)


class ReturnsApp:
    """The returns app on loopback, wired for Saleor tenants (refunds through Saleor unless told otherwise)."""

    def __init__(self, settings: Any, orders: Any, clock: Any, refunds: Any = None, carrier: Any = None) -> None:
        from saleor_returns.bootstrap import build
        from saleor_returns.web.app import create_app

        holder: dict[str, Any] = {}

        def make_app() -> Any:
            holder["wiring"] = build(settings, orders, refunds=refunds, clock=clock, carrier=carrier)
            return create_app(holder["wiring"].deps)

        self.server = ServerThread(make_app).start()
        self.wiring = holder["wiring"]
        self.http = httpx.Client(base_url=self.server.url, timeout=30)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def deps(self) -> Any:
        return self.wiring.deps

    def run(self, coro: Any) -> Any:
        return self.server.call(coro)

    def gql(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
            headers: dict[str, str] | None = None) -> dict[str, Any]:
        """POST /graphql; the whole body (data and errors)."""
        sent = dict(headers or {})
        if token:
            sent["authorization"] = f"Bearer {token}"
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=sent)
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.http.close()
        self.server.call(self.wiring.close())
        self.server.stop()
