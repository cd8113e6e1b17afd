"""Writing returns back with SQLAlchemy Core: the unit of work's identity map of returns, what each row held
when it was read or last written, and on flush a statement per kind of change, whatever the number of lines.

Each statement is built once (module level) and executed with parameters, so SQLAlchemy compiles it once per
process; a row is written only when one of its values changed."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ...domain.returns import Return
from .mapping import (
    event_values,
    label_insert_values,
    label_values,
    line_insert_values,
    line_values,
    refund_insert_values,
    refund_values,
    return_from_row,
    return_insert_values,
    return_values,
)
from .return_loading import EVENTS, LABELS, LINES, REFUNDS, RETURNS, LoadedReturn


def _update_by(table: Table, key: str, columns: Iterable[str]) -> Any:
    """UPDATE table SET each column = :column WHERE key = :_key (executemany-ready)."""
    return (update(table).where(table.c[key] == bindparam("_key"))
            .values({name: bindparam(name) for name in columns}))


_INSERT_RETURN = insert(RETURNS).returning(RETURNS.c.seq)
_SET_NUMBER = update(RETURNS).where(RETURNS.c.seq == bindparam("_key")).values(number=bindparam("number"))
_INSERT_LINES = insert(LINES)
_INSERT_REFUNDS = insert(REFUNDS)
_INSERT_LABELS = insert(LABELS)
_INSERT_EVENTS = insert(EVENTS)
_LINE_IDS = select(LINES.c.id).where(LINES.c.return_seq == bindparam("seq")).order_by(LINES.c.id)
_updates: dict[tuple[str, tuple[str, ...]], Any] = {}


def _update(table: Table, key: str, values: dict[str, Any]) -> Any:
    """The (cached) UPDATE statement that writes these columns of a row found by `key`."""
    columns = tuple(name for name in values if name != "_key")
    stmt = _updates.get((table.name, columns))
    if stmt is None:
        stmt = _updates[(table.name, columns)] = _update_by(table, key, columns)
    return stmt


def _changed(now: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """The values that differ from what the row held."""
    if before is None:
        return now
    return {name: value for name, value in now.items() if before.get(name) != value}


@dataclass
class _Seen:
    """A return of this unit of work, and what its rows held when read or last written."""

    ret: Return
    seq: int
    row: dict[str, Any]
    lines: list[tuple[int | None, dict[str, Any]]]  # (line id, values); id None: inserted, id not read back yet
    refunds: dict[str, dict[str, Any]]
    labels: dict[str, dict[str, Any]]
    saved_events: int
    pdfs: dict[str, bytes] = field(default_factory=dict)  # label PDFs written by this unit of work


@dataclass
class Tracker:
    """The returns a unit of work loaded or added, one object per return (an identity map): written back on
    commit. A return read again in the same unit of work is the same object, with its changes so far."""

    seen: dict[str, _Seen] = field(default_factory=dict)  # by return id
    added: list[Return] = field(default_factory=list)
    fresh: list[tuple[Return, int]] = field(default_factory=list)  # returns with new events, from which on

    def watch(self, loaded: LoadedReturn) -> Return:
        found = self.seen.get(loaded.row.id)
        if found is None:
            ret = return_from_row(loaded.row, loaded.lines, loaded.refunds, loaded.labels, loaded.events)
            found = self.seen[ret.id] = _Seen(
                ret, loaded.seq, return_values(ret),
                [(int(row.id), line_values(line)) for row, line in zip(loaded.lines, ret.lines, strict=True)],
                {r.id: refund_values(r) for r in ret.refunds}, {lb.id: label_values(lb) for lb in ret.labels},
                len(ret.events))
        return found.ret

    def adopt(self, ret: Return, seq: int) -> Return:
        """A return saved by an earlier unit of work and not written since (its version is the stored one): the
        same object, taken as it is stored."""
        self.seen[ret.id] = _Seen(ret, seq, return_values(ret), [(None, line_values(ln)) for ln in ret.lines],
                                  {r.id: refund_values(r) for r in ret.refunds},
                                  {lb.id: label_values(lb) for lb in ret.labels}, len(ret.events),
                                  {lb.id: lb.pdf for lb in ret.labels if lb.pdf is not None})
        return ret

    async def flush(self, conn: AsyncConnection) -> None:
        """Rows for new returns (numbered from their sequence), changes of the loaded ones, new events; each
        return written adds one to its version."""
        added, self.added = self.added, []
        for ret in added:
            await self._insert(conn, ret)
        inserted = {ret.id for ret in added}  # their version 0 covers what the insert wrote
        changed_returns: list[dict[str, Any]] = []
        new_refunds: list[dict[str, Any]] = []
        new_labels: list[dict[str, Any]] = []
        for seen in self.seen.values():
            ret = seen.ret
            values = return_values(ret)
            changed = _changed(values, seen.row)
            dirty = bool(changed) or len(ret.events) > seen.saved_events
            seen.row = values
            dirty |= await self._lines(conn, seen)
            dirty |= await self._refunds(conn, seen, new_refunds)
            dirty |= await self._labels(conn, seen, new_labels)
            if dirty and ret.id not in inserted:
                ret.version += 1  # under the order's lock, which every writer of a return holds
                changed_returns.append(changed | {"version": ret.version, "_key": seen.seq})
        for row in changed_returns:  # only what changed (a decision's JSON is not written again for a status)
            await conn.execute(_update(RETURNS, "seq", row), row)
        if new_refunds:
            await conn.execute(_INSERT_REFUNDS, new_refunds)
        if new_labels:
            await conn.execute(_INSERT_LABELS, new_labels)
        await self._events(conn)

    async def _refunds(self, conn: AsyncConnection, seen: _Seen, new: list[dict[str, Any]]) -> bool:
        """Update the refunds that changed, collect the new ones in `new`; whether any did either."""
        wrote = False
        for refund in seen.ret.refunds:
            now = refund_values(refund)
            before = seen.refunds.get(refund.id)
            if before is None:
                new.append(refund_insert_values(seen.seq, seen.ret, refund))
            elif now != before:
                diff = _changed(now, before)
                await conn.execute(_update(REFUNDS, "id", diff), diff | {"_key": refund.id})
            wrote |= now != before
            seen.refunds[refund.id] = now
        return wrote

    async def _labels(self, conn: AsyncConnection, seen: _Seen, new: list[dict[str, Any]]) -> bool:
        """Update the labels that changed (and a PDF issued in this unit of work), collect the new ones in `new`;
        whether any did either."""
        wrote = False
        for label in seen.ret.labels:
            now = label_values(label)
            before = seen.labels.get(label.id)
            pdf = label.pdf if label.pdf is not None and seen.pdfs.get(label.id) is not label.pdf else None
            if before is None:
                new.append(label_insert_values(seen.seq, label))
            elif now != before or pdf is not None:
                diff = _changed(now, before) | ({"pdf": pdf} if pdf is not None else {})
                await conn.execute(_update(LABELS, "id", diff), diff | {"_key": label.id})
            wrote |= now != before or pdf is not None
            seen.labels[label.id] = now
            if label.pdf is not None:
                seen.pdfs[label.id] = label.pdf
        return wrote

    async def _insert(self, conn: AsyncConnection, ret: Return) -> None:
        values = return_insert_values(ret)
        seq = int((await conn.execute(_INSERT_RETURN, values)).scalar_one())
        ret.number = f"R-{10000 + seq}"  # the number comes from the sequence the insert gave
        await conn.execute(_SET_NUMBER, {"_key": seq, "number": ret.number})
        if ret.lines:
            await conn.execute(_INSERT_LINES, [line_insert_values(seq, ln) for ln in ret.lines])
        self.seen[ret.id] = _Seen(ret, seq, {k: values[k] for k in return_values(ret)},
                                  [(None, line_values(ln)) for ln in ret.lines], {}, {}, 0)

    async def _lines(self, conn: AsyncConnection, seen: _Seen) -> bool:
        """Write the lines that changed (only a replacement out of stock changes them); whether any did."""
        changed = [(i, now) for i, (line, (_, before)) in enumerate(zip(seen.ret.lines, seen.lines, strict=True))
                   if (now := line_values(line)) != before]
        if not changed:
            return False
        if any(seen.lines[i][0] is None for i, _ in changed):  # inserted in this unit of work: read the ids
            ids = [int(r.id) for r in (await conn.execute(_LINE_IDS, {"seq": seen.seq})).all()]
            seen.lines = [(ids[i], values) for i, (_, values) in enumerate(seen.lines)]
        rows = []
        for i, now in changed:
            line_id = seen.lines[i][0]
            rows.append(now | {"_key": line_id})
            seen.lines[i] = (line_id, now)
        await conn.execute(_update(LINES, "id", rows[0]), rows)
        return True

    async def _events(self, conn: AsyncConnection) -> None:
        """New events of every return, in one INSERT (the trail is only ever appended to)."""
        rows = []
        for seen in self.seen.values():
            fresh = seen.ret.events[seen.saved_events:]
            if fresh:
                self.fresh.append((seen.ret, seen.saved_events))  # the outbox follows these (uow.py)
                rows += [event_values(seen.seq, e) for e in fresh]
            seen.saved_events = len(seen.ret.events)
        if rows:
            await conn.execute(_INSERT_EVENTS, rows)
