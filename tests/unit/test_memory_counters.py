"""The in-memory rate-limit counters: fixed windows per key, a hit touches its own key only."""
from __future__ import annotations

import asyncio

from limits import parse
from limits.aio.strategies import FixedWindowRateLimiter

from saleor_returns.adapters.ratelimit import memory_counters
from saleor_returns.adapters.ratelimit.memory_counters import MemoryCounterStorage


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_counts_its_hits_and_a_new_one_starts_after_it_ends():
    clock = Clock()
    limiter = FixedWindowRateLimiter(MemoryCounterStorage(clock))
    three = parse("3/minute")

    async def hits(n: int) -> list[bool]:
        return [await limiter.hit(three, "lookup", "1.2.3.4") for _ in range(n)]

    assert asyncio.run(hits(4)) == [True, True, True, False]
    assert asyncio.run(limiter.hit(three, "lookup", "5.6.7.8"))  # another key has its own window
    clock.now += 61
    assert asyncio.run(hits(1)) == [True]


def test_the_reset_time_is_the_end_of_the_window():
    clock = Clock()
    storage = MemoryCounterStorage(clock)
    asyncio.run(storage.incr("k", 60))
    assert asyncio.run(storage.get_expiry("k")) == 1_060.0
    assert asyncio.run(storage.get("k")) == 1
    clock.now += 60
    assert asyncio.run(storage.get("k")) == 0
    assert asyncio.run(storage.get_expiry("k")) == clock.now


def test_ended_windows_are_swept_at_most_every_few_seconds_not_on_every_hit():
    clock = Clock()
    storage = MemoryCounterStorage(clock)
    for i in range(1_000):
        asyncio.run(storage.incr(f"order-{i}", 1))
    clock.now += 2  # every window ended, but no sweep is due yet: a hit does not walk the other keys
    asyncio.run(storage.incr("one-more", 60))
    assert len(storage._windows) == 1_001
    clock.now += memory_counters.SWEEP_EVERY
    asyncio.run(storage.incr("one-more", 60))
    assert list(storage._windows) == ["one-more"]
    assert asyncio.run(storage.get("one-more")) == 2


def test_clear_and_reset_forget_counts():
    storage = MemoryCounterStorage(Clock())
    asyncio.run(storage.incr("a", 60))
    asyncio.run(storage.incr("b", 60, amount=5))
    asyncio.run(storage.clear("a"))
    assert asyncio.run(storage.get("a")) == 0 and asyncio.run(storage.get("b")) == 5
    assert asyncio.run(storage.reset()) == 1
    assert asyncio.run(storage.get("b")) == 0
