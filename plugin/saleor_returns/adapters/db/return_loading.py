"""Reading whole returns with SQLAlchemy Core: the returns a filter selects, then their lines, refunds, labels
and trail, each in one statement for all of them (five statements, whatever the number of returns or lines).

Core rows, not ORM objects: the statements are built once and their compiled form cached, and no identity map
or attribute instrumentation is paid for on the hot paths (a keep-item return reads its return back once)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
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
    row: Row[Any]
    lines: list[Row[Any]]
    refunds: list[Row[Any]]
    labels: list[Row[Any]]
    events: list[Row[Any]]

    @property
    def seq(self) -> int:
        return int(self.row.seq)


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
