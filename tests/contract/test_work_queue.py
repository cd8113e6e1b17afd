"""ports.WorkQueue: the worker's view of durable work due now, across every tenant, on memory and SQL."""
from __future__ import annotations

from datetime import timedelta

from saleor_returns.domain.labels import LabelStatus, VoidStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.domain.returns import Return
from saleor_returns.ports import ReturnRef, UnitOfWorkFactory, WorkItem
from support.return_builder import OTHER_TENANT, TENANT, a_label, a_refund, a_return, at

NOW = at(60)
LEASE = timedelta(minutes=2)


async def save(uows: UnitOfWorkFactory, *returns: Return) -> None:
    async with uows() as tx:
        for ret in returns:
            tx.returns.add(ret)
        await tx.commit()


def ref(ret: Return) -> ReturnRef:
    return ReturnRef(ret.tenant, ret.id, ret.order_id)


async def claim(uows: UnitOfWorkFactory, now=NOW, limit: int = 10, commit: bool = True) -> list[WorkItem]:
    async with uows() as tx:
        items = await tx.work.claim_due_refunds(now, limit, LEASE)
        if commit:
            await tx.commit()
    return items


# --- refunds -------------------------------------------------------------------------------------
async def test_due_pending_refunds_of_every_tenant_are_claimed_oldest_first(uows):
    due_new, due_old = a_refund(created_at=at(5), next_attempt_at=at(50)), a_refund(created_at=at(1))
    mine = a_return(refunds=[due_new, a_refund(created_at=at(0), next_attempt_at=at(61)),  # not yet
                             a_refund(created_at=at(0), status=RefundStatus.SUCCEEDED),
                             a_refund(created_at=at(0), status=RefundStatus.REQUIRES_ACTION, next_attempt_at=at(1))])
    theirs = a_return(tenant=OTHER_TENANT, order_id="ORD-9",
                      refunds=[due_old, a_refund(created_at=at(2), next_attempt_at=NOW)])
    await save(uows, mine, theirs)

    items = await claim(uows, limit=2)

    assert items == [WorkItem(ref(theirs), due_old.id), WorkItem(ref(theirs), theirs.refunds[1].id)]
    assert await claim(uows) == [WorkItem(ref(mine), due_new.id)]  # the rest, once


async def test_a_claimed_refund_is_not_claimed_again_within_its_lease(uows):
    ret = a_return(refunds=[a_refund()])
    await save(uows, ret)
    item = WorkItem(ref(ret), ret.refunds[0].id)

    assert await claim(uows) == [item]
    assert await claim(uows) == []
    assert await claim(uows, NOW + LEASE - timedelta(seconds=1)) == []
    # the lease over (the worker that took it died): it is due again
    assert await claim(uows, NOW + LEASE) == [item]


async def test_a_claim_pushes_the_refunds_next_attempt_one_lease_ahead(uows):
    ret = a_return(refunds=[a_refund()])
    await save(uows, ret)
    await claim(uows)
    async with uows(readonly=True) as tx:
        loaded = await tx.returns.get(TENANT, ret.id)
    assert loaded is not None and loaded.refunds[0].next_attempt_at == NOW + LEASE


async def test_a_claim_not_committed_is_not_kept(uows):
    ret = a_return(refunds=[a_refund()])
    await save(uows, ret)
    assert len(await claim(uows, commit=False)) == 1
    assert len(await claim(uows)) == 1


async def test_a_refund_claimed_in_a_unit_of_work_is_not_claimed_again_in_it(uows):
    ret = a_return(refunds=[a_refund()])
    await save(uows, ret)
    async with uows() as tx:
        first = await tx.work.claim_due_refunds(NOW, 10, LEASE)
        again = await tx.work.claim_due_refunds(NOW, 10, LEASE)
        await tx.commit()
    assert len(first) == 1 and again == []


async def test_a_claimed_refund_loaded_in_the_same_unit_of_work_keeps_its_lease(uows):
    ret = a_return(refunds=[a_refund()])
    await save(uows, ret)
    async with uows() as tx:
        [item] = await tx.work.claim_due_refunds(NOW, 10, LEASE)
        loaded = await tx.returns.get(item.ref.tenant, item.ref.return_id)
        assert loaded is not None and loaded.refunds[0].next_attempt_at == NOW + LEASE
        loaded.note = "looked at"
        await tx.commit()
    assert await claim(uows) == []


# --- plans and records ---------------------------------------------------------------------------
async def test_returns_owed_a_refund_plan_are_due_when_their_time_has_come(uows):
    late, early, future = (a_return(refund_due_at=at(30)), a_return(tenant=OTHER_TENANT, refund_due_at=at(10)),
                           a_return(refund_due_at=at(61)))
    await save(uows, late, early, future, a_return(), a_return(refund_due_at=NOW, record_due_at=at(0)))
    async with uows(readonly=True) as tx:
        due = await tx.work.due_refund_plans(NOW, 10)
        limited = await tx.work.due_refund_plans(NOW, 1)
    assert due[:2] == [ref(early), ref(late)] and len(due) == 3 and ref(future) not in due
    assert limited == [ref(early)]


async def test_returns_the_stores_books_must_hear_about_are_due_when_their_time_has_come(uows):
    a, b = a_return(record_due_at=at(20)), a_return(tenant=OTHER_TENANT, record_due_at=at(5))
    await save(uows, a, b, a_return(record_due_at=at(61)), a_return(refund_due_at=at(0)))
    async with uows(readonly=True) as tx:
        assert await tx.work.due_records(NOW, 10) == [ref(b), ref(a)]
        assert await tx.work.due_records(NOW, 1) == [ref(b)]


# --- labels --------------------------------------------------------------------------------------
async def test_label_purchases_to_try_again(uows):
    failed_due = a_label(status=LabelStatus.FAILED, next_attempt_at=at(40))
    in_flight_past_lease = a_label(status=LabelStatus.PURCHASING, next_attempt_at=at(20))
    not_yet = a_label(status=LabelStatus.FAILED, next_attempt_at=at(61))
    given_up = a_label(status=LabelStatus.FAILED, next_attempt_at=None)
    voided = a_label(status=LabelStatus.FAILED, next_attempt_at=at(1), voided_at=at(2))
    issued = a_label(next_attempt_at=at(1))
    mine = a_return(labels=[failed_due, not_yet, given_up, voided, issued])
    theirs = a_return(tenant=OTHER_TENANT, labels=[in_flight_past_lease])
    await save(uows, mine, theirs)
    async with uows(readonly=True) as tx:
        due = await tx.work.due_label_purchases(NOW, 10)
        limited = await tx.work.due_label_purchases(NOW, 1)
    assert due == [WorkItem(ref(theirs), in_flight_past_lease.id), WorkItem(ref(mine), failed_due.id)]
    assert limited == due[:1]


async def test_printable_labels_past_their_expiry_and_never_scanned_expire(uows):
    expired = a_label(expires_at=at(50))
    expired_earlier = a_label(expires_at=at(10))
    mine = a_return(labels=[expired, a_label(expires_at=at(61)), a_label(expires_at=at(1), first_scan_at=at(0)),
                            a_label(expires_at=at(1), voided_at=at(2)), a_label(expires_at=None),
                            a_label(status=LabelStatus.FAILED, expires_at=at(1))])
    theirs = a_return(tenant=OTHER_TENANT, labels=[expired_earlier])
    await save(uows, mine, theirs)
    async with uows(readonly=True) as tx:
        assert await tx.work.expired_labels(NOW, 10) == [WorkItem(ref(theirs), expired_earlier.id),
                                                         WorkItem(ref(mine), expired.id)]
        assert await tx.work.expired_labels(NOW, 1) == [WorkItem(ref(theirs), expired_earlier.id)]


async def test_voids_to_ask_of_the_carrier(uows):
    pending = a_label(created_at=at(2), voided_at=at(3), void_status=VoidStatus.PENDING)
    held_past_lease = a_label(created_at=at(1), voided_at=at(3), void_status=VoidStatus.VOIDING,
                              next_attempt_at=at(59))
    backing_off = a_label(created_at=at(0), voided_at=at(3), void_status=VoidStatus.PENDING, next_attempt_at=at(90))
    settled = [a_label(voided_at=at(3), void_status=status)
               for status in (VoidStatus.DONE, VoidStatus.REJECTED, VoidStatus.NOT_NEEDED)]
    mine = a_return(labels=[pending, backing_off, *settled])
    theirs = a_return(tenant=OTHER_TENANT, labels=[held_past_lease])
    await save(uows, mine, theirs)
    async with uows(readonly=True) as tx:
        assert await tx.work.due_voids(NOW, 10) == [WorkItem(ref(theirs), held_past_lease.id),
                                                    WorkItem(ref(mine), pending.id)]
        assert await tx.work.due_voids(NOW, 1) == [WorkItem(ref(theirs), held_past_lease.id)]
