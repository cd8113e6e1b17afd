"""The refund gateways of a deployment (ports.RefundGateways): new refunds go through the default; each
refund is finished by the gateway that began it, named on the refund."""
from __future__ import annotations

from collections.abc import Iterable

from ...ports import RefundGateway


class Gateways:
    def __init__(self, default: RefundGateway, others: Iterable[RefundGateway] = ()) -> None:
        self._by_name = {g.name: g for g in others}
        self._by_name[default.name] = default
        self._default = default.name

    @property
    def default(self) -> RefundGateway:
        return self._by_name[self._default]

    def named(self, name: str) -> RefundGateway | None:
        return self._by_name.get(name)

    def all(self) -> dict[str, RefundGateway]:
        return dict(self._by_name)

    def replace(self, name: str, gateway: RefundGateway) -> None:
        """Wrap one gateway (e.g. to book its refunds in Saleor too); it keeps its name."""
        self._by_name[name] = gateway
