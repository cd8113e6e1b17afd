"""Tables. Every row belongs to a tenant (one Saleor instance, or the demo store)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import Amount, UTCDateTime


class Base(DeclarativeBase):
    pass


class PolicyVersionRow(Base):
    """One version of a channel's policy; versions only grow, each return remembers its own."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("tenant", "channel", "version", name="uq_policy_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(255))


class OrderLockRow(Base):
    """One row per order that has returns: the row every return of that order locks first."""

    __tablename__ = "order_locks"

    tenant: Mapped[str] = mapped_column(String(255), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReturnRow(Base):
    __tablename__ = "returns"
    __table_args__ = (
        # the returns list (migration 0012): newest first by seq, whole or by status or channel, and the search's
        # lookups (order id, order number, e-mail whatever its case); none of them sorts the table
        Index("ix_returns_tenant_seq", "tenant", "seq"),
        Index("ix_returns_tenant_status_seq", "tenant", "status", "seq"),
        Index("ix_returns_tenant_channel_seq", "tenant", "channel", "seq"),
        Index("ix_returns_tenant_order", "tenant", "order_id", "status"),  # and the units already returned
        Index("ix_returns_tenant_order_number", "tenant", "order_number"),
        # and a customer's keep-item returns of a period (the keep-item limits)
        Index("ix_returns_tenant_email", "tenant", func.lower(text("customer_email")), "created_at"),
        Index("ix_returns_refund_due", "refund_due_at"),
        Index("ix_returns_record_due", "record_due_at"),
        Index("ix_returns_exchange_due", "exchange_due_at"),  # replacements to send (migration 0013)
        # policy simulations and analytics (migration 0011): a channel's (or every channel's) returns of a period,
        # with what the grouped queries read, so they never visit the wide rows
        Index("ix_returns_tenant_channel_created", "tenant", "channel", "created_at", "status", "resolution",
              "currency", "seq"),
        Index("ix_returns_tenant_created", "tenant", "created_at", "channel", "status", "resolution", "currency",
              "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    tenant: Mapped[str] = mapped_column(String(255))
    order_id: Mapped[str] = mapped_column(String(255))
    order_number: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64))
    customer_email: Mapped[str] = mapped_column(String(320))
    customer_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    status: Mapped[str] = mapped_column(String(32))
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    refund_total: Mapped[Decimal] = mapped_column(Amount())
    shipping_deduction: Mapped[Decimal] = mapped_column(Amount())
    shipping_refund: Mapped[Decimal] = mapped_column(Amount())
    policy_version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)  # trace, review codes, refused lines
    out_of_policy: Mapped[bool] = mapped_column(Boolean, default=False)
    exception_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    grace_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # durable work (migration 0006): owed refunds not planned yet; the store's books not told yet
    refund_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    record_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # who e-mails are written for (migration 0009)
    language_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    customer_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # what the decision saw (migration 0011; adapters/db/snapshot_json.py): policy simulations replay it
    decision_seen: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # exchanges and store credit (migration 0013; domain/return_exchange.py)
    refund_method: Mapped[str] = mapped_column(String(32), default="ORIGINAL_PAYMENT",
                                               server_default="ORIGINAL_PAYMENT")
    credit_bonus_percent: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)
    exchange_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    exchange_order_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    exchange_order_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    exchange_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    exchange_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    instant_exchange: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # how many times it was saved (migration 0014): a copy of the return read at this version is current
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    lines: Mapped[list["ReturnLineRow"]] = relationship(back_populates="ret", order_by="ReturnLineRow.id",
                                                        cascade="all, delete-orphan")
    refunds: Mapped[list["RefundRow"]] = relationship(back_populates="ret", order_by="RefundRow.created_at",
                                                      cascade="all, delete-orphan")
    labels: Mapped[list["LabelRow"]] = relationship(back_populates="ret", order_by="LabelRow.created_at",
                                                    cascade="all, delete-orphan")
    events: Mapped[list["ReturnEventRow"]] = relationship(back_populates="ret", order_by="ReturnEventRow.id",
                                                          cascade="all, delete-orphan")


class ReturnLineRow(Base):
    __tablename__ = "return_lines"
    __table_args__ = (  # analytics per reason and product (migration 0011)
        Index("ix_return_lines_insight", "return_seq", "reason", "quantity", "refund_amount", "sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    return_seq: Mapped[int] = mapped_column(ForeignKey("returns.seq", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[str] = mapped_column(String(255))
    product_name: Mapped[str] = mapped_column(String(512))
    sku: Mapped[str | None] = mapped_column(String(255), nullable=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    refund_amount: Mapped[Decimal] = mapped_column(Amount())
    # the variant sent instead (migration 0013): its id, name and SKU, and the refund had it not been swapped
    exchange_variant_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    exchange_variant_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    exchange_sku: Mapped[str | None] = mapped_column(String(255), nullable=True)
    exchange_full_refund: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)

    ret: Mapped[ReturnRow] = relationship(back_populates="lines")


class RefundRow(Base):
    """One refund: the intent is saved before the gateway is called, the outcome after."""

    __tablename__ = "refunds"
    __table_args__ = (Index("ix_refunds_status_next", "status", "next_attempt_at"),
                      Index("ix_refunds_psp_reference", "psp_reference"),
                      # analytics: a return's succeeded refunds, their money and time (migration 0011)
                      Index("ix_refunds_insight", "return_seq", "status", "amount", "updated_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    return_seq: Mapped[int] = mapped_column(ForeignKey("returns.seq", ondelete="CASCADE"), index=True)
    tenant: Mapped[str] = mapped_column(String(255))
    order_id: Mapped[str] = mapped_column(String(255), index=True)
    payment_id: Mapped[str] = mapped_column(String(255))
    payment_reference: Mapped[str] = mapped_column(String(255))
    gateway: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    psp_reference: Mapped[str | None] = mapped_column(String(255), nullable=True)
    failure_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # stripe refunds (migration 0002): the provider's last word, and when the current run of attempts began
    provider_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    retrying_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # None: created_at

    ret: Mapped[ReturnRow] = relationship(back_populates="refunds")


class LabelRow(Base):
    """A bought or drawn label, kept so a reprint never buys a second one."""

    __tablename__ = "labels"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    return_seq: Mapped[int] = mapped_column(ForeignKey("returns.seq", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(64))
    tracking_number: Mapped[str] = mapped_column(String(128))
    carrier_reference: Mapped[str | None] = mapped_column(String(255), nullable=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only by the download (web/labels.py)
    cost: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # carrier labels (migration 0003): intent → purchase → outcome, voiding, tracking
    status: Mapped[str] = mapped_column(String(16), default="ISSUED", server_default="ISSUED")
    label_format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    purchase_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    qr_code_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    void_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    void_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # migration 0006
    carrier_voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expiry_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # migration 0009

    ret: Mapped[ReturnRow] = relationship(back_populates="labels")

    __table_args__ = (UniqueConstraint("purchase_key", name="uq_labels_purchase_key"),
                      Index("ix_labels_status_next", "status", "next_attempt_at"),
                      Index("ix_labels_carrier_tracking", "carrier", "tracking_number"))


class TrackingEventRow(Base):
    """A carrier tracking event, kept once: carriers repeat webhooks, the unique key drops the repeats."""

    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("carrier", "event_id", name="uq_tracking_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    carrier: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(255))
    label_id: Mapped[str | None] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"), nullable=True,
                                                 index=True)
    tracking_number: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReturnEventRow(Base):
    """The audit trail: every transition and staff action, with who and when."""

    __tablename__ = "return_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    return_seq: Mapped[int] = mapped_column(ForeignKey("returns.seq", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(320))
    type: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    ret: Mapped[ReturnRow] = relationship(back_populates="events")


class GoodwillSpendRow(Base):
    __tablename__ = "goodwill_spend"
    __table_args__ = (Index("ix_goodwill_staff_day", "tenant", "staff", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(255))
    staff: Mapped[str] = mapped_column(String(320))
    day: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    return_seq: Mapped[int] = mapped_column(ForeignKey("returns.seq", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedEventRow(Base):
    """A provider webhook event already applied: the same event id is never applied twice."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_processed_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(32))  # applied, ignored, unknown refund, ...
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SaleorInstallationRow(Base):
    """One Saleor instance that installed the app (migration 0004). Its API URL is the tenant key."""

    __tablename__ = "saleor_installations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    saleor_api_url: Mapped[str] = mapped_column(String(255), unique=True)
    app_id: Mapped[str] = mapped_column(String(255))
    auth_token: Mapped[str] = mapped_column(Text)  # Fernet-encrypted; "" once uninstalled
    saleor_domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    schema_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)  # what Saleor granted the app
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # the store's public keys, cached
    jwks_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SaleorWebhookDeliveryRow(Base):
    """A Saleor webhook body already applied (migration 0004): the same signed body is refused a second time."""

    __tablename__ = "saleor_webhook_deliveries"
    __table_args__ = (UniqueConstraint("tenant", "digest", name="uq_saleor_webhook_delivery"),
                      Index("ix_saleor_webhook_deliveries_received", "tenant", "received_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the raw body, hex
    event: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SaleorWritebackRow(Base):
    """Who is writing a return back into Saleor right now (migration 0004): one writer per return, and a
    flag for "something changed meanwhile, write once more"."""

    __tablename__ = "saleor_writebacks"

    return_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(255))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    again: Mapped[bool] = mapped_column(Boolean, default=False)


class StoreLookRow(Base):
    """How a store presents itself to shoppers in one channel: name, logo, accent colour, link to the shop."""

    __tablename__ = "store_looks"

    tenant: Mapped[str] = mapped_column(String(255), primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    logo_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    accent_color: Mapped[str | None] = mapped_column(String(7), nullable=True)
    shop_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(320))


class GoodwillBudgetRow(Base):
    """A daily goodwill budget set in the console: per currency, for everyone (staff "") or one staff member."""

    __tablename__ = "goodwill_budgets"

    tenant: Mapped[str] = mapped_column(String(255), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    staff: Mapped[str] = mapped_column(String(320), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Amount())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(320))


class NotificationRow(Base):
    """The outbox (migration 0009): an e-mail owed, written with the change that causes it; sent after."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),
                      Index("ix_notifications_status_next", "status", "next_attempt_at"),
                      Index("ix_notifications_tenant_return", "tenant", "return_id"),
                      Index("ix_notifications_tenant_seq", "tenant", "seq"))

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    tenant: Mapped[str] = mapped_column(String(255))
    return_id: Mapped[str] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(255))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)  # as sent (or held)
    body_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_html: Mapped[str | None] = mapped_column(Text, nullable=True)


class StoreMailSettingsRow(Base):
    """A store's e-mail settings from the console (migration 0009): on or off, and the sender."""

    __tablename__ = "store_mail_settings"

    tenant: Mapped[str] = mapped_column(String(255), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sender_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    sender_address: Mapped[str | None] = mapped_column(String(320), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(320))


class RateLimitCounterRow(Base):
    """A fixed-window request counter shared by every replica (migration 0007; adapters/ratelimit/sql_storage.py).

    `key` is the `limits` library's key (bucket, hashed identifiers, rate); `expires_at` is when the window ends,
    in seconds since the epoch."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = (Index("ix_rate_limit_counters_expires", "expires_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)


class StoreCreditRow(Base):
    """The standalone store's store credit ledger (migration 0013): one code per refund taken as store credit,
    found again by its refund's idempotency key."""

    __tablename__ = "store_credits"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_store_credits_key"),
                      Index("ix_store_credits_tenant_email", "tenant", "customer_email"))

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    return_number: Mapped[str] = mapped_column(String(32))
    customer_email: Mapped[str] = mapped_column(String(320))
    amount: Mapped[Decimal] = mapped_column(Amount())  # the refund plus the bonus: what the code is worth
    bonus: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReplacementRow(Base):
    """The standalone store's replacement shipments (migration 0013), one per return, found again by its key."""

    __tablename__ = "replacements"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_replacements_key"),)

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    return_number: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReplacementLineRow(Base):
    """A variant sent in a replacement: the units taken off the stock the orders file gives."""

    __tablename__ = "replacement_lines"
    __table_args__ = (Index("ix_replacement_lines_variant", "tenant", "variant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    replacement_number: Mapped[str] = mapped_column(ForeignKey("replacements.number", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(255))
    variant_id: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer)
