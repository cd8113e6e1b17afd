"""Carriers from settings: one instance per carrier in use, behind a router that picks per channel."""
from __future__ import annotations

from ...ports import Clock, LabelCarrier
from ...settings import Settings
from .local import LocalLabelCarrier
from .router import CarrierRouter


def carriers_from_settings(settings: Settings, clock: Clock) -> CarrierRouter:
    """Every carrier named in RETURNS_LABEL_CARRIER / RETURNS_LABEL_CARRIERS, ready to use."""
    cfg = settings.carriers
    carriers: dict[str, LabelCarrier] = {}
    for name in sorted(cfg.names_in_use(settings.label_carrier) | {"local"}):
        carriers[name] = _carrier(name, settings, clock)
    return CarrierRouter(carriers, settings.label_carrier, dict(cfg.per_channel))


def _carrier(name: str, settings: Settings, clock: Clock) -> LabelCarrier:
    cfg = settings.carriers
    if name == "local":
        return LocalLabelCarrier(valid_days=settings.label_valid_days, clock=clock, label_format=cfg.label_format,
                                 cost=None)
    if name == "easypost":
        from .easypost import EasyPostCarrier  # imported only when configured

        assert cfg.easypost_api_key
        return EasyPostCarrier(cfg.easypost_api_key, api_base=cfg.easypost_api_base, clock=clock,
                               valid_days=settings.label_valid_days, service=cfg.easypost_service, parcel=cfg.parcel,
                               timeout=cfg.timeout_seconds, expected=cfg.expected_cost)
    if name == "shippo":
        from .shippo import ShippoCarrier

        assert cfg.shippo_api_key
        return ShippoCarrier(cfg.shippo_api_key, api_base=cfg.shippo_api_base, clock=clock,
                             valid_days=settings.label_valid_days, service=cfg.shippo_service, parcel=cfg.parcel,
                             timeout=cfg.timeout_seconds, expected=cfg.expected_cost)
    raise ValueError(f"unknown label carrier {name!r}")
