"""Wiring: settings in, a ready Deps out. The one place that picks adapters."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from .adapters.db.engine import make_engine, make_sessionmaker
from .adapters.db.uow import SqlUnitOfWork
from .adapters.refunds.simulated import SimulatedRefundGateway
from .adapters.refunds.stripe_gateway import StripeRefundGateway
from .ports import Clock, LabelCarrier, OrderSource, RefundGateway
from .services.context import Deps, SystemClock
from .settings import Settings


@dataclass
class Wiring:
    deps: Deps
    engine: AsyncEngine

    async def close(self) -> None:
        for gateway in self.deps.other_gateways.values():  # built for pending refunds of another gateway
            close = getattr(gateway, "close", None)
            if close is not None:
                await close()
        if self.deps.saleor is not None:
            await self.deps.saleor.close()
        await self.engine.dispose()


def build(settings: Settings, orders: OrderSource, *, refunds: RefundGateway | None = None,
          carrier: LabelCarrier | None = None, clock: Clock | None = None) -> Wiring:
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    clock = clock or SystemClock()

    def uow(readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, engine, readonly=readonly)

    deps = Deps(uow=uow, orders=orders, refunds=refunds or refund_gateway(settings),
                carrier=carrier or label_carrier(settings, clock), clock=clock, settings=settings)
    from .services.tenants import attach_saleor

    attach_saleor(deps)  # the installed Saleor instances (services/tenants.py)
    return Wiring(deps, engine)


def refund_gateway(settings: Settings) -> RefundGateway:
    if settings.refund_gateway == "simulated":
        return SimulatedRefundGateway()
    if settings.refund_gateway == "stripe":
        return StripeRefundGateway.from_settings(settings)
    if settings.refund_gateway == "saleor":
        from .adapters.refunds.saleor_gateway import SaleorRefundGateway

        return SaleorRefundGateway()  # connected to the installed stores by services.tenants.attach_saleor
    raise ValueError(f"unknown refund gateway {settings.refund_gateway!r}")


def label_carrier(settings: Settings, clock: Clock) -> LabelCarrier:
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
