"""Rate limits where guessing is possible (docs/operations.md, "Rate limits").

Shopper look-ups (an order by id or number, a return by id, with an e-mail) and requestReturn are counted per
client address and per order or return, so neither many orders from one address nor many e-mails against one
order can be tried quickly. Every request that carries a bearer token is also counted per token (staff, signed-in
shoppers). The store's own admin and owner tokens are counted per token only. Each root field is one hit, so
twenty aliases of a look-up count twenty.

The client address is the one uvicorn hands over: the peer, or the `X-Forwarded-For` of a proxy listed in
FORWARDED_ALLOW_IPS. Identifiers are hashed, so a counter key is short whatever a client sends.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast_untyped,
)
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter

from ..adapters.ratelimit.memory_counters import MemoryCounterStorage
from ..settings import Settings
from ..traffic_settings import RateLimits

log = logging.getLogger("saleor_returns.rate_limits")

RATE_LIMITED = "RATE_LIMITED"
# root field → the argument that names the order or return it looks up (a path into the arguments)
LOOKUPS: dict[str, tuple[str, ...]] = {
    "orderReturnEligibility": ("orderId",), "orderReturnEligibilityByNumber": ("orderNumber",),
    "returnRequest": ("id",), "cancelReturn": ("id",), "reissueReturnLabel": ("id",)}
REQUESTS: dict[str, tuple[str, ...]] = {"requestReturn": ("input", "orderId")}
BUCKET_NAMES = {"lookups_per_address": "order look-ups from this address",
                "lookups_per_order": "look-ups of this order", "requests_per_address": "returns requested from "
                "this address", "requests_per_order": "returns requested for this order",
                "per_token": "requests with this token"}


@dataclass(frozen=True, slots=True)
class Hit:
    bucket: str  # a field of RateLimits
    identifiers: tuple[str, ...]
    cost: int = 1


class RateLimited(Exception):
    """Over a rate: HTTP 429 with Retry-After."""

    def __init__(self, bucket: str, retry_after: int) -> None:
        super().__init__(f"Too many {BUCKET_NAMES[bucket]}: try again in {retry_after} seconds.")
        self.bucket, self.retry_after = bucket, retry_after


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _argument(node: FieldNode, path: tuple[str, ...], variables: dict[str, Any]) -> str:
    """The value at `path` in a field's arguments (a literal or a variable), as text; "" when absent."""
    args = {a.name.value: a.value for a in node.arguments or ()}
    if path[0] not in args:
        return ""
    value: Any = value_from_ast_untyped(args[path[0]], variables)
    for key in path[1:]:
        value = value.get(key) if isinstance(value, dict) else None
    return "" if value is None else str(value).strip().lstrip("#").lower()


def executed_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return ops[0] if len(ops) == 1 else None
    return next((op for op in ops if op.name is not None and op.name.value == operation_name), None)


def root_fields(document: DocumentNode, op: OperationDefinitionNode) -> list[FieldNode]:
    """The operation's root fields, through inline fragments and fragment spreads at the root."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    found: list[FieldNode] = []
    seen: set[str] = set()

    def walk(selection_set: SelectionSetNode) -> None:
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                found.append(sel)
            elif isinstance(sel, InlineFragmentNode):
                walk(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments and sel.name.value not in seen:
                seen.add(sel.name.value)  # a fragment spread twice at the root merges: its fields run once
                walk(fragments[sel.name.value].selection_set)

    walk(op.selection_set)
    return found


def hits_for(document: DocumentNode, operation_name: str | None, variables: dict[str, Any], *, client: str,
             token: str | None, store: str, settings: Settings) -> list[Hit]:
    """What one request counts against: per token, and (unless it carries the store's own staff token) per client
    address and per order for each look-up and requestReturn."""
    op = executed_operation(document, operation_name)
    if op is None:
        return []  # strawberry refuses it without running anything
    fields = root_fields(document, op)
    hits: list[Hit] = []
    if token:
        hits.append(Hit("per_token", (_digest(token),), cost=max(1, len(fields))))
        if _store_staff(token, settings):
            return hits
    per_order: dict[tuple[str, str], int] = {}
    per_address = {"lookups": 0, "requests": 0}
    for f in fields:
        name = f.name.value
        kind, path = ("lookups", LOOKUPS[name]) if name in LOOKUPS else \
            ("requests", REQUESTS[name]) if name in REQUESTS else ("", ())
        if not kind:
            continue
        per_address[kind] += 1
        key = (kind, _digest(store, _argument(f, path, variables)))
        per_order[key] = per_order.get(key, 0) + 1
    for kind, count in per_address.items():
        if count:
            hits.append(Hit(f"{kind}_per_address", (client,), count))
    hits.extend(Hit(f"{kind}_per_order", (ident,), count) for (kind, ident), count in per_order.items())
    return hits


def _store_staff(token: str, settings: Settings) -> bool:
    return hmac.compare_digest(token, settings.admin_token) or bool(
        settings.owner_token and hmac.compare_digest(token, settings.owner_token))


class RequestRateLimiter:
    """Counts hits in fixed windows (the `limits` library) and says when one is over."""

    def __init__(self, rates: RateLimits, storage: Storage | None = None) -> None:
        self.rates = rates
        self.strategy = FixedWindowRateLimiter(storage or MemoryCounterStorage())

    async def check(self, hits: list[Hit]) -> None:
        """Count `hits`; raise RateLimited (the longest wait) when any is over its rate. A counter store that
        fails lets the request through: the limits slow guessing down, they never take the API down."""
        over: RateLimited | None = None
        try:
            for hit in hits:
                for item in getattr(self.rates, hit.bucket):
                    if await self.strategy.hit(item, hit.bucket, *hit.identifiers, cost=hit.cost):
                        continue
                    reset, _ = await self.strategy.get_window_stats(item, hit.bucket, *hit.identifiers)
                    wait = max(1, math.ceil(reset - time.time()))
                    if over is None or wait > over.retry_after:
                        over = RateLimited(hit.bucket, wait)
        except Exception as exc:  # the counter store is down: log it and serve the request
            log.warning("rate limit counters unavailable", extra={"error": str(exc)})
            return
        if over is not None:
            raise over
