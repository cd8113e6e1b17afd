"""Persistence as the services see it: a unit of work with repositories that take and return domain
objects. adapters/db implements it on SQLAlchemy; adapters/memory in memory (tests, simulations). Both
pass the same contract tests (tests/contract)."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from ..domain.decision_snapshot import KeepItemReturn
from ..domain.labels import Label
from ..domain.money import Money
from ..domain.policy import Policy
from ..domain.refunds import Refund
from ..domain.returns import Return
from ..domain.tracking import TrackingUpdate

if TYPE_CHECKING:
    from .exchanges import LedgerRepository
    from .insight import InsightRepository
    from .mail import MailSettingsRepository, OutboxRepository


@dataclass(frozen=True, slots=True)
class ReturnRef:
    """Where a return is: enough to lock its order and load it."""

    tenant: str
    return_id: str
    order_id: str


@dataclass(frozen=True, slots=True)
class ReturnOwner:
    customer_email: str
    customer_id: str | None

    def owned_by(self, email: str | None, user_id: str | None) -> bool:
        """The same rule as Return.owned_by."""
        if user_id and self.customer_id and user_id == self.customer_id:
            return True
        return email is not None and email.strip().lower() == self.customer_email.lower() != ""


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One piece of durable work on a return: a refund to attempt, a label to buy or void."""

    ref: ReturnRef
    item_id: str  # the refund or label id


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    status: str | None = None
    channel: str | None = None
    order_id: str | None = None
    customer_email: str | None = None
    search: str | None = None  # return number, order number or e-mail


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    policy: Policy
    version: int  # 0: the built-in defaults, never saved


class ReturnRepository(Protocol):
    def add(self, ret: Return) -> None:
        """A new return; its number is given when the unit of work is committed (or flushed)."""
        ...

    async def get(self, tenant: str, return_id: str, known: Return | None = None) -> Return | None:
        """The whole return (lines, refunds, labels, events); saved again on commit. `known`: a copy this
        service saved a moment ago, taken as it is when the stored return is still at its version."""
        ...

    async def owner(self, tenant: str, return_id: str) -> "ReturnOwner | None":
        """Who a return belongs to, read alone (one small read, in the time an unknown id takes): a shopper's
        look-up loads the whole return only when it is theirs, so the time tells nothing."""
        ...

    async def locate(self, tenant: str, return_id: str) -> ReturnRef | None:
        """Where a return is, without loading it (to lock its order first)."""
        ...

    async def locate_refund(self, refund_id: str) -> WorkItem | None:
        """The return holding one of our refunds (any tenant)."""
        ...

    async def locate_provider_refund(self, gateway: str, provider_id: str, refund_id: str | None) -> WorkItem | None:
        """Our refund a provider speaks about: by the provider's refund id, else by our id from its metadata."""
        ...

    async def locate_label(self, label_id: str) -> WorkItem | None:
        ...

    async def locate_tracking(self, carrier: str, tracking_number: str) -> WorkItem | None:
        """The newest label with this tracking number at this carrier, and its return."""
        ...

    async def returned_units(self, tenant: str, order_id: str) -> dict[str, int]:
        """Units per order line in returns that were not rejected or cancelled."""
        ...

    async def committed_refunds(self, tenant: str, order_id: str) -> dict[str, Decimal]:
        """Per payment: what this app has refunded or is refunding on the order (every return of it)."""
        ...

    async def keep_item_history(self, tenant: str, email: str, since: datetime, currency: str) -> tuple[int, Decimal]:
        """The customer's active keep-item returns since `since` in `currency`: how many, and their total."""
        ...

    async def keep_item_returns(self, tenant: str, email: str, since: datetime, currency: str) -> list[KeepItemReturn]:
        """The same returns as keep_item_history, one by one (when, how much), oldest first."""
        ...

    async def page(self, tenant: str, flt: ReturnFilter, first: int, after: int | None) -> list[tuple[int, Return]]:
        """Newest first, `first + 1` so the caller can tell whether there is a next page; each with its cursor
        position (an increasing number: pass the last one as `after`)."""
        ...

    async def of_order(self, tenant: str, order_id: str) -> list[Return]:
        """Every return of an order, newest first."""
        ...

    async def count(self, tenant: str, flt: ReturnFilter) -> int:
        """How many returns match the filter, over all pages."""
        ...

    async def of_orders(self, tenant: str, order_ids: Collection[str]) -> dict[str, list[Return]]:
        """Every return of these orders, newest first, by order id (orders without returns left out): one read
        however many orders (the federation subgraph asks for a page of them)."""
        ...

    async def channels(self, tenant: str) -> list[str]:
        """Channel slugs this tenant has a return in."""
        ...

    async def label_pdf(self, label_id: str) -> tuple[Label, bytes] | None:
        """A label with its printable PDF (kept apart: returns are loaded without it)."""
        ...

    async def refunds_on_payments_since(self, gateway: str, since: datetime) -> list[tuple[Refund, str]]:
        """Every `gateway` refund (any age, with its return's number) on the payments that had one created since
        `since`, by payment then age (for reconciliation)."""
        ...


class WorkQueue(Protocol):
    """Durable work due now, for the worker: any tenant, oldest first. Claims make sure two workers never take
    the same item (SKIP LOCKED on PostgreSQL); the item is then re-read under its order lock."""

    async def claim_due_refunds(self, now: datetime, limit: int, lease: timedelta) -> list[WorkItem]:
        """PENDING refunds whose next attempt is due, each pushed one lease ahead."""
        ...

    async def due_refund_plans(self, now: datetime, limit: int) -> list[ReturnRef]:
        """Returns owed a refund that was never planned (Return.refund_due_at is due)."""
        ...

    async def due_records(self, now: datetime, limit: int) -> list[ReturnRef]:
        """Returns the store's books must hear about (Return.record_due_at is due)."""
        ...

    async def due_exchanges(self, now: datetime, limit: int) -> list[ReturnRef]:
        """Returns whose replacement is due and not sent (Return.exchange_due_at is due)."""
        ...

    async def due_label_purchases(self, now: datetime, limit: int) -> list[WorkItem]:
        """Label purchases to try (again): failed for a passing reason and due, or in flight past their lease."""
        ...

    async def expired_labels(self, now: datetime, limit: int) -> list[WorkItem]:
        """Printable labels never scanned whose expiry has passed."""
        ...

    async def due_voids(self, now: datetime, limit: int) -> list[WorkItem]:
        """Voids to ask (again) of the carrier."""
        ...


class PolicyRepository(Protocol):
    async def latest(self, tenant: str, channel: str) -> PolicyVersion | None:
        ...

    async def latest_of(self, tenant: str, channels: Collection[str]) -> dict[str, PolicyVersion]:
        """The newest version of each of these channels that has one, by slug (one read)."""
        ...

    async def add(self, tenant: str, channel: str, policy: Policy, by: str, now: datetime) -> int:
        """Save the next version; returns its number. Two writers racing: one fails (lock the channel first)."""
        ...

    async def channels(self, tenant: str) -> list[str]:
        """Channel slugs with a saved policy."""
        ...


class GoodwillRepository(Protocol):
    async def spent(self, tenant: str, staff: str, day: date, currency: str) -> Decimal:
        ...

    def spend(self, tenant: str, staff: str, day: date, amount: Money, return_id: str, now: datetime) -> None:
        ...


class InboxRepository(Protocol):
    """Messages from outside already applied: the same message is applied once."""

    async def first_time(self, provider: str, event_id: str, type_: str, now: datetime) -> int | None:
        """Note a provider event as processed; None when it already was."""
        ...

    async def set_result(self, event_row: int, result: str) -> None:
        ...

    async def first_tracking_event(self, update: TrackingUpdate, label_id: str, now: datetime) -> bool:
        """Keep one carrier tracking event; False when it was already kept (a repeated webhook)."""
        ...


@dataclass(frozen=True, slots=True)
class StoredInstallation:
    """A Saleor instance that installed the app, as stored (its token still encrypted)."""

    api_url: str
    app_id: str
    auth_token: str  # encrypted; "" once uninstalled
    active: bool
    schema_version: str | None = None
    permissions: tuple[str, ...] = ()
    jwks: dict[str, Any] | None = None
    domain: str | None = None


class InstallationRepository(Protocol):
    """The Saleor stores that installed the app, their webhooks and write-backs."""

    async def load(self, api_url: str) -> StoredInstallation | None:
        ...

    async def save(self, inst: StoredInstallation, now: datetime) -> None:
        """Insert or replace the installation of `inst.api_url` (a reinstall replaces the token)."""
        ...

    async def save_jwks(self, api_url: str, jwks: dict[str, Any], now: datetime) -> None:
        ...

    async def deactivate(self, api_url: str, app_id: str, now: datetime) -> bool:
        ...

    async def all(self) -> list[StoredInstallation]:
        ...

    async def delivery_seen(self, api_url: str, digest: str) -> bool:
        ...

    async def record_delivery(self, api_url: str, digest: str, event: str, issued_at: datetime | None,
                              now: datetime, keep: timedelta) -> bool:
        """Keep a delivery's digest (and drop ones older than `keep`); False when it was already kept."""
        ...

    async def claim_writeback(self, tenant: str, return_id: str, now: datetime, lease: timedelta) -> bool:
        """Become the one writer of a return into its store; False: another holds it (it is asked to go again)."""
        ...

    async def release_writeback(self, return_id: str, force: bool = False) -> bool:
        """Let go; False when another caller asked for one more pass meanwhile (unless `force`)."""
        ...


@dataclass(frozen=True, slots=True)
class StoredLook:
    """How a store presents itself to shoppers in one channel, as staff set it (None: the default)."""

    name: str | None = None
    logo_url: str | None = None
    accent_color: str | None = None
    shop_url: str | None = None


@dataclass(frozen=True, slots=True)
class StoredBudget:
    """A daily goodwill budget set in the console: for everyone (staff "") or one staff member."""

    currency: str
    staff: str
    amount: Money


class StoreSettingsRepository(Protocol):
    """What staff set for their store in the console: the look per channel, goodwill budgets."""

    async def look(self, tenant: str, channel: str) -> StoredLook | None:
        ...

    async def save_look(self, tenant: str, channel: str, look: StoredLook, at: datetime, by: str) -> None:
        """Insert or replace the channel's look (what is None is cleared)."""
        ...

    async def budgets(self, tenant: str, currency: str | None = None) -> list[StoredBudget]:
        """By currency, then staff ("" first)."""
        ...

    async def save_budget(self, tenant: str, currency: str, staff: str, amount: Decimal | None, at: datetime,
                          by: str) -> None:
        """Set (or with None remove) the daily budget of `staff` ("" = everyone) in `currency`."""
        ...


class UnitOfWork(Protocol):
    """One transaction: `async with uow() as tx: ...; await tx.commit()`. Leaving without commit keeps nothing;
    commit saves every return added or loaded in it."""

    @property
    def returns(self) -> ReturnRepository: ...
    @property
    def work(self) -> WorkQueue: ...
    @property
    def policies(self) -> PolicyRepository: ...
    @property
    def goodwill(self) -> GoodwillRepository: ...
    @property
    def inbox(self) -> InboxRepository: ...
    @property
    def installations(self) -> InstallationRepository: ...
    @property
    def store_settings(self) -> StoreSettingsRepository: ...
    @property
    def outbox(self) -> "OutboxRepository": ...
    @property
    def mail_settings(self) -> "MailSettingsRepository": ...
    @property
    def insight(self) -> "InsightRepository": ...
    @property
    def ledger(self) -> "LedgerRepository": ...

    async def __aenter__(self) -> "UnitOfWork":
        ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        ...

    async def commit(self) -> None:
        ...

    async def flush(self) -> None:
        """Write what the returns became so far (new returns get their numbers), without committing."""
        ...

    async def lock_order(self, tenant: str, order_id: str) -> None:
        """Serialise every write about one order (racing requests queue here)."""
        ...

    async def schema_version(self) -> str | None:
        """The database's migration version (None: not migrated); raises when the database cannot be reached."""
        ...

    async def lock(self, tenant: str, key: str) -> None:
        """Serialise writers of one named thing: "goodwill:<staff>", "policy:<channel>"."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, readonly: bool = False) -> UnitOfWork:
        ...
