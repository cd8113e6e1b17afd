"""The carrier per channel: a LabelCarrier that hands each request to the carrier configured for its channel."""
from __future__ import annotations

from collections.abc import Mapping

from ...domain.money import Money
from ...ports import IssuedLabel, LabelCarrier, LabelRequest, VoidOutcome


class CarrierRouter:
    """Acts as the default carrier; `for_channel` and `named` pick the right one (labels are voided by
    the carrier that issued them, whatever the channel's setting says today)."""

    def __init__(self, carriers: Mapping[str, LabelCarrier], default: str,
                 per_channel: Mapping[str, str] | None = None) -> None:
        if default not in carriers:
            raise ValueError(f"default carrier {default!r} is not configured")
        self._carriers = dict(carriers)
        self._default = default
        self._per_channel = dict(per_channel or {})
        self.name = default

    def for_channel(self, channel: str) -> LabelCarrier:
        """The carrier configured for `channel`, else the default."""
        return self._carriers[self._per_channel.get(channel, self._default)]

    def named(self, name: str) -> LabelCarrier | None:
        """The carrier called `name`, if it is configured here."""
        return self._carriers.get(name)

    def expected_cost(self, currency: str) -> Money | None:
        return self._carriers[self._default].expected_cost(currency)

    async def create_label(self, request: LabelRequest) -> IssuedLabel:
        return await self.for_channel(request.channel).create_label(request)

    async def prepare_label(self, request: LabelRequest) -> str | None:
        return await self.for_channel(request.channel).prepare_label(request)

    async def void_label(self, carrier_reference: str | None, tracking_number: str) -> VoidOutcome:
        return await self._carriers[self._default].void_label(carrier_reference, tracking_number)


def carrier_for_channel(carrier: LabelCarrier, channel: str) -> LabelCarrier:
    """`carrier` itself, or the one a router picks for `channel`."""
    return carrier.for_channel(channel) if isinstance(carrier, CarrierRouter) else carrier


def carrier_named(carrier: LabelCarrier, name: str) -> LabelCarrier | None:
    """The carrier that issued a label called `name` (None when it is no longer configured)."""
    if isinstance(carrier, CarrierRouter):
        return carrier.named(name)
    return carrier if carrier.name == name else None
