"""localstripe (PyPI; GPL, so a test tool only, never a runtime dependency) as a subprocess on loopback.

localstripe keeps payment intents, confirms them and refunds them by `payment_intent` like Stripe;
it ignores idempotency keys and sends no refund webhooks (the fake Stripe covers those). Started
through a small script so that it listens on 127.0.0.1 only and does not write the
/tmp/localstripe.pickle that its own `localstripe` command shares between runs.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from .server import free_port

API_KEY = "sk_test_localstripe_0123456789"
_SERVE = """
import sys
from aiohttp import web
import localstripe.resources
import localstripe.server
localstripe.resources.Store.dump_to_disk = lambda self: None
web.run_app(localstripe.server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


class LocalStripe:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.client = stripe.StripeClient(API_KEY, base_addresses={"api": self.url}, max_network_retries=0)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVE, str(port)], stdout=self.log, stderr=self.log)

    def wait_ready(self, seconds: float = 20) -> "LocalStripe":
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"localstripe exited: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                httpx.get(f"{self.url}/v1/refunds", auth=(API_KEY, ""), timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("localstripe did not start")

    def paid_payment_intent(self, amount: int, currency: str) -> str:
        """A payment intent created and confirmed with a test card: the payment a refund goes back to."""
        card = self.client.v1.payment_methods.create(params={"type": "card", "card": {
            "number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}})
        intent = self.client.v1.payment_intents.create(params={
            "amount": amount, "currency": currency, "payment_method_types": ["card"], "payment_method": card.id})
        intent = self.client.v1.payment_intents.confirm(intent.id)
        assert intent.status == "succeeded", intent
        return intent.id

    def refunds(self, payment_intent: str) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.client.v1.refunds.list(params={"payment_intent": payment_intent}).data]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="module")
def localstripe() -> Iterator[LocalStripe]:
    """localstripe on a free loopback port for the module. Missing in CI is a failure, elsewhere a skip."""
    if importlib.util.find_spec("localstripe") is None:
        message = "localstripe is not installed: pip install -e '.[test]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = LocalStripe(free_port()).wait_ready()
    try:
        yield server
    finally:
        server.stop()
