"""decision snapshots and analytics indexes

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-10

Every return keeps what its decision saw (returns.decision_seen, JSON: the order as it was read, the lines
asked, the exception flag, the customer's keep-item returns, the units and money already on the order, the
label cost, and what was decided) so a policy simulation can run the same decision again. Returns decided
before this revision get what the tables still tell (the lines asked, the flag, the history counted from the
other returns, the outcome from the trace) and are marked not replayable: the order as it was read then was
never kept. Covering indexes serve the period queries of simulations and analytics.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

import saleor_returns.adapters.db.types as types

revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None

WHY = "decided before migration 0011: the order as it was read then was not kept"
ACTIVE = ("REQUESTED", "PENDING_REVIEW", "APPROVED", "LABEL_ISSUED", "IN_TRANSIT", "RECEIVED", "REFUNDED", "CLOSED",
          "REFUND_FAILED")  # every status but REJECTED and CANCELLED, as of this revision
COMMITTED = ("PENDING", "SUCCEEDED", "REQUIRES_ACTION")
LOOKBACK = timedelta(days=365)

returns = sa.table(
    "returns", sa.column("seq", sa.Integer), sa.column("tenant", sa.String), sa.column("order_id", sa.String),
    sa.column("customer_email", sa.String), sa.column("status", sa.String), sa.column("resolution", sa.String),
    sa.column("currency", sa.String), sa.column("refund_total", types.Amount()),
    sa.column("shipping_deduction", types.Amount()), sa.column("shipping_refund", types.Amount()),
    sa.column("policy_version", sa.Integer), sa.column("decision", sa.JSON),
    sa.column("exception_requested", sa.Boolean), sa.column("created_at", types.UTCDateTime()),
    sa.column("decision_seen", sa.JSON(none_as_null=True)))
lines = sa.table("return_lines", sa.column("return_seq", sa.Integer), sa.column("order_line_id", sa.String),
                 sa.column("quantity", sa.Integer), sa.column("reason", sa.String), sa.column("comment", sa.Text))
refunds = sa.table("refunds", sa.column("return_seq", sa.Integer), sa.column("payment_id", sa.String),
                   sa.column("amount", types.Amount()), sa.column("status", sa.String),
                   sa.column("created_at", types.UTCDateTime()))


def upgrade() -> None:
    with op.batch_alter_table("returns") as batch:
        batch.add_column(sa.Column("decision_seen", sa.JSON(), nullable=True))
    # covering: the grouped queries of analytics read these columns only, never the wide rows
    op.create_index("ix_returns_tenant_channel_created", "returns",
                    ["tenant", "channel", "created_at", "status", "resolution", "currency", "seq"])
    op.create_index("ix_returns_tenant_created", "returns",
                    ["tenant", "created_at", "channel", "status", "resolution", "currency", "seq"])
    op.create_index("ix_return_lines_insight", "return_lines",
                    ["return_seq", "reason", "quantity", "refund_amount", "sku"])
    op.create_index("ix_refunds_insight", "refunds", ["return_seq", "status", "amount", "updated_at"])
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_refunds_insight", table_name="refunds")
    op.drop_index("ix_return_lines_insight", table_name="return_lines")
    op.drop_index("ix_returns_tenant_created", table_name="returns")
    op.drop_index("ix_returns_tenant_channel_created", table_name="returns")
    with op.batch_alter_table("returns") as batch:
        batch.drop_column("decision_seen")


def backfill(conn: Any) -> None:
    """What the tables still tell about each earlier decision, marked not replayable."""
    rows = conn.execute(sa.select(returns).where(returns.c.decision_seen.is_(None)).order_by(returns.c.seq)).all()
    if not rows:
        return
    asked: dict[int, list[Any]] = defaultdict(list)
    for ln in conn.execute(sa.select(lines)).all():
        asked[ln.return_seq].append(ln)
    paid: dict[int, list[Any]] = defaultdict(list)
    for rf in conn.execute(sa.select(refunds).where(refunds.c.status.in_(COMMITTED))).all():
        paid[rf.return_seq].append(rf)
    every = conn.execute(sa.select(returns.c.seq, returns.c.tenant, returns.c.order_id, returns.c.customer_email,
                                   returns.c.status, returns.c.resolution, returns.c.currency, returns.c.refund_total,
                                   returns.c.created_at)).all()
    by_order: dict[tuple[str, str], list[Any]] = defaultdict(list)
    by_customer: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in every:
        by_order[(r.tenant, r.order_id)].append(r)
        by_customer[(r.tenant, r.customer_email.lower())].append(r)
    for r in rows:
        customer = by_customer[(r.tenant, r.customer_email.lower())]
        seen = _seen(r, asked, paid, by_order[(r.tenant, r.order_id)], customer)
        conn.execute(returns.update().where(returns.c.seq == r.seq).values(decision_seen=seen))


def _seen(r: Any, asked: dict[int, list[Any]], paid: dict[int, list[Any]], same_order: list[Any],
          same_customer: list[Any]) -> dict[str, Any]:
    decision = r.decision if isinstance(r.decision, dict) else json.loads(r.decision or "{}")
    returned: dict[str, int] = defaultdict(int)
    committed: dict[str, Decimal] = defaultdict(Decimal)
    for o in [o for o in same_order if o.seq < r.seq]:
        if o.status in ACTIVE:
            for ln in asked[o.seq]:
                returned[ln.order_line_id] += ln.quantity
        for rf in paid[o.seq]:
            if rf.created_at <= r.created_at:
                committed[rf.payment_id] += Decimal(rf.amount)
    kept = [[o.created_at.isoformat(), str(o.refund_total), o.currency] for o in same_customer
            if o.seq != r.seq and o.resolution == "KEEP_ITEM" and o.status in ACTIVE and o.currency == r.currency
            and r.created_at - LOOKBACK <= o.created_at < r.created_at]
    requested = [{"line": ln.order_line_id, "quantity": ln.quantity, "reason": ln.reason, "comment": ln.comment}
                 for ln in asked[r.seq]]
    requested += [{"line": x["orderLineId"], "quantity": int(x["quantity"]), "reason": "", "comment": None}
                  for x in decision.get("refused", ())]  # the reason of a refused line was not kept
    status, resolution, refund = _outcome(r, decision)
    return {
        "format": 1, "replayable": False, "why_not_replayable": WHY, "decided_at": r.created_at.isoformat(),
        "policy_version": r.policy_version, "currency": r.currency, "requested": requested,
        "exception_requested": bool(r.exception_requested), "returned": dict(returned),
        "committed": {k: str(v) for k, v in committed.items()}, "keep_item_returns": sorted(kept),
        "label_cost": None,
        "outcome": {"status": status, "resolution": resolution, "refund": refund,
                    "restocking_fee": str(decision.get("restocking_fee") or "0"),
                    "shipping_deduction": str(r.shipping_deduction), "shipping_refund": str(r.shipping_refund)},
        "order": None,
    }


def _outcome(r: Any, decision: dict[str, Any]) -> tuple[str, str | None, str]:
    """The decision's own last trace line says what it decided ("APPROVED": "KEEP_ITEM, refund 19.99 USD"); an
    exception request ends in review; otherwise the return's columns are the best there is."""
    for t in reversed(decision.get("trace") or []):
        if t.get("rule") == "decision":
            head, _, refund = str(t.get("detail", "")).partition(", refund ")
            amount = refund.split(" ")[0] if refund else str(r.refund_total)
            return str(t.get("verdict")), head or r.resolution, amount
        if t.get("rule") == "exception":
            return "PENDING_REVIEW", "SHIP_BACK", str(r.refund_total)
    status = "PENDING_REVIEW" if r.status == "PENDING_REVIEW" else "APPROVED"
    return status, r.resolution, str(r.refund_total)
