"""Rate-limit counters in this process's memory, for fixed windows (the `limits` library's storage interface).

The library's own MemoryStorage walks every key it holds to expire old ones on each hit: with a key per
address, per order and per e-mail, a busy minute makes every request pay for every other one (measured in
bench/floors.py: most of the slowdown once thousands of orders had been returned in the window). Here a hit
touches its own key only; keys whose window ended are dropped in one sweep at most every SWEEP_EVERY seconds.
"""
from __future__ import annotations

import time
from typing import Any

from limits.aio.storage import Storage

SWEEP_EVERY = 10.0  # seconds between sweeps of the windows that ended


class MemoryCounterStorage(Storage):
    STORAGE_SCHEME = None  # built by the app, not from a storage URI

    def __init__(self, clock: Any = time.time) -> None:
        super().__init__()
        self._now = clock
        self._windows: dict[str, list[float]] = {}  # key -> [count, expires_at]
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self._now()
        if now >= self._next_sweep:
            self._sweep(now)
        window = self._windows.get(key)
        if window is None or window[1] <= now:  # a new window starts with this hit
            self._windows[key] = window = [0, now + expiry]
        window[0] += amount
        return int(window[0])

    def _sweep(self, now: float) -> None:
        self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
        self._next_sweep = now + SWEEP_EVERY

    def _live(self, key: str) -> list[float] | None:
        window = self._windows.get(key)
        return window if window is not None and window[1] > self._now() else None

    async def get(self, key: str) -> int:
        window = self._live(key)
        return int(window[0]) if window else 0

    async def get_expiry(self, key: str) -> float:
        window = self._live(key)
        return window[1] if window else self._now()

    async def check(self) -> bool:
        return True

    async def reset(self) -> int | None:
        count = len(self._windows)
        self._windows.clear()
        return count

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)
