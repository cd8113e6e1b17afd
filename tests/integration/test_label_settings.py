"""Carrier settings: which carrier each channel uses, and the mistakes that stop the app with a clear message."""
from __future__ import annotations

import pytest

from saleor_returns.adapters.carriers.router import CarrierRouter, carrier_for_channel
from saleor_returns.adapters.carriers.setup import carriers_from_settings
from saleor_returns.domain.money import Money
from saleor_returns.settings import Settings, SettingsError

KEYS = {"EASYPOST_API_KEY": "EZTK_test", "SHIPPO_API_KEY": "shippo_test_x"}


@pytest.mark.parametrize(("env", "channel", "carrier"), [
    ({}, "default-channel", "local"),
    ({"RETURNS_LABEL_CARRIER": "easypost", **KEYS}, "japan", "easypost"),
    ({"RETURNS_LABEL_CARRIERS": "default-channel=easypost, japan=shippo", **KEYS}, "default-channel", "easypost"),
    ({"RETURNS_LABEL_CARRIERS": "default-channel=easypost, japan=shippo", **KEYS}, "japan", "shippo"),
    ({"RETURNS_LABEL_CARRIERS": "default-channel=easypost", **KEYS}, "elsewhere", "local"),
])
def test_each_channel_gets_its_configured_carrier(env, channel, carrier):
    settings = Settings.from_env({"RETURNS_ADMIN_TOKEN": "x" * 20, **env})
    router = carriers_from_settings(settings, clock=None)  # type: ignore[arg-type]
    assert isinstance(router, CarrierRouter)
    assert carrier_for_channel(router, channel).name == carrier


@pytest.mark.parametrize(("env", "message"), [
    ({"RETURNS_LABEL_CARRIER": "fedex"}, "unknown label carrier 'fedex'"),
    ({"RETURNS_LABEL_CARRIERS": "japan=easypost"}, "EASYPOST_API_KEY"),
    ({"RETURNS_LABEL_CARRIERS": "japan=shippo"}, "SHIPPO_API_KEY"),
    ({"RETURNS_LABEL_CARRIERS": "japan"}, "expected channel=carrier"),
    ({"RETURNS_LABEL_FORMAT": "A4"}, "RETURNS_LABEL_FORMAT"),
    ({"RETURNS_LABEL_COST": "ABC=1"}, "unknown currency"),
    ({"RETURNS_PARCEL": "big"}, "RETURNS_PARCEL"),
    ({"RETURNS_LABEL_VALID_DAYS": "0"}, "RETURNS_LABEL_VALID_DAYS"),
])
def test_carrier_mistakes_stop_the_app_naming_the_setting(env, message):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"RETURNS_ADMIN_TOKEN": "x" * 20, **env})
    assert message in str(error.value)


def test_the_expected_label_cost_is_per_currency():
    settings = Settings.from_env({"RETURNS_ADMIN_TOKEN": "x" * 20, "RETURNS_LABEL_CARRIER": "easypost",
                                  "RETURNS_LABEL_COST": "USD=7.50, EUR=6.90", **KEYS})
    router = carriers_from_settings(settings, clock=None)  # type: ignore[arg-type]
    assert router.expected_cost("USD") == Money.of("7.50", "USD")
    assert router.expected_cost("JPY") is None
