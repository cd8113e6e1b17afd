"""Tables. Every row belongs to a tenant (one Saleor instance, or the demo store)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
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
        Index("ix_returns_tenant_status", "tenant", "status"),
        Index("ix_returns_tenant_order", "tenant", "order_id"),
        Index("ix_returns_tenant_customer", "tenant", "customer_email"),
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    return_seq: Mapped[int] = mapped_column(ForeignKey("returns.seq", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[str] = mapped_column(String(255))
    product_name: Mapped[str] = mapped_column(String(512))
    sku: Mapped[str | None] = mapped_column(String(255), nullable=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    refund_amount: Mapped[Decimal] = mapped_column(Amount())

    ret: Mapped[ReturnRow] = relationship(back_populates="lines")


class RefundRow(Base):
    """One refund: the intent is saved before the gateway is called, the outcome after."""

    __tablename__ = "refunds"
    __table_args__ = (Index("ix_refunds_status_next", "status", "next_attempt_at"),)

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

    ret: Mapped[ReturnRow] = relationship(back_populates="refunds")


class LabelRow(Base):
    """A bought or drawn label, kept so a reprint never buys a second one."""

    __tablename__ = "labels"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    return_seq: Mapped[int] = mapped_column(ForeignKey("returns.seq", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(64))
    tracking_number: Mapped[str] = mapped_column(String(128))
    carrier_reference: Mapped[str | None] = mapped_column(String(255), nullable=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    cost: Mapped[Decimal | None] = mapped_column(Amount(), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    ret: Mapped[ReturnRow] = relationship(back_populates="labels")


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
