"""Reading whole returns with SQLAlchemy Core: the returns a filter selects, then their lines, refunds, labels
and trail, each in one statement for all of them (five statements, whatever the number of returns or lines).

Core rows, not ORM objects: the statements are built once and their compiled form cached, and no identity map
or attribute instrumentation is paid for on the hot paths (a keep-item return reads its return back once)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import LabelRow, RefundRow, ReturnEventRow, ReturnLineRow, ReturnRow

RETURNS: Table = ReturnRow.__table__  # type: ignore[assignment]
LINES: Table = ReturnLineRow.__table__  # type: ignore[assignment]
REFUNDS: Table = RefundRow.__table__  # type: ignore[assignment]
LABELS: Table = LabelRow.__table__  # type: ignore[assignment]
EVENTS: Table = ReturnEventRow.__table__  # type: ignore[assignment]

_SEQS: Any = bindparam("seqs", expanding=True)
_CHILDREN = {  # each child table in the order the aggregate keeps it (models.py's relationships)
    "lines": select(LINES).where(LINES.c.return_seq.in_(_SEQS)).order_by(LINES.c.id),
    "refunds": select(REFUNDS).where(REFUNDS.c.return_seq.in_(_SEQS)).order_by(REFUNDS.c.created_at),
    # the PDF stays on disk: only the download reads it (label_pdf)
    "labels": select(*(c for c in LABELS.c if c.name != "pdf")).where(LABELS.c.return_seq.in_(_SEQS))
    .order_by(LABELS.c.created_at),
    "events": select(EVENTS).where(EVENTS.c.return_seq.in_(_SEQS)).order_by(EVENTS.c.id),
}


@dataclass(frozen=True, slots=True)
class LoadedReturn:
    row: Any  # each read by attribute: Core rows, or a joined row's parts
    lines: list[Any]
    refunds: list[Any]
    labels: list[Any]
    events: list[Any]

    @property
    def seq(self) -> int:
        return int(self.row.seq)


_TABLES = {"returns": RETURNS, "lines": LINES, "refunds": REFUNDS, "labels": LABELS, "events": EVENTS}
_JOINED_COLUMNS = {name: [c for c in table.c if c.name != "pdf"] for name, table in _TABLES.items()}


def returns_where(*where: ColumnElement[bool]) -> Select[Any]:
    return select(RETURNS).where(*where)


async def load(conn: AsyncConnection, stmt: Select[Any], params: dict[str, Any] | None = None) -> list[LoadedReturn]:
    """The returns `stmt` (a select of the returns table) finds, whole, in its order."""
    rows = (await conn.execute(stmt, params or {})).all()
    if not rows:
        return []
    seqs = [r.seq for r in rows]
    children: dict[str, dict[int, list[Row[Any]]]] = {}
    for name, child in _CHILDREN.items():
        by_seq: dict[int, list[Row[Any]]] = defaultdict(list)
        for found in (await conn.execute(child, {"seqs": seqs})).all():
            by_seq[found.return_seq].append(found)
        children[name] = by_seq
    return [LoadedReturn(r, children["lines"].get(r.seq, []), children["refunds"].get(r.seq, []),
                         children["labels"].get(r.seq, []), children["events"].get(r.seq, [])) for r in rows]


def joined_where(*where: ColumnElement[bool]) -> Select[Any]:
    """The returns `where` selects with every part joined: ONE statement (each return comes back as many rows as
    its lines x refunds x labels x events; for the few returns of a page of orders, not for a store's list)."""
    columns = [c.label(f"{name}__{c.name}") for name, cols in _JOINED_COLUMNS.items() for c in cols]
    joined = (RETURNS.outerjoin(LINES, LINES.c.return_seq == RETURNS.c.seq)
              .outerjoin(REFUNDS, REFUNDS.c.return_seq == RETURNS.c.seq)
              .outerjoin(LABELS, LABELS.c.return_seq == RETURNS.c.seq)
              .outerjoin(EVENTS, EVENTS.c.return_seq == RETURNS.c.seq))
    return (select(*columns).select_from(joined).where(*where)
            .order_by(RETURNS.c.seq, LINES.c.id, REFUNDS.c.created_at, LABELS.c.created_at, EVENTS.c.id))


async def load_joined(conn: AsyncConnection, stmt: Select[Any], params: dict[str, Any] | None = None
                      ) -> list[LoadedReturn]:
    """The returns a joined_where statement finds, whole, each part once and in its order."""
    found: dict[int, dict[str, Any]] = {}
    for row in (await conn.execute(stmt, params or {})).mappings():
        seq = row["returns__seq"]
        one = found.get(seq)
        if one is None:
            one = found[seq] = {"row": _part(row, "returns"), "seen": set(),
                                **{name: [] for name in ("lines", "refunds", "labels", "events")}}
        for name in ("lines", "refunds", "labels", "events"):
            key = row[f"{name}__id"]
            if key is not None and (name, key) not in one["seen"]:
                one["seen"].add((name, key))
                one[name].append(_part(row, name))
    return [LoadedReturn(one["row"], one["lines"], one["refunds"], one["labels"], one["events"])
            for one in found.values()]


def _part(row: Any, name: str) -> Any:
    """One table's columns of a joined row, read by attribute like a row of that table."""
    return SimpleNamespace(**{c.name: row[f"{name}__{c.name}"] for c in _JOINED_COLUMNS[name]})
