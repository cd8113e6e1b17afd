"""Choosing Stripe by settings: what is needed, and messages that say how to fix a mistake."""
from __future__ import annotations

from datetime import timedelta

import pytest

from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.adapters.refunds.stripe_gateway import StripeRefundGateway
from saleor_returns.bootstrap import refund_gateway
from saleor_returns.settings import Settings, SettingsError

BASE = {"RETURNS_ADMIN_TOKEN": "a-token-of-sixteen-chars"}
STRIPE = {**BASE, "RETURNS_REFUND_GATEWAY": "stripe", "STRIPE_API_KEY": "sk_test_123",
          "STRIPE_WEBHOOK_SECRET": "whsec_abc"}


@pytest.mark.parametrize("env, message", [
    ({**BASE, "RETURNS_REFUND_GATEWAY": "paypal"}, "unknown gateway 'paypal' (simulated or stripe or saleor)"),
    ({**STRIPE, "STRIPE_API_KEY": ""}, "needs STRIPE_API_KEY"),
    ({**STRIPE, "STRIPE_API_KEY": "pk_test_123"}, "publishable key"),
    ({**STRIPE, "STRIPE_API_KEY": "secret"}, "must be a Stripe secret key"),
    ({**STRIPE, "STRIPE_API_BASE": "api.stripe.com"}, "STRIPE_API_BASE must be a base URL"),
    ({**STRIPE, "STRIPE_API_BASE": "https://api.stripe.com/v1"}, "no path"),
    ({**STRIPE, "STRIPE_WEBHOOK_SECRET": "abc"}, "whsec_"),
    ({**STRIPE, "STRIPE_TIMEOUT": "soon"}, "STRIPE_TIMEOUT"),
    ({**STRIPE, "STRIPE_TIMEOUT": "0"}, "STRIPE_TIMEOUT must be a positive"),
    ({**STRIPE, "STRIPE_MAX_NETWORK_RETRIES": "99"}, "between 0 and 10"),
    ({**BASE, "RETURNS_REFUND_GIVE_UP_AFTER": "a day"}, "RETURNS_REFUND_GIVE_UP_AFTER must be a duration"),
    ({**BASE, "RETURNS_REFUND_GIVE_UP_AFTER": "0h"}, "longer than zero"),
    ({**BASE, "RETURNS_REFUND_LEASE": "-5m"}, "RETURNS_REFUND_LEASE must be a duration"),
])
def test_a_wrong_setting_is_refused_with_a_message_naming_it(env, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env(env)


def test_stripe_settings_pick_the_stripe_gateway():
    settings = Settings.from_env({**STRIPE, "STRIPE_API_BASE": "http://127.0.0.1:12111", "STRIPE_TIMEOUT": "5",
                                  "STRIPE_MAX_NETWORK_RETRIES": "3", "RETURNS_REFUND_GIVE_UP_AFTER": "36h",
                                  "RETURNS_REFUND_LEASE": "90s"})
    gateway = refund_gateway(settings)
    assert isinstance(gateway, StripeRefundGateway) and gateway.name == "stripe"
    assert (gateway.api_base, gateway.timeout, gateway.max_network_retries) == ("http://127.0.0.1:12111", 5.0, 3)
    assert settings.refund_give_up_after == timedelta(hours=36) and settings.refund_lease == timedelta(seconds=90)
    assert "sk_test" not in repr(settings) and "whsec" not in repr(settings)  # secrets stay out of logs


def test_the_default_stays_simulated_with_stripes_defaults_unused():
    settings = Settings.from_env(BASE)
    assert isinstance(refund_gateway(settings), SimulatedRefundGateway)
    assert settings.stripe_api_base == "https://api.stripe.com"
    assert settings.refund_give_up_after == timedelta(hours=24)


def test_the_demo_with_stripe_refunds_says_what_is_missing(monkeypatch, capsys, tmp_path):
    from saleor_returns.cli import main

    for var in ("STRIPE_API_KEY", "RETURNS_REFUND_GATEWAY", "DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    status = main(["demo", "--refunds", "stripe", "--db", str(tmp_path / "demo.sqlite3")])
    assert status == 2 and "needs STRIPE_API_KEY" in capsys.readouterr().err
