"""A deterministic interleaving for race tests: every caller of a wrapped read waits after reading until
`parties` callers (transactions) have done that same read as often (or `timeout` seconds passed). Two racing
transactions then make each read before either goes on to write, every time, unless a lock keeps the second
one out until the first has committed; then the first goes on after the timeout, alone, and the barrier
stands aside for good. So a race test fails on every run when its lock is removed, and costs `timeout`
seconds when the lock is there.

Works across threads and event loops (the app runs in its own): it polls instead of sharing asyncio objects.
"""
from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections import Counter
from typing import Any

import pytest


class ReadBarrier:
    def __init__(self, parties: int = 2, timeout: float = 3.0) -> None:
        self.parties, self.timeout = parties, timeout
        self.reads: Counter[int] = Counter()  # reader (transaction) → reads done
        self.timed_out = 0  # readers that went on alone (a lock kept the others out)
        self._lock = threading.Lock()

    async def arrive(self, reader: int) -> None:
        with self._lock:
            self.reads[reader] += 1
            ordinal = self.reads[reader]
        deadline = time.monotonic() + self.timeout
        while not self.timed_out and sum(1 for n in self.reads.values() if n >= ordinal) < self.parties:
            if time.monotonic() >= deadline:
                with self._lock:
                    self.timed_out += 1
                return
            await asyncio.sleep(0.01)


def hold_after(monkeypatch: pytest.MonkeyPatch, owner: Any, method: str, barrier: ReadBarrier) -> ReadBarrier:
    """Wrap `owner.method` (an async read of a per-transaction object, e.g. SqlGoodwill): each call reads, then
    waits at the barrier as its transaction's n-th read."""
    original = getattr(owner, method)

    @functools.wraps(original)
    async def held(self: Any, *args: Any, **kwargs: Any) -> Any:
        value = await original(self, *args, **kwargs)
        await barrier.arrive(id(self))
        return value

    monkeypatch.setattr(owner, method, held)
    return barrier
