"""Addresses that keep sending refused requests are turned away before their next body is read.

Every refusal for a limit (413, 400 `QUERY_TOO_COMPLEX` / `INPUT_TOO_LARGE`, 429 `RATE_LIMITED`) counts against
the client address (RETURNS_RATE_LIMIT_REFUSED_PER_ADDRESS, default 10 a minute). Past that, the address gets
429 at once, from its headers alone, with `Connection: close`: its body is never read, decoded or parsed, so a
client that hammers the API with hostile payloads costs the server almost nothing and the others are not
slowed. Legitimate clients never see a limit refusal, so they never get here. Counted per process, in memory:
this check must cost nothing (no database round trip) for every request.
"""
from __future__ import annotations

import json
import math
import time

from limits import RateLimitItem
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.types import Scope, Send

from ..adapters.ratelimit.memory_counters import MemoryCounterStorage
from .rate_limits import RATE_LIMITED

BUCKET = "refused"


class Offenders:
    def __init__(self, rates: tuple[RateLimitItem, ...]) -> None:
        self.rates = rates
        self.strategy = FixedWindowRateLimiter(MemoryCounterStorage())

    async def note(self, address: str) -> None:
        """One more refusal for `address`."""
        for item in self.rates:
            await self.strategy.hit(item, BUCKET, address)

    async def wait(self, address: str) -> int | None:
        """Seconds until `address` may send again, or None when it may now."""
        longest = None
        for item in self.rates:
            if not await self.strategy.test(item, BUCKET, address):
                reset, _ = await self.strategy.get_window_stats(item, BUCKET, address)
                wait = max(1, math.ceil(reset - time.time()))
                longest = wait if longest is None else max(longest, wait)
        return longest


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


async def turn_away(send: Send, wait: int) -> None:
    """429 without reading the request's body; the connection is closed after it."""
    body = json.dumps({"errors": [{"message": f"Too many refused requests from this address: try again in {wait} "
                                              f"seconds.", "extensions": {"code": RATE_LIMITED,
                                                                          "retryAfter": wait}}]}).encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"retry-after", str(wait).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
