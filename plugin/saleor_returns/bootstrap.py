"""Wiring: settings in, a ready Deps out. The one place that picks adapters (the composition root)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from .adapters.carriers.router import CarrierRouter
from .adapters.db.engine import make_engine, make_sessionmaker
from .adapters.db.uow import SqlUnitOfWork
from .adapters.refunds.directory import Gateways
from .adapters.refunds.simulated import SimulatedRefundGateway
from .adapters.refunds.stripe_gateway import StripeRefundGateway
from .ports import Clock, LabelCarrier, OrderSource, RefundGateway, UnitOfWork
from .services.context import Deps, SystemClock
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Wiring:
    deps: Deps
    engine: AsyncEngine

    async def close(self) -> None:
        gateways = self.deps.refunds
        if isinstance(gateways, Gateways):
            await gateways.close()  # the gateways built for pending refunds of another gateway
        if self.deps.saleor is not None:
            await self.deps.saleor.close()
        await self.engine.dispose()


def build(settings: Settings, orders: OrderSource, *, refunds: RefundGateway | None = None,
          carrier: LabelCarrier | None = None, clock: Clock | None = None) -> Wiring:
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    clock = clock or SystemClock()

    def uow(readonly: bool = False) -> UnitOfWork:
        return SqlUnitOfWork(sessions, engine, readonly=readonly)

    deps = Deps(uow=uow, orders=orders, refunds=Gateways(refunds or refund_gateway(settings),
                                                     build=lambda name: other_gateway(settings, deps, name)),
                carriers=carriers_of(carrier) if carrier is not None else label_carrier(settings, clock),
                clock=clock, settings=settings)
    from .adapters.saleor.tenants import attach_saleor

    tenants = attach_saleor(deps)  # the installed Saleor instances
    deps.stores = StoreDirectory(settings.tenant, orders, tenants)
    return Wiring(deps, engine)


def carriers_of(carrier: LabelCarrier) -> CarrierRouter:
    """One carrier (tests, tools) as the carriers of every channel."""
    return carrier if isinstance(carrier, CarrierRouter) else CarrierRouter({carrier.name: carrier}, carrier.name)


@dataclass
class StoreDirectory:
    """ports.Stores: the standalone store by its tenant name, installed Saleor stores by their API URL."""

    standalone: str
    orders: OrderSource
    saleor: Any

    async def orders_for(self, tenant: str) -> OrderSource | None:
        if tenant == self.standalone:
            return self.orders
        found: OrderSource | None = await self.saleor.orders_for(tenant)
        return found


def refund_gateway(settings: Settings) -> RefundGateway:
    if settings.refund_gateway == "simulated":
        return SimulatedRefundGateway()
    if settings.refund_gateway == "stripe":
        return StripeRefundGateway.from_settings(settings)
    if settings.refund_gateway == "saleor":
        from .adapters.refunds.saleor_gateway import SaleorRefundGateway

        return SaleorRefundGateway()  # connected to the installed stores by adapters.saleor.tenants.attach_saleor
    raise ValueError(f"unknown refund gateway {settings.refund_gateway!r}")


def other_gateway(settings: Settings, deps: Deps, name: str) -> RefundGateway:
    """The gateway that began a pending refund when it is not this deployment's gateway now (the operator
    switched): built from the same settings and wired to the Saleor stores; when it cannot be built (its key
    was removed), a stand-in that keeps the refund waiting and says why (it is never paid another way)."""
    from dataclasses import replace

    from .adapters.refunds.directory import UnconfiguredGateway
    from .adapters.saleor.tenants import wire_gateway
    from .settings import REFUND_GATEWAYS, SettingsError

    try:
        if name not in REFUND_GATEWAYS:
            raise SettingsError(f"unknown gateway {name!r}")
        chosen = replace(settings, refund_gateway=name)
        if name == "stripe":
            chosen.check_stripe()
        gateway = refund_gateway(chosen)
    except (SettingsError, ValueError) as exc:
        log.warning("a pending refund's gateway is not configured", extra={"gateway": name, "error": str(exc)})
        return UnconfiguredGateway(name, str(exc))
    log.info("finishing refunds through their own gateway", extra={"gateway": name})
    return wire_gateway(deps, gateway) if deps.saleor is not None else gateway


def label_carrier(settings: Settings, clock: Clock) -> CarrierRouter:
    """The carrier per channel (RETURNS_LABEL_CARRIER, RETURNS_LABEL_CARRIERS): see adapters/carriers/setup.py."""
    from .adapters.carriers.setup import carriers_from_settings

    return carriers_from_settings(settings, clock)


def migrations_dir() -> Path:
    """migrations/ as installed with the package, else of the checkout it runs from (or RETURNS_MIGRATIONS_DIR)."""
    import os

    from .bundled import project_path

    if os.environ.get("RETURNS_MIGRATIONS_DIR"):
        return Path(os.environ["RETURNS_MIGRATIONS_DIR"])
    env = project_path("migrations", "env.py")
    if env is not None:
        return env.parent
    raise FileNotFoundError("migrations/ not found: install the package from a wheel, run from the project "
                            "checkout, or set RETURNS_MIGRATIONS_DIR")


def migrate(database_url: str) -> None:
    """`alembic upgrade head` on `database_url` (call outside a running event loop)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(cfg, "head")


def in_memory(settings: Settings, orders: OrderSource, *, refunds: RefundGateway | None = None,
              carrier: LabelCarrier | None = None, clock: Clock | None = None, recorder: Any = None,
              db: Any = None) -> Deps:
    """The same services on in-memory persistence and providers: service tests, and replays that must write
    nothing durable and call nobody (adapters/memory)."""
    from .adapters.memory.providers import MemoryCarrier
    from .adapters.memory.uow import MemoryDatabase

    database = db or MemoryDatabase()
    clock = clock or SystemClock()
    deps = Deps(uow=database.uow, orders=orders, refunds=Gateways(refunds or SimulatedRefundGateway()),
                carriers=carriers_of(carrier or MemoryCarrier(clock=clock)), clock=clock, settings=settings,
                recorder=recorder)
    deps.stores = StoreDirectory(settings.tenant, orders, _NoOtherStores())
    return deps


class _NoOtherStores:
    async def orders_for(self, tenant: str) -> None:
        return None
