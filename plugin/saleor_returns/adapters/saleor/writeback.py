"""Write-backs: a return shows up in Saleor when a shipped-back parcel is received or a keep-item return is
approved — a note with the return number, resolution, tracking and the refund's real state, the units as
returned (orderFulfillmentReturnProducts, refund: false, with reasons: on receipt, and for keep-item returns
once the money is back), a note for each later refund outcome, and a short summary in the order's private
metadata (refund_notes.py has the money's words).

Each step is idempotent: the summary (private metadata key saleor-returns:<number>) is also the
marker of what is done; it is read first, marked "started" before the one step that must not run
twice (returning the units), and "done" after. Notes are found again by their first words.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from ...domain.lifecycle import Resolution
from ...ports import ReturnRecord, StoreRecordError, UpstreamUnavailable
from .client import SaleorClient
from .errors import SaleorError, SaleorUnavailable
from .markers import DONE, STARTED, Marker, MarkerLine, marker_key
from .refund_notes import NOTED, marker_refunds, refund_note, refund_state, refund_step, refund_tag

log = logging.getLogger(__name__)
RETURNED_STATUSES = frozenset({"RETURNED", "REFUNDED_AND_RETURNED"})
REASONS_SINCE = "3.24"  # Saleor accepts a reason per returned line from this schema version on


class SaleorWriteback:
    """The StoreRecorder of Saleor stores (ports.StoreRecorder); other tenants are left alone."""

    def __init__(self, tenants: Any) -> None:
        self.tenants = tenants  # adapters/saleor/tenants.py SaleorTenants

    def handles(self, tenant: str) -> bool:
        return tenant.startswith(("http://", "https://"))  # Saleor tenants are keyed by their API URL

    async def record(self, record: ReturnRecord) -> list[str]:
        """Do what is not done yet (ports.StoreRecorder); Saleor's refusals are StoreRecordError."""
        try:
            return await self._record(record)
        except SaleorUnavailable as exc:
            raise UpstreamUnavailable(str(exc)) from exc
        except SaleorError as exc:
            raise StoreRecordError(str(exc)) from exc

    async def _record(self, record: ReturnRecord) -> list[str]:
        installation = await self.tenants.installation(record.tenant)  # None: not an installed Saleor store
        if installation is None:
            return []
        client: SaleorClient = self.tenants.client(installation)
        key = marker_key(record.number)
        state = (await client.execute("WritebackState", {"id": record.order_id, "key": key})).get("order")
        if state is None:
            log.warning("the order is gone from Saleor", extra={"order_id": record.order_id, "return": record.number})
            return []
        stored = state.get("marker")
        marker = Marker.from_json(stored) or Marker(record.number, record.status, record.resolution, "")
        marker.status, marker.resolution = record.status, record.resolution
        marker.refund, marker.tracking = str(record.refund_total), record.tracking_number
        marker.refunds = marker_refunds(record)
        done: list[str] = []
        if record.units_back:
            done += await self._products(client, record, state, marker, installation.supports(REASONS_SINCE))
        if record.received and marker.steps.get("note") != DONE:
            if not _has_note(state, record.number):
                await _note(client, record, note_for(record))
                done.append("note")
                for refund in record.refunds:  # the note just told these outcomes
                    if refund.status in NOTED:
                        marker.steps[refund_step(refund)] = refund.status
            marker.steps["note"] = DONE
        for refund in record.refunds:  # a later success or failure: its own note, once per outcome
            if refund.status not in NOTED or marker.steps.get(refund_step(refund)) == refund.status:
                continue
            if not _has_tagged_note(state, refund_tag(refund)):
                await _note(client, record, refund_note(record, refund))
                done.append(f"refund {refund.status.lower()} note")
            marker.steps[refund_step(refund)] = refund.status
        if marker.to_json() != stored:
            await _save(client, record, marker)
            done.append("summary")
        return done

    async def _products(self, client: SaleorClient, record: ReturnRecord, state: dict[str, Any], marker: Marker,
                        with_reasons: bool) -> list[str]:
        step = marker.steps.get("products")
        if step == DONE:
            return []
        if step == STARTED and _already_returned(state, marker):
            marker.steps["products"] = DONE  # the call went through before a crash: never twice
            return []
        lines, marker.lines = allocate(record, state)
        marker.steps["products"] = STARTED
        await _save(client, record, marker)
        if lines:
            if with_reasons:
                await client.mutate("ReturnProducts", {"order": record.order_id, "lines": lines,
                                                       "reason": f"Return {record.number}"},
                                    "orderFulfillmentReturnProducts")
            else:
                plain = [{k: v for k, v in ln.items() if k != "reason"} for ln in lines]
                await client.mutate("ReturnProductsWithoutReasons", {"order": record.order_id, "lines": plain},
                                    "orderFulfillmentReturnProducts")
        marker.steps["products"] = DONE
        return ["returned products"] if lines else []


def allocate(record: ReturnRecord, state: dict[str, Any]) -> tuple[list[dict[str, Any]], list[MarkerLine]]:
    """The fulfillment lines to return (newest shipments first) and, per order line, where the units came from."""
    available: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    shipments = sorted((f for f in state.get("fulfillments") or () if f.get("status") == "FULFILLED"),
                       key=lambda f: f.get("created") or "", reverse=True)
    for f in shipments:
        for fl in f.get("lines") or ():
            order_line = (fl.get("orderLine") or {}).get("id")
            if order_line:
                available[order_line].append((f.get("created"), fl))
    lines, marks = [], []
    for line in record.lines:
        wanted = line.quantity
        for created, fl in available.get(line.order_line_id, ()):
            take = min(wanted, int(fl["quantity"]))
            if take <= 0:
                continue
            lines.append({"fulfillmentLineId": fl["id"], "quantity": take, "reason": line.reason})
            marks.append(MarkerLine(line.order_line_id, take, line.reason, created))
            fl["quantity"] = int(fl["quantity"]) - take
            wanted -= take
            if wanted == 0:
                break
        if wanted:
            log.warning("fewer shipped units in Saleor than the return holds", extra={
                "return": record.number, "order_line": line.order_line_id, "missing": wanted})
    return lines, marks


def note_for(record: ReturnRecord) -> str:
    """The order note staff read in the Dashboard (its first words find it again)."""
    how = "the shopper keeps the items" if record.resolution == Resolution.KEEP_ITEM.value else "parcel received"
    lines = "; ".join(f"{ln.quantity} × {ln.product_name} ({ln.reason}{': ' + ln.comment if ln.comment else ''})"
                      for ln in record.lines)
    text = f"Return {record.number}: {how}. {lines}. {refund_state(record)}"
    if record.tracking_number:
        text += f" Label {record.carrier or ''} {record.tracking_number}.".replace("  ", " ")
    return text + " (saleor-returns)"


async def _note(client: SaleorClient, record: ReturnRecord, message: str) -> None:
    await client.mutate("OrderNoteAdd", {"order": record.order_id, "message": message}, "orderNoteAdd")


def _has_tagged_note(state: dict[str, Any], tag: str) -> bool:
    return any(e.get("type") == "NOTE_ADDED" and tag in str(e.get("message") or "") for e in state.get("events") or ())


def _has_note(state: dict[str, Any], number: str) -> bool:
    """The return's own note (refund outcome notes start with the return number too, but end with a tag)."""
    prefix = f"Return {number}:"
    return any(e.get("type") == "NOTE_ADDED" and str(e.get("message") or "").startswith(prefix)
               and "(saleor-returns refund " not in str(e.get("message") or "") for e in state.get("events") or ())


def _already_returned(state: dict[str, Any], marker: Marker) -> bool:
    returned: dict[str, int] = defaultdict(int)
    for f in state.get("fulfillments") or ():
        if f.get("status") in RETURNED_STATUSES:
            for fl in f.get("lines") or ():
                returned[(fl.get("orderLine") or {}).get("id") or ""] += int(fl["quantity"])
    return bool(marker.lines) and all(returned[ml.line] >= ml.qty for ml in marker.lines)


async def _save(client: SaleorClient, record: ReturnRecord, marker: Marker) -> None:
    await client.mutate("UpdateOrderPrivateMetadata", {
        "id": record.order_id, "input": [{"key": marker_key(record.number), "value": marker.to_json()}]},
        "updatePrivateMetadata")
