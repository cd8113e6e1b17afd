"""Wiring: settings in, a ready Deps out. The one place that picks adapters (the composition root)."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from .adapters.carriers.router import CarrierRouter
from .adapters.db.engine import make_engine, make_sessionmaker
from .adapters.db.uow import SqlUnitOfWork
from .adapters.ledger.by_tenant import ReplacementsByTenant, StoreCreditByTenant
from .adapters.ledger.replacements import LedgerReplacements
from .adapters.ledger.store_credit import LedgerStoreCredit
from .adapters.refunds.directory import Gateways
from .adapters.refunds.simulated import SimulatedRefundGateway
from .adapters.refunds.stripe_gateway import StripeRefundGateway
from .ports import Clock, LabelCarrier, OrderSource, RefundGateway, UnitOfWork
from .ports.mail import Mailer, StoreIdentity
from .services.context import Deps, SystemClock
from .services.mail_room import MailRoom
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
        if self.deps.mail is not None:
            await self.deps.mail.courier.drain()  # messages handed to the fast path are tried before the engine goes
        if self.deps.saleor is not None:
            await self.deps.saleor.close()
        await self.engine.dispose()


def build(settings: Settings, orders: OrderSource, *, refunds: RefundGateway | None = None,
          carrier: LabelCarrier | None = None, clock: Clock | None = None, mailer: Mailer | None = None) -> Wiring:
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    clock = clock or SystemClock()

    room = mail_room(settings, mailer)

    from .adapters.memory.replay import replay_ports

    def uow(readonly: bool = False) -> UnitOfWork:
        return SqlUnitOfWork(sessions, engine, readonly=readonly, staff=settings.email.staff_emails,
                             after_commit=room.courier.soon)

    deps = Deps(uow=uow, orders=orders, refunds=Gateways(refunds or refund_gateway(settings),
                                                     [StoreCreditByTenant(settings.tenant,
                                                                          LedgerStoreCredit(uow, clock.now))],
                                                     build=lambda name: other_gateway(settings, deps, name)),
                carriers=carriers_of(carrier) if carrier is not None else label_carrier(settings, clock),
                clock=clock, settings=settings, mail=room, replay=replay_ports,
                replacements=ReplacementsByTenant(settings.tenant, LedgerReplacements(uow, orders, clock.now)))
    from .adapters.saleor.tenants import attach_saleor

    tenants = attach_saleor(deps)  # the installed Saleor instances
    deps.stores = StoreDirectory(settings.tenant, orders, tenants)
    wire_mail(deps, tenants)
    return Wiring(deps, engine)


def mail_room(settings: Settings, mailer: Mailer | None = None) -> MailRoom:
    """E-mail: SMTP when RETURNS_SMTP_URL is set, else nothing leaves (messages are HELD); Jinja2 letters."""
    from urllib.parse import urlsplit

    from .adapters.mail.letters import JinjaLetters
    from .adapters.mail.smtp import NoMailServer, SmtpMailer, SmtpServer
    from .web.mail_links import PublicLinks

    host = urlsplit(settings.public_url).hostname or "saleor-returns.invalid"
    if mailer is None:
        url = settings.email.smtp_url
        mailer = SmtpMailer(SmtpServer.parse(url), domain=host) if url else NoMailServer(domain=host)
    name, address = settings.email.sender
    return MailRoom(mailer=mailer, letters=JinjaLetters(), links=PublicLinks(settings.public_url, settings.secret_key),
                    identities=_NoIdentities(), sender_address=address, sender_name=name,
                    store_name=name or "Returns", label_link_ttl=timedelta(seconds=settings.label_link_ttl_seconds))


def wire_mail(deps: Deps, saleor: Any = None) -> None:
    """The stores' identities (Saleor's shop) and the fast path: messages committed are sent at once, when
    they can leave at all (without a mail server the worker keeps them)."""
    from .adapters.mail.identities import StoreIdentityDirectory
    from .services.mail_delivery import deliver_due

    room = deps.mail
    if room is None:
        return
    room.identities = StoreIdentityDirectory(saleor)
    if room.mailer.configured:
        async def send(ids: Sequence[str]) -> object:
            return await deliver_due(deps, len(ids), ids)

        room.courier.send = send


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
              db: Any = None, mailer: Mailer | None = None) -> Deps:
    """The same services on in-memory persistence and providers: service tests, and replays that must write
    nothing durable and call nobody (adapters/memory)."""
    from .adapters.memory.providers import MemoryCarrier
    from .adapters.memory.replay import replay_ports
    from .adapters.memory.uow import MemoryDatabase

    database = db or MemoryDatabase()
    clock = clock or SystemClock()
    database.mail.staff = settings.email.staff_emails
    deps = Deps(uow=database.uow, orders=orders,
                refunds=Gateways(refunds or SimulatedRefundGateway(),
                                 [StoreCreditByTenant(settings.tenant, LedgerStoreCredit(database.uow, clock.now))]),
                carriers=carriers_of(carrier or MemoryCarrier(clock=clock)), clock=clock, settings=settings,
                recorder=recorder, mail=mail_room(settings, mailer) if mailer is not None else None,
                replay=replay_ports,
                replacements=ReplacementsByTenant(settings.tenant, LedgerReplacements(database.uow, orders, clock.now)))
    deps.stores = StoreDirectory(settings.tenant, orders, _NoOtherStores())
    if deps.mail is not None:  # the fast path only where a test asks for e-mail (it drains it: courier.drain)
        wire_mail(deps)
        database.mail.after_commit = deps.mail.courier.soon
    return deps


class _NoIdentities:
    """Until wire_mail: no store names its own sender."""

    async def identity(self, tenant: str) -> StoreIdentity:
        return StoreIdentity()


class _NoOtherStores:
    async def orders_for(self, tenant: str) -> None:
        return None
