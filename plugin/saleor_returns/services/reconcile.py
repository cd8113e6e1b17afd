"""Use case: do our refunds and the provider's agree? (`saleor-returns reconcile --since 7d`)

For every payment that had a refund of ours created in the window, list what the provider holds for
that payment and compare refund by refund (matched by the provider's refund id, else by our refund
id in its metadata): missing on either side, different amounts, different statuses. Provider refunds
without our metadata were made elsewhere (the Stripe Dashboard, another app) and are only counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..domain.refunds import Refund, RefundStatus
from ..ports import ProviderRefund, RefundLedger
from .context import Deps

# ours without a provider refund is only wrong when the provider must have one
_MUST_EXIST = frozenset({RefundStatus.SUCCEEDED, RefundStatus.REQUIRES_ACTION})


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: str  # missing_at_provider | missing_here | amount | status
    payment_reference: str
    return_number: str | None = None
    refund_id: str | None = None
    provider_id: str | None = None
    ours: str = "-"
    theirs: str = "-"


@dataclass
class Reconciliation:
    gateway: str
    since: datetime
    payments: int = 0
    compared: int = 0  # our refunds looked at
    made_elsewhere: int = 0  # provider refunds on these payments not made by this app
    mismatches: list[Mismatch] = field(default_factory=list)


async def reconcile(deps: Deps, ledger: RefundLedger, gateway: str, since: datetime) -> Reconciliation:
    """Compare our `gateway` refunds on the payments refunded since `since` with what the provider holds."""
    async with deps.uow(readonly=True) as uow:
        rows = await uow.returns.refunds_on_payments_since(gateway, since)
    by_payment: dict[str, list[tuple[Refund, str]]] = {}
    for refund, number in rows:
        by_payment.setdefault(refund.payment_reference, []).append((refund, number))
    result = Reconciliation(gateway, since, payments=len(by_payment), compared=len(rows))
    for payment, ours in by_payment.items():
        _compare(result, payment, ours, await ledger.list_refunds(payment))
    return result


def _compare(result: Reconciliation, payment: str, ours: list[tuple[Refund, str]],
             theirs: list[ProviderRefund]) -> None:
    by_provider_id = {t.provider_id: t for t in theirs}
    by_our_id = {t.refund_id: t for t in theirs if t.refund_id}
    matched: set[str] = set()
    for row, number in ours:
        found = (by_provider_id.get(row.psp_reference) if row.psp_reference else None) or by_our_id.get(row.id)
        if found is None:
            if _must_exist(row):
                result.mismatches.append(_mismatch("missing_at_provider", payment, row, number, None))
            continue
        matched.add(found.provider_id)
        if found.amount != row.amount:
            result.mismatches.append(_mismatch("amount", payment, row, number, found))
        elif found.status is not row.status:
            result.mismatches.append(_mismatch("status", payment, row, number, found))
    for other in theirs:
        if other.provider_id in matched:
            continue
        if other.refund_id:  # ours by its metadata, yet no row of ours matches it: paid twice?
            result.mismatches.append(Mismatch("missing_here", payment, refund_id=other.refund_id,
                                              provider_id=other.provider_id, theirs=_theirs(other)))
        else:
            result.made_elsewhere += 1


def _must_exist(row: Refund) -> bool:
    return row.status in _MUST_EXIST or row.psp_reference is not None


def _mismatch(kind: str, payment: str, row: Refund, number: str, found: ProviderRefund | None) -> Mismatch:
    return Mismatch(kind, payment, return_number=number, refund_id=row.id,
                    provider_id=found.provider_id if found else row.psp_reference,
                    ours=f"{row.amount} {row.status.value}", theirs=_theirs(found) if found else "-")


def _theirs(found: ProviderRefund) -> str:
    return f"{found.amount if found.amount is not None else '?'} {found.status.value}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "es" if noun.endswith("ch") else "s")


COLUMNS = (("KIND", "kind"), ("RETURN", "return_number"), ("REFUND", "refund_id"), ("PAYMENT", "payment_reference"),
           ("PROVIDER REFUND", "provider_id"), ("OURS", "ours"), ("PROVIDER", "theirs"))


def render(result: Reconciliation) -> str:
    """The mismatches as a plain-text table, then one summary line."""
    summary = (f"{_count(result.compared, result.gateway + ' refund')} on {_count(result.payments, 'payment')} "
               f"since {result.since.isoformat(timespec='seconds')}: {_count(len(result.mismatches), 'mismatch')}"
               + (f"; {_count(result.made_elsewhere, 'refund')} made outside saleor-returns (not compared)"
                  if result.made_elsewhere else ""))
    if not result.mismatches:
        return summary
    cells = [[str(getattr(m, attr) or "-") for _, attr in COLUMNS] for m in result.mismatches]
    widths = [max(len(title), *(len(row[i]) for row in cells)) for i, (title, _) in enumerate(COLUMNS)]
    lines = ["  ".join(title.ljust(w) for (title, _), w in zip(COLUMNS, widths, strict=True)).rstrip()]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join([*lines, "", summary])
