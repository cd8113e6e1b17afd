"""What every use case is handed: the unit of work, the ports, the clock, the settings, and which store."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain.actors import SYSTEM, WORKER, Actor, ActorKind
from ..ports import Carriers, Clock, Config, OrderSource, RefundGateways, StoreRecorder, Stores, UnitOfWorkFactory
from ..ports.exchanges import ReplacementDesk
from ..ports.insight import ReplayPortsFactory

if TYPE_CHECKING:
    from .mail_room import MailRoom

__all__ = ["SYSTEM", "WORKER", "Actor", "ActorKind", "Deps", "SystemClock"]


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Deps:
    """The wiring of one store (bootstrap.build makes it; `for_tenant` the same wiring for another store)."""

    uow: UnitOfWorkFactory  # uow() writes; uow(readonly=True) only reads
    orders: OrderSource
    refunds: RefundGateways
    carriers: Carriers
    clock: Clock
    settings: Config
    tenant: str = ""  # one Saleor instance (its API URL) or the standalone store; "" = settings.tenant
    recorder: StoreRecorder | None = None  # writes returns back into the store (Saleor); None: nowhere
    stores: Stores | None = None  # every store's orders, for work that does not start with a request
    saleor: Any = None  # the installed Saleor instances (adapters/saleor/tenants.py), for the web edge only
    mail: "MailRoom | None" = None  # e-mail (services/mail_room.py); None: messages are kept, never sent
    replay: ReplayPortsFactory | None = None  # in-memory ports from a decision snapshot (policy simulations)
    replacements: ReplacementDesk | None = None  # sends exchanges' replacements (None: exchanges are not carried out)

    def __post_init__(self) -> None:
        if not self.tenant:
            self.tenant = self.settings.tenant

    def keeps_books(self, tenant: str) -> bool:
        """Whether the store writes returns into books of its own (a Saleor store does; the standalone none)."""
        return self.recorder is not None and self.recorder.handles(tenant)

    def for_tenant(self, tenant: str, orders: OrderSource) -> "Deps":
        """The same wiring, acting for another tenant (one deployment serves many Saleor instances)."""
        return replace(self, tenant=tenant, orders=orders)

    async def of_store(self, tenant: str) -> "Deps | None":
        """The wiring acting for the store a row or payload names (None: this deployment does not serve it)."""
        if tenant == self.tenant:
            return self
        orders = await self.stores.orders_for(tenant) if self.stores is not None else None
        return self.for_tenant(tenant, orders) if orders is not None else None
