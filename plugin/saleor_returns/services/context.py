"""What every use case is handed: the unit of work, the ports, the clock, the settings, and who asks."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from ..adapters.db.uow import SqlUnitOfWork
from ..ports import Clock, LabelCarrier, OrderSource, RefundGateway, StoreRecorder
from ..settings import Settings


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ActorKind(str, Enum):
    SHOPPER = "shopper"
    STAFF = "staff"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str  # e-mail for shoppers, user id / name for staff, "system" / "worker"
    email: str | None = None
    user_id: str | None = None
    is_owner: bool = False

    @property
    def is_staff(self) -> bool:
        return self.kind is ActorKind.STAFF

    @property
    def label(self) -> str:
        return self.kind.value if self.id == self.kind.value else f"{self.kind.value}:{self.id}"

    @classmethod
    def guest(cls, email: str | None) -> "Actor":
        clean = (email or "").strip().lower()
        return cls(ActorKind.SHOPPER, clean, email=clean or None)

    @classmethod
    def staff(cls, staff_id: str, *, owner: bool = False, email: str | None = None) -> "Actor":
        return cls(ActorKind.STAFF, staff_id, email=email, is_owner=owner)


SYSTEM = Actor(ActorKind.SYSTEM, "system")


@dataclass
class Deps:
    uow: Callable[..., SqlUnitOfWork]  # uow() writes; uow(readonly=True) only reads
    orders: OrderSource
    refunds: RefundGateway
    carrier: LabelCarrier
    clock: Clock
    settings: Settings
    tenant: str = ""  # one Saleor instance (its API URL) or the standalone store; "" = settings.tenant
    recorder: StoreRecorder | None = None  # writes returns back into the store (Saleor); None: nowhere
    saleor: Any = None  # services.tenants.SaleorTenants: the installed Saleor instances (None: standalone only)
    # gateways other than `refunds` that began refunds still pending (services/refund_gateways.py), by name
    other_gateways: dict[str, RefundGateway] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.tenant:
            self.tenant = self.settings.tenant

    def for_tenant(self, tenant: str, orders: OrderSource) -> "Deps":
        """The same wiring, acting for another tenant (one deployment serves many Saleor instances)."""
        return replace(self, tenant=tenant, orders=orders)
