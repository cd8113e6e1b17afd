"""A small Stripe on loopback, for what localstripe cannot do: faults, idempotency, pending and failed
refunds, signed webhooks. It follows Stripe's documented behaviour where the tests depend on it:

* `POST /v1/refunds` (form-encoded `payment_intent` or `charge`, `amount`, `metadata[...]`),
  `GET /v1/refunds/{id}`, `GET /v1/refunds?payment_intent=...`; errors as
  `{"error": {"type", "code", "message", "param"}}` with a `Request-Id` header; 401 without the key.
* Idempotency: the first response for a key (status and body) is saved and replayed for the same
  key and the same parameters (`Idempotent-Replayed: true`); the same key with other parameters is
  400 `idempotency_error`; the same key while the first request still runs is 409
  `idempotency_key_in_use`; requests refused before they execute (validation, 5xx, 429) save nothing.
* Webhooks: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}.{payload}")>`.

Faults are queued for the next refund creations: `fail_next(500)`, `fail_next(429, times=2)`,
`delay_next(seconds)` (execute, then answer late: the client times out and retries with its key),
`hold_next()` (execute, then never answer until `release()`: the caller can be killed meanwhile),
`decline_next()` (402 card_declined). `outcome_next("pending")` sets the status of the next refund.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from saleor_returns.adapters.demo.orders_file import DemoStore
from saleor_returns.adapters.refunds.stripe_gateway import StripeRefundGateway
from saleor_returns.adapters.refunds.stripe_units import to_minor
from saleor_returns.settings import Settings

from .app_runner import running_app
from .clock import FrozenClock
from .server import ServerThread

API_KEY = "sk_test_fake_0123456789"
WEBHOOK_SECRET = "whsec_test_fake_0123456789"


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send for `payload`."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def form(body: bytes) -> dict[str, Any]:
    """Stripe's form encoding (`metadata[key]=value`) back into a dict, one level deep."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        if "[" in key and key.endswith("]"):
            outer, inner = key[:-1].split("[", 1)
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out


@dataclass
class Seen:
    """One request the fake received."""

    method: str
    path: str
    idempotency_key: str | None
    params: dict[str, Any]
    status: int = 0
    replayed: bool = False


@dataclass
class Fault:
    kind: str  # status | delay | hold | decline
    status: int = 0
    seconds: float = 0.0
    release: threading.Event = field(default_factory=threading.Event)
    reached: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Saved:
    fingerprint: str
    status: int = 0
    body: dict[str, Any] | None = None  # None while the first request still runs


class FakeStripe:
    def __init__(self, api_key: str = API_KEY, webhook_secret: str = WEBHOOK_SECRET) -> None:
        self.api_key, self.webhook_secret = api_key, webhook_secret
        self.url = ""
        self.webhook_url: str | None = None
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.requests: list[Seen] = []
        self.faults: deque[Fault] = deque()
        self.outcomes: deque[tuple[str, str | None]] = deque()
        self.sent_events: list[dict[str, Any]] = []
        self._saved: dict[str, _Saved] = {}
        self._held: list[Fault] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.app = Starlette(routes=[
            Route("/v1/refunds", self._create_refund, methods=["POST"]),
            Route("/v1/refunds", self._list_refunds, methods=["GET"]),
            Route("/v1/refunds/{refund_id}", self._retrieve_refund, methods=["GET"]),
        ])

    # --- setting the scene ------------------------------------------------------------------------
    def add_payment_intent(self, amount: int, currency: str, pi_id: str | None = None) -> str:
        """A captured payment intent of `amount` minor units."""
        pi_id = pi_id or f"pi_{secrets.token_hex(8)}"
        self.payment_intents[pi_id] = {"id": pi_id, "amount": amount, "currency": currency.lower(),
                                       "latest_charge": f"ch_{secrets.token_hex(8)}", "status": "succeeded"}
        return pi_id

    def fail_next(self, status: int, times: int = 1) -> None:
        self.faults.extend(Fault("status", status=status) for _ in range(times))

    def delay_next(self, seconds: float) -> None:
        self.faults.append(Fault("delay", seconds=seconds))

    def hold_next(self) -> Fault:
        fault = Fault("hold")
        self.faults.append(fault)
        return fault

    def decline_next(self) -> None:
        self.faults.append(Fault("decline", status=402))

    def outcome_next(self, status: str, failure_reason: str | None = None) -> None:
        self.outcomes.append((status, failure_reason))

    def release(self) -> None:
        """Let held responses go (at teardown, or to finish a held request)."""
        for fault in self._held:
            fault.release.set()

    # --- what the tests look at ---------------------------------------------------------------------
    def creates(self, pi_id: str | None = None) -> list[Seen]:
        """Refund creations received (for one payment intent), replays and refusals included."""
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/refunds"
                and (pi_id is None or r.params.get("payment_intent") == pi_id)]

    def refunds_of(self, pi_id: str) -> list[dict[str, Any]]:
        return [r for r in self.refunds.values() if r["payment_intent"] == pi_id]

    # --- webhooks -----------------------------------------------------------------------------------
    def event(self, type_: str, refund: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"id": f"evt_{secrets.token_hex(12)}", "object": "event", "api_version": "2025-09-30.clover",
                "created": int(time.time()), "type": type_, "livemode": False, "pending_webhooks": 1,
                "data": {"object": dict(refund), "previous_attributes": previous or {}},
                "request": {"id": None, "idempotency_key": None}}

    def deliver(self, event: dict[str, Any], *, secret: str | None = None, timestamp: int | None = None,
                signature: str | None = None) -> httpx.Response:
        """POST `event` to the app's webhook URL, signed like Stripe (or with what the test says)."""
        assert self.webhook_url, "set fake.webhook_url to the app's /webhooks/stripe"
        payload = json.dumps(event)
        header = signature if signature is not None else sign(payload, secret or self.webhook_secret, timestamp)
        self.sent_events.append(event)
        return httpx.post(self.webhook_url, content=payload, timeout=30,
                          headers={"content-type": "application/json", "stripe-signature": header})

    def settle(self, refund_id: str, status: str, failure_reason: str | None = None) -> httpx.Response:
        """Stripe moves a refund on (pending → succeeded, succeeded → failed, ...) and tells the app."""
        refund = self.refunds[refund_id]
        previous = {"status": refund["status"]}
        refund["status"] = status
        if failure_reason:
            refund["failure_reason"] = failure_reason
            refund["failure_balance_transaction"] = f"txn_{secrets.token_hex(8)}"
        type_ = "refund.failed" if status == "failed" else "refund.updated"
        return self.deliver(self.event(type_, refund, previous))

    # --- the API ------------------------------------------------------------------------------------
    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def _error(self, status: int, type_: str, message: str, code: str | None = None, param: str | None = None,
               **extra: Any) -> tuple[int, dict[str, Any]]:
        error = {"type": type_, "message": message, **extra}
        if code:
            error["code"] = code
        if param:
            error["param"] = param
        return status, {"error": error}

    def _respond(self, seen: Seen, status: int, body: dict[str, Any], replayed: bool = False) -> Response:
        seen.status, seen.replayed = status, replayed
        headers = {"request-id": f"req_{secrets.token_hex(7)}"}
        if replayed:
            headers["idempotent-replayed"] = "true"
        return JSONResponse(body, status_code=status, headers=headers)

    async def _create_refund(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key")
        seen = Seen("POST", "/v1/refunds", key, form(await request.body()))
        self.requests.append(seen)
        if not self._authorised(request):
            return self._respond(seen, *self._error(401, "invalid_request_error", "Invalid API Key provided"))
        fault = self.faults.popleft() if self.faults else None
        if fault and fault.kind == "status":  # refused before it executes: nothing saved
            return self._respond(seen, *self._fault_error(fault.status))
        fingerprint = json.dumps(seen.params, sort_keys=True)
        with self._lock:
            saved = self._saved.get(key) if key else None
            if saved is None and key:
                self._saved[key] = _Saved(fingerprint)
        if saved is not None:
            return self._replay(seen, key or "", saved, fingerprint)
        status, body = self._execute(seen.params, fault)
        if key:
            self._save_or_forget(key, status, body)
        await self._late(fault)
        return self._respond(seen, status, body)

    def _replay(self, seen: Seen, key: str, saved: _Saved, fingerprint: str) -> Response:
        if saved.fingerprint != fingerprint:
            return self._respond(seen, *self._error(
                400, "idempotency_error", f"Keys for idempotent requests can only be used with the same parameters "
                                          f"they were first used with. Try using a key other than '{key}' if you "
                                          f"meant to execute a different request."))
        if saved.body is None:
            return self._respond(seen, *self._error(
                409, "invalid_request_error", "There is currently another in-progress request using this "
                                              "Stripe-Idempotency-Key header. Please try again later.",
                code="idempotency_key_in_use"))
        return self._respond(seen, saved.status, saved.body, replayed=True)

    def _save_or_forget(self, key: str, status: int, body: dict[str, Any]) -> None:
        with self._lock:
            if status in (400, 404):  # failed validation: Stripe saves no result for it
                self._saved.pop(key, None)
            else:
                self._saved[key].status, self._saved[key].body = status, body

    async def _late(self, fault: Fault | None) -> None:
        if fault and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
        if fault and fault.kind == "hold":
            self._held.append(fault)
            fault.reached.set()
            while not fault.release.is_set():
                await asyncio.sleep(0.05)

    def _fault_error(self, status: int) -> tuple[int, dict[str, Any]]:
        if status == 429:
            return self._error(429, "invalid_request_error", "Too many requests hit the API too quickly.",
                               code="rate_limit")
        return self._error(status, "api_error", "Something went wrong on Stripe's end.")

    def _execute(self, params: dict[str, Any], fault: Fault | None) -> tuple[int, dict[str, Any]]:
        pi_id = params.get("payment_intent")
        pi = self.payment_intents.get(pi_id or "")
        if pi is None:
            return self._error(404, "invalid_request_error", f"No such payment_intent: '{pi_id}'",
                               code="resource_missing", param="payment_intent")
        left = pi["amount"] - sum(r["amount"] for r in self.refunds_of(pi["id"])
                                  if r["status"] not in ("failed", "canceled"))
        amount = int(params.get("amount", left))
        if amount > left:
            return self._error(400, "invalid_request_error", f"Refund amount ({amount}) is greater than unrefunded "
                                                             f"amount on charge ({left})", code="amount_too_large",
                               param="amount")
        if fault and fault.kind == "decline":
            return self._error(402, "card_error", "Your card was declined.", code="card_declined",
                               decline_code="generic_decline")
        return 200, self._new_refund(pi, amount, params.get("metadata") or {})

    def _new_refund(self, pi: dict[str, Any], amount: int, metadata: dict[str, str]) -> dict[str, Any]:
        status, failure_reason = self.outcomes.popleft() if self.outcomes else ("succeeded", None)
        refund = {"id": f"re_{next(self._ids):04d}{secrets.token_hex(6)}", "object": "refund", "amount": amount,
                  "currency": pi["currency"], "payment_intent": pi["id"], "charge": pi["latest_charge"],
                  "created": int(time.time()), "metadata": dict(metadata), "reason": None, "status": status,
                  "balance_transaction": f"txn_{secrets.token_hex(8)}"}
        if failure_reason:
            refund["failure_reason"] = failure_reason
        self.refunds[refund["id"]] = refund
        return dict(refund)

    async def _retrieve_refund(self, request: Request) -> Response:
        seen = Seen("GET", request.url.path, None, dict(request.query_params))
        self.requests.append(seen)
        if not self._authorised(request):
            return self._respond(seen, *self._error(401, "invalid_request_error", "Invalid API Key provided"))
        refund = self.refunds.get(request.path_params["refund_id"])
        if refund is None:
            return self._respond(seen, *self._error(404, "invalid_request_error", "No such refund",
                                                    code="resource_missing", param="id"))
        return self._respond(seen, 200, dict(refund))

    async def _list_refunds(self, request: Request) -> Response:
        seen = Seen("GET", "/v1/refunds", None, dict(request.query_params))
        self.requests.append(seen)
        if not self._authorised(request):
            return self._respond(seen, *self._error(401, "invalid_request_error", "Invalid API Key provided"))
        pi_id = request.query_params.get("payment_intent")
        data = sorted(self.refunds_of(pi_id or ""), key=lambda r: r["created"], reverse=True)
        return self._respond(seen, 200, {"object": "list", "url": "/v1/refunds", "has_more": False,
                                         "data": [dict(r) for r in data]})


# --- fixtures (registered for every test module by tests/conftest.py) ---------------------------------

@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """The fake Stripe on a loopback port, for one test."""
    fake = FakeStripe()
    server = ServerThread(lambda: fake.app).start()
    fake.url = server.url
    try:
        yield fake
    finally:
        fake.release()
        server.stop()


def gateway_for(fake: FakeStripe, **kwargs: Any) -> StripeRefundGateway:
    """Our Stripe gateway pointed at the fake, with short waits so failure tests stay fast."""
    options: dict[str, Any] = {"api_base": fake.url, "timeout": 2.0, "max_network_retries": 2,
                               "rate_limit_delay": 0.05, **kwargs}
    return StripeRefundGateway(options.pop("api_key", fake.api_key), **options)


def stripe_settings(settings: Settings, fake: FakeStripe, **changes: Any) -> Settings:
    return replace(settings, refund_gateway="stripe", stripe_api_key=fake.api_key, stripe_api_base=fake.url,
                   stripe_webhook_secret=fake.webhook_secret, **changes)


@pytest.fixture
def stripe_app(settings: Settings, demo_store: DemoStore, demo_policies: dict, clock: FrozenClock,
               fake_stripe: FakeStripe) -> Iterator[Any]:
    """The demo store's app refunding through our Stripe gateway into the fake, which knows every demo
    payment intent; `fake_stripe.webhook_url` points at the app."""
    for order in demo_store.orders.values():
        for payment in order.payments:
            fake_stripe.add_payment_intent(to_minor(payment.charged), payment.charged.currency, payment.psp_reference)
    with running_app(stripe_settings(settings, fake_stripe), demo_store, demo_policies, gateway_for(fake_stripe),
                     clock) as app:
        fake_stripe.webhook_url = f"{app.server.url}/webhooks/stripe"
        yield app


def keep_item_orders(payment_intents: list[str], amount: str = "10.00", shipping: str = "0.00",
                     prefix: str = "K") -> dict[str, Any]:
    """An orders file (the demo format) with one cheap, fulfilled order per payment intent (line `amount` plus
    `shipping`): order ORD-K<i>, line L-K<i>, shopper shopper<i>@example.com (K = `prefix`). Under the demo
    policy every one is a keep-item refund."""
    charged = str(Decimal(amount) + Decimal(shipping))

    def order(i: int, pi: str) -> dict[str, Any]:
        return {"id": f"ORD-{prefix}{i}", "number": f"{prefix}{i}", "channel": "default-channel", "currency": "USD",
                "createdAt": "-3d", "userEmail": f"shopper{i}@example.com", "shippingPriceGross": shipping,
                "lines": [{"id": f"L-{prefix}{i}", "productName": "USB-C Cable", "sku": "USBC-1M",
                           "product": "usb-c-cable", "productType": "Accessories", "category": "Cables",
                           "quantity": 1, "unitPriceGross": amount}],
                "fulfillments": [{"id": f"F-{prefix}{i}", "createdAt": "-2d",
                                  "lines": [{"orderLineId": f"L-{prefix}{i}", "quantity": 1}]}],
                "payments": [{"pspReference": pi, "gateway": "stripe", "chargedAmount": charged}]}

    return {"channels": [{"slug": "default-channel", "currency": "USD", "timezone": "America/New_York"}],
            "orders": [order(i, pi) for i, pi in enumerate(payment_intents)]}
