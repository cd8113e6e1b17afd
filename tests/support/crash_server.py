"""The demo's one process (API and worker together, as `saleor-returns demo` runs them), with a kill -9 armed
at one step, for tests/integration/test_crash_recovery.py. Run as a script; everything comes from the
environment, as for `saleor-returns serve` (DATABASE_URL, RETURNS_ORDERS_FILE, STRIPE_*, EASYPOST_*, ...), plus:

  CRASH_AT              "<step>:<when>:<n>": on the n-th call of <step> ("refund" or "label") the process sends
                        itself SIGKILL, "before" the provider is called (the intent is saved, nothing is done at
                        the provider) or "after" it answered (the provider did it; the answer is not saved yet).
                        Empty: no crash.
  CLOCK_OFFSET_SECONDS  the process's clock runs this far ahead (a restart "later": in-flight leases are over).
  PORT                  where it listens (127.0.0.1).
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import load_demo_store
from saleor_returns.bootstrap import build, label_carrier, migrate, refund_gateway
from saleor_returns.services.policies import seed_policies
from saleor_returns.settings import Settings
from saleor_returns.web.app import create_app


class AheadClock:
    def __init__(self, seconds: float) -> None:
        self.offset = timedelta(seconds=seconds)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Trap:
    """Counts the calls of one step and kills the process on the armed one."""

    def __init__(self, spec: str, step: str) -> None:
        name, self.when, n = (spec.split(":") + ["", "", "0"])[:3] if spec else ("", "", "0")
        self.armed = name == step
        self.n, self.calls = int(n), 0

    def enter(self) -> bool:
        """Count this call; True when the process is to die after it."""
        if not self.armed:
            return False
        self.calls += 1
        if self.calls == self.n and self.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        return self.calls == self.n and self.when == "after"


class Doomed:
    """A provider (refund gateway or label carrier) whose `method` springs the trap; the rest passes through."""

    def __init__(self, inner: Any, method: str, trap: Trap) -> None:
        self._inner, self._method, self._trap = inner, method, trap
        self.name = inner.name

    def __getattr__(self, attr: str) -> Any:
        if attr != self._method:
            return getattr(self._inner, attr)

        async def call(*args: Any, **kwargs: Any) -> Any:
            die_after = self._trap.enter()
            result = await getattr(self._inner, attr)(*args, **kwargs)
            if die_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return call


def main() -> None:
    spec = os.environ.get("CRASH_AT", "")
    clock = AheadClock(float(os.environ.get("CLOCK_OFFSET_SECONDS", "0")))
    settings = Settings.from_env(None)
    migrate(settings.database_url)
    assert settings.orders_file is not None and settings.policy_file is not None
    source = DemoOrderSource(load_demo_store(Path(settings.orders_file), clock.now()))
    policies = json.loads(Path(settings.policy_file).read_text())
    refunds = Doomed(refund_gateway(settings), "refund", Trap(spec, "refund"))
    carrier = Doomed(label_carrier(settings, clock).for_channel("default-channel"), "create_label",
                     Trap(spec, "label"))

    async def seed() -> None:
        wiring = build(settings, source, clock=clock)
        try:
            await seed_policies(wiring.deps, policies)
        finally:
            await wiring.close()

    asyncio.run(seed())
    wiring = build(settings, source, refunds=refunds, carrier=carrier, clock=clock)  # type: ignore[arg-type]
    uvicorn.run(create_app(wiring.deps, background_work=True), host="127.0.0.1", port=int(os.environ["PORT"]),
                log_config=None, access_log=False)


if __name__ == "__main__":
    main()
