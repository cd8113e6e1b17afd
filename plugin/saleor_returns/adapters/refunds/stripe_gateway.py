"""Refunds through Stripe: stripe-python's StripeClient (v1 services), exactly once by idempotency key.

One refund = one `POST /v1/refunds` for the order's payment intent, with the amount in Stripe's
minor units, our metadata, and the idempotency key of our refund row. The library retries
network errors, 409 and 5xx with that same key (`max_network_retries`); a 429 is not retried by
the library, so we back off here and ask again with the same key. Whatever is still unanswered
comes back as PENDING + retryable and the worker tries later, still with the same key.
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import stripe
from stripe import RequestOptions
from stripe.params import RefundCreateParams, RefundListParams

from ...domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from ...ports import ProviderRefund, UpstreamUnavailable
from ...settings import STRIPE_DEFAULT_API_BASE, Settings
from .stripe_objects import outcome_of, provider_refund
from .stripe_units import UnrepresentableAmount, to_minor

log = logging.getLogger(__name__)
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[Any]]
MAX_RATE_LIMIT_DELAY = 30.0  # seconds; longer waits are the worker's job (it backs off in minutes)


class StripeRefundGateway:
    """Implements ports.RefundGateway and ports.RefundLedger against the Stripe API (or a local peer)."""

    name = "stripe"

    def __init__(self, api_key: str, *, api_base: str = STRIPE_DEFAULT_API_BASE, timeout: float = 30.0,
                 max_network_retries: int = 2, rate_limit_retries: int = 3, rate_limit_delay: float = 1.0,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.api_key = api_key
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self.max_network_retries = max_network_retries
        self.rate_limit_retries = rate_limit_retries
        self.rate_limit_delay = rate_limit_delay
        self._sleep = sleep
        # an httpx pool belongs to the event loop that opened it: one client per loop
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                                 tuple[stripe.StripeClient, stripe.HTTPXClient]] = \
            weakref.WeakKeyDictionary()

    @classmethod
    def from_settings(cls, settings: Settings) -> "StripeRefundGateway":
        """The gateway RETURNS_REFUND_GATEWAY=stripe selects (settings already checked)."""
        assert settings.stripe_api_key, "Settings.check_stripe() guarantees a key"
        return cls(settings.stripe_api_key, api_base=settings.stripe_api_base,
                   timeout=settings.stripe_timeout_seconds, max_network_retries=settings.stripe_max_network_retries)

    def client(self) -> stripe.StripeClient:
        """The StripeClient of the running event loop."""
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            http = stripe.HTTPXClient(timeout=self.timeout)
            self._clients[loop] = (stripe.StripeClient(self.api_key, base_addresses={"api": self.api_base},
                                                       max_network_retries=self.max_network_retries,
                                                       http_client=http), http)
        return self._clients[loop][0]

    # --- RefundGateway --------------------------------------------------------------------------
    async def refund(self, command: RefundCommand) -> RefundOutcome:
        """Create the refund (or find the one Stripe already has for it). Never raises for Stripe errors."""
        started = time.perf_counter()
        try:
            refund = await self._existing(command) or await self._create(command)
            outcome = outcome_of(refund)
        except UnrepresentableAmount as exc:
            outcome = RefundOutcome(RefundStatus.FAILED, failure_code="amount_not_supported", failure_message=str(exc))
        except stripe.StripeError as err:
            outcome = outcome_for_error(err)
        log.info("stripe refund", extra={
            "refund_id": command.refund_id, "idempotency_key": command.idempotency_key,
            "payment_intent": command.psp_reference, "attempt": command.attempt, "status": outcome.status.value,
            "stripe_refund": outcome.psp_reference, "failure_code": outcome.failure_code,
            "retryable": outcome.retryable, "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        return outcome

    async def _existing(self, command: RefundCommand) -> dict[str, Any] | None:
        """A refund Stripe already holds for this command: by its id once known, else (on a later attempt)
        by our refund id in the metadata, which still finds it after the idempotency key has expired."""
        if command.provider_refund_id:
            refund_id = command.provider_refund_id
            return (await self._request(lambda c: c.v1.refunds.retrieve_async(refund_id))).to_dict()
        if command.attempt == 0:
            return None
        for refund in await self._list(command.psp_reference):
            if (refund.get("metadata") or {}).get("refund_id") == command.refund_id:
                return refund
        return None

    async def _create(self, command: RefundCommand) -> dict[str, Any]:
        params: RefundCreateParams = {"amount": to_minor(command.amount), "metadata": refund_metadata(command)}
        if _is_charge(command.psp_reference):
            params["charge"] = command.psp_reference
        else:
            params["payment_intent"] = command.psp_reference
        options: RequestOptions = {"idempotency_key": command.idempotency_key}
        refund = await self._request(lambda c: c.v1.refunds.create_async(params=params, options=options))
        return refund.to_dict()

    # --- RefundLedger ---------------------------------------------------------------------------
    async def list_refunds(self, payment_reference: str) -> list[ProviderRefund]:
        """Every refund Stripe holds for one payment intent (or charge)."""
        try:
            return [provider_refund(r) for r in await self._list(payment_reference)]
        except stripe.StripeError as err:
            raise UpstreamUnavailable(f"Stripe: cannot list refunds of {payment_reference}: {_detail(err)}") from err

    async def _list(self, payment_reference: str) -> list[dict[str, Any]]:
        params: RefundListParams = {"limit": 100}
        if _is_charge(payment_reference):
            params["charge"] = payment_reference
        else:
            params["payment_intent"] = payment_reference
        page = await self._request(lambda c: c.v1.refunds.list_async(params=params))
        return [r.to_dict() async for r in page.auto_paging_iter()]

    # --- one request, with our own backoff on 429 -----------------------------------------------
    async def _request(self, send: Callable[[stripe.StripeClient], Awaitable[T]]) -> T:
        for attempt in range(self.rate_limit_retries + 1):
            try:
                return await send(self.client())
            except stripe.RateLimitError as err:
                if attempt == self.rate_limit_retries:
                    raise
                delay = self._rate_limit_pause(attempt, err)
                log.warning("stripe rate limit, backing off", extra={"delay_s": round(delay, 3), "attempt": attempt,
                                                                      "request_id": err.request_id})
                await self._sleep(delay)
        raise AssertionError("unreachable")

    def _rate_limit_pause(self, attempt: int, err: stripe.RateLimitError) -> float:
        """Exponential with jitter (so many workers do not come back together), at least Retry-After."""
        delay = self.rate_limit_delay * (2 ** attempt) * random.uniform(0.75, 1.0)
        retry_after = err.headers.get("retry-after") if err.headers else None
        if retry_after and str(retry_after).isdigit():
            delay = max(delay, float(retry_after))
        return min(delay, MAX_RATE_LIMIT_DELAY)

    async def close(self) -> None:
        """Close the HTTP pool of the running loop (others close with their loops)."""
        pair = self._clients.pop(asyncio.get_running_loop(), None)
        if pair is not None:
            await pair[1].close_async()


def refund_metadata(command: RefundCommand) -> dict[str, str]:
    """What a refund carries in Stripe so people (and reconciliation) can tell whose it is."""
    return {"return_number": command.return_number, "order_id": command.order_id, "tenant": command.tenant,
            "refund_id": command.refund_id, **command.metadata}


def _is_charge(payment_reference: str) -> bool:
    # Saleor's Stripe app stores the payment intent; older payments may name the charge
    return payment_reference.startswith(("ch_", "py_"))


def _detail(err: stripe.StripeError) -> str:
    code = getattr(err, "code", None)
    parts = [err.user_message or type(err).__name__]
    if code:
        parts.append(f"code {code}")
    if err.http_status:
        parts.append(f"HTTP {err.http_status}")
    if err.request_id:
        parts.append(f"request {err.request_id}")
    return "; ".join(parts)


# (error class, our failure code, retryable) in the order they are tested: subclasses first
_ERRORS: tuple[tuple[type[stripe.StripeError], str, bool], ...] = (
    (stripe.CardError, "card_declined", False),
    (stripe.IdempotencyError, "idempotency_conflict", False),
    (stripe.InvalidRequestError, "invalid_request", False),
    (stripe.AuthenticationError, "authentication_failed", False),
    (stripe.PermissionError, "permission_denied", False),
    (stripe.RateLimitError, "rate_limited", True),
    (stripe.APIConnectionError, "network", True),
)


def _classify(err: stripe.StripeError) -> tuple[str, bool]:
    for cls, code, retryable in _ERRORS:
        if isinstance(err, cls):
            return code, retryable
    status = err.http_status  # a bare APIError: 409 (key in use), 5xx, or something new
    retryable = status is None or status >= 500 or status == 409
    return ("provider_unavailable" if retryable else "provider_error"), retryable


def outcome_for_error(err: stripe.StripeError) -> RefundOutcome:
    """Every Stripe error as a RefundOutcome: FAILED with a code people can act on, or PENDING + retryable
    when trying again with the same key may help (network, 409, 5xx, 429, anything we do not know)."""
    code, retryable = _classify(err)
    detail = _detail(err)
    if isinstance(err, stripe.IdempotencyError):
        detail += " (Stripe already holds a different request under this refund's key: check Stripe before retrying)"
    if retryable:
        return RefundOutcome(RefundStatus.PENDING, failure_code=code, failure_message=detail, retryable=True)
    return RefundOutcome(RefundStatus.FAILED, failure_code=code, failure_message=detail)
