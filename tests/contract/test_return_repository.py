"""ports.ReturnRepository and the unit of work around it: memory and SQL keep and find returns alike."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from saleor_returns.domain.actors import Actor
from saleor_returns.domain.events import EventType, ReturnEvent
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.domain.returns import Return
from saleor_returns.ports import ReturnFilter, ReturnRef, UnitOfWorkFactory, WorkItem
from support.return_builder import (
    OTHER_TENANT,
    TENANT,
    a_full_return,
    a_label,
    a_line,
    a_refund,
    a_return,
    at,
)

PARTS = ("lines", "refunds", "labels", "events", "number")


async def save(uows: UnitOfWorkFactory, *returns: Return) -> list[Return]:
    async with uows() as tx:
        for ret in returns:
            tx.returns.add(ret)
        await tx.commit()
    return list(returns)


async def load(uows: UnitOfWorkFactory, ret: Return) -> Return:
    async with uows(readonly=True) as tx:
        found = await tx.returns.get(ret.tenant, ret.id)
    assert found is not None
    return found


def trail(ret: Return) -> list[tuple]:
    return [(e.at, e.actor, e.type, e.type_name, e.note) for e in ret.events]


def stored_trail(ret: Return) -> list[tuple]:
    """The trail as a repository keeps it: an actor is what its label says (kind and id), nothing more."""
    return [(e.at, Actor.from_label(e.actor.label), e.type, e.type_name, e.note) for e in ret.events]


def assert_same_return(got: Return, want: Return) -> None:
    for f in dataclasses.fields(Return):
        if f.name not in PARTS:
            assert getattr(got, f.name) == getattr(want, f.name), f.name
    assert got.lines == want.lines
    assert got.refunds == want.refunds
    assert got.labels == [dataclasses.replace(lb, pdf=None) for lb in want.labels]  # the PDF is kept apart
    assert trail(got) == stored_trail(want)


# --- the unit of work ------------------------------------------------------------------------------
async def test_a_return_comes_back_as_it_was_saved_with_every_part(uows):
    # given a return with two lines, two refunds, a failed and a printable label, a trail by shopper, staff
    # and system (one event of a type this version does not know), and a full decision record
    original = a_full_return()
    await save(uows, original)

    # when it is read in another unit of work
    got = await load(uows, original)

    # then every field and part is as it was; the number was given on commit
    assert_same_return(got, original)
    assert got.number == original.number and got.number.startswith("R-")
    assert got.decision.refund_timing.value == "ON_FIRST_SCAN" and got.decision.restocking_fee == Decimal("2.50")
    assert [e.type_name for e in got.events][-1] == "EXCHANGED" and got.events[-1].type is EventType.OTHER
    assert got.labels[1].pdf is None


async def test_stored_events_have_ids_in_the_order_they_happened(uows):
    [ret] = await save(uows, a_full_return())
    ids = [e.id for e in (await load(uows, ret)).events]
    assert all(i is not None for i in ids) and ids == sorted(ids) and len(set(ids)) == len(ids)


async def test_a_labels_pdf_is_read_apart_with_its_label(uows):
    [ret] = await save(uows, a_full_return())
    printable = ret.labels[1]

    async with uows(readonly=True) as tx:
        found = await tx.returns.label_pdf(printable.id)
        unbought = await tx.returns.label_pdf(ret.labels[0].id)
        missing = await tx.returns.label_pdf("00000000-0000-0000-0000-000000000000")

    assert found is not None and found[1] == b"%PDF-1.4 the label"
    assert found[0] == dataclasses.replace(printable, pdf=None)
    assert unbought is not None and unbought[1] == b""  # never issued: no PDF
    assert missing is None


async def test_changes_to_a_loaded_return_are_saved_on_commit(uows):
    [ret] = await save(uows, a_return())

    # when a unit of work loads it, moves it on, adds a refund, a label and events, and commits
    async with uows() as tx:
        loaded = await tx.returns.get(TENANT, ret.id)
        assert loaded is not None
        loaded.status, loaded.updated_at, loaded.refund_due_at = ReturnStatus.RECEIVED, at(9), at(9)
        loaded.refunds.append(a_refund(created_at=at(9)))
        loaded.labels.append(a_label(created_at=at(8), pdf=b"%PDF new"))
        loaded.log(at(9), Actor.staff("bob"), EventType.RECEIVED, "all there")
        await tx.commit()
    expected = loaded

    # then a later reader sees all of it (and the new PDF apart)
    got = await load(uows, ret)
    assert_same_return(got, expected)
    async with uows(readonly=True) as tx:
        pdf = await tx.returns.label_pdf(expected.labels[0].id)
    assert pdf is not None and pdf[1] == b"%PDF new"

    # and changes to what was saved before are saved too (an outcome recorded on the refund)
    async with uows() as tx:
        loaded = await tx.returns.get(TENANT, ret.id)
        assert loaded is not None
        loaded.refunds[0].status, loaded.refunds[0].psp_reference = RefundStatus.SUCCEEDED, "re_9"
        loaded.labels[0].voided_at = at(20)
        await tx.commit()
    got = await load(uows, ret)
    assert (got.refunds[0].status, got.refunds[0].psp_reference) == (RefundStatus.SUCCEEDED, "re_9")
    assert got.labels[0].voided_at == at(20) and len(got.events) == len(expected.events)


async def test_leaving_without_commit_keeps_nothing(uows):
    [kept] = await save(uows, a_return())

    # when a unit of work adds a return, changes another, and leaves without committing
    async with uows() as tx:
        tx.returns.add(a_return(order_id="ORD-2"))
        loaded = await tx.returns.get(TENANT, kept.id)
        assert loaded is not None
        loaded.status = ReturnStatus.CANCELLED
        loaded.log(at(5), Actor.staff("bob"), EventType.CANCELLED)
        await tx.flush()  # written so far, still not committed

    # then neither change is there
    async with uows(readonly=True) as tx:
        assert await tx.returns.of_order(TENANT, "ORD-2") == []
        again = await tx.returns.get(TENANT, kept.id)
    assert again is not None and again.status is ReturnStatus.APPROVED and again.events == []


async def test_an_exception_inside_the_unit_of_work_keeps_nothing(uows):
    with pytest.raises(RuntimeError):
        async with uows() as tx:
            tx.returns.add(a_return())
            await tx.flush()
            raise RuntimeError("boom")
    async with uows(readonly=True) as tx:
        assert await tx.returns.of_order(TENANT, "ORD-1") == []


async def test_a_read_only_unit_of_work_cannot_commit(uows):
    async with uows(readonly=True) as tx:
        with pytest.raises(RuntimeError):
            await tx.commit()


async def test_the_schema_has_a_version(uows):
    async with uows(readonly=True) as tx:
        assert await tx.schema_version()


# --- numbers -------------------------------------------------------------------------------------
async def test_numbers_are_given_on_flush_unique_and_increasing(uows):
    first, second = a_return(), a_return(order_id="ORD-2")
    async with uows() as tx:
        tx.returns.add(first)
        assert first.number == ""
        await tx.flush()
        assert first.number.startswith("R-")
        tx.returns.add(second)
        await tx.commit()
    [third] = await save(uows, a_return(order_id="ORD-3"))

    numbers = [int(r.number.removeprefix("R-")) for r in (first, second, third)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert [(await load(uows, r)).number for r in (first, second, third)] == [r.number for r in (first, second, third)]


async def test_a_flushed_return_can_be_found_in_the_same_unit_of_work(uows):
    ret = a_return()
    async with uows() as tx:
        tx.returns.add(ret)
        await tx.flush()
        assert await tx.returns.locate(TENANT, ret.id) == ReturnRef(TENANT, ret.id, "ORD-1")
        assert [r.id for r in await tx.returns.of_order(TENANT, "ORD-1")] == [ret.id]
        assert await tx.returns.returned_units(TENANT, "ORD-1") == {"L-1": 1}
        await tx.commit()


async def test_a_return_added_and_not_flushed_is_not_found_yet(uows):
    ret = a_return()
    async with uows() as tx:
        tx.returns.add(ret)
        assert await tx.returns.get(TENANT, ret.id) is None  # flush first (a new return has no row yet)
        assert await tx.returns.returned_units(TENANT, "ORD-1") == {}
        await tx.flush()
        assert await tx.returns.get(TENANT, ret.id) is not None
        await tx.commit()


# --- finding returns -----------------------------------------------------------------------------
async def test_a_return_is_found_only_in_its_own_tenant(uows):
    [ret] = await save(uows, a_return())
    async with uows(readonly=True) as tx:
        assert await tx.returns.get(OTHER_TENANT, ret.id) is None
        assert await tx.returns.get(TENANT, "00000000-0000-0000-0000-000000000000") is None
        assert await tx.returns.locate(TENANT, ret.id) == ReturnRef(TENANT, ret.id, "ORD-1")
        assert await tx.returns.locate(OTHER_TENANT, ret.id) is None


async def test_refunds_and_labels_lead_to_their_return_in_any_tenant(uows):
    mine = a_return(refunds=[a_refund(gateway="stripe", psp_reference="re_A")],
                    labels=[a_label(carrier="easypost", tracking="9400A", created_at=at(0))])
    theirs = a_return(tenant=OTHER_TENANT, order_id="ORD-9",
                      refunds=[a_refund(gateway="stripe", reference="pi_9")],
                      labels=[a_label(carrier="easypost", tracking="9400A", created_at=at(5)),
                              a_label(carrier="shippo", tracking="9400A", created_at=at(9))])
    await save(uows, mine, theirs)
    ref_mine, ref_theirs = ReturnRef(TENANT, mine.id, "ORD-1"), ReturnRef(OTHER_TENANT, theirs.id, "ORD-9")
    our_refund, their_refund = mine.refunds[0].id, theirs.refunds[0].id

    async with uows(readonly=True) as tx:
        assert await tx.returns.locate_refund(their_refund) == WorkItem(ref_theirs, their_refund)
        assert await tx.returns.locate_refund("nope") is None
        # by the provider's refund id first, else by our id (from its metadata); never another gateway's
        assert await tx.returns.locate_provider_refund("stripe", "re_A", None) == WorkItem(ref_mine, our_refund)
        assert await tx.returns.locate_provider_refund("stripe", "re_A", their_refund) == WorkItem(ref_mine,
                                                                                                   our_refund)
        assert await tx.returns.locate_provider_refund("stripe", "re_new", their_refund) == WorkItem(
            ref_theirs, their_refund)
        assert await tx.returns.locate_provider_refund("simulated", "re_A", our_refund) is None
        assert await tx.returns.locate_provider_refund("stripe", "re_new", None) is None
        assert await tx.returns.locate_label(mine.labels[0].id) == WorkItem(ref_mine, mine.labels[0].id)
        assert await tx.returns.locate_label("nope") is None
        # a tracking number: the newest label of that carrier
        assert await tx.returns.locate_tracking("easypost", "9400A") == WorkItem(ref_theirs, theirs.labels[0].id)
        assert await tx.returns.locate_tracking("shippo", "9400A") == WorkItem(ref_theirs, theirs.labels[1].id)
        assert await tx.returns.locate_tracking("ups", "9400A") is None


async def test_returned_units_count_every_active_return_of_the_order(uows):
    await save(uows,
               a_return(lines=[a_line("L-1", 2), a_line("L-2", 1)]),
               a_return(status=ReturnStatus.REFUNDED, lines=[a_line("L-1", 1)]),
               a_return(status=ReturnStatus.REJECTED, lines=[a_line("L-1", 5)]),
               a_return(status=ReturnStatus.CANCELLED, lines=[a_line("L-2", 5)]),
               a_return(order_id="ORD-2", lines=[a_line("L-1", 7)]),
               a_return(tenant=OTHER_TENANT, lines=[a_line("L-1", 9)]))
    async with uows(readonly=True) as tx:
        assert await tx.returns.returned_units(TENANT, "ORD-1") == {"L-1": 3, "L-2": 1}
        assert await tx.returns.returned_units(TENANT, "ORD-3") == {}


async def test_committed_refunds_add_up_what_is_or_may_be_on_its_way_per_payment(uows):
    refunds = [a_refund("10.00", status=RefundStatus.SUCCEEDED), a_refund("2.50"),
               a_refund("1.00", status=RefundStatus.REQUIRES_ACTION, payment="pay-2"),
               a_refund("50.00", status=RefundStatus.FAILED), a_refund("60.00", status=RefundStatus.CANCELED)]
    await save(uows,
               a_return(refunds=refunds[:3]),
               a_return(refunds=refunds[3:] + [a_refund("3.00", payment="pay-2")]),
               a_return(order_id="ORD-2", refunds=[a_refund("99.00")]),
               a_return(tenant=OTHER_TENANT, refunds=[a_refund("77.00")]))
    async with uows(readonly=True) as tx:
        assert await tx.returns.committed_refunds(TENANT, "ORD-1") == {"pay-1": Decimal("12.50"),
                                                                       "pay-2": Decimal("4.00")}
        assert await tx.returns.committed_refunds(TENANT, "ORD-3") == {}


async def test_keep_item_history_counts_the_shoppers_active_keep_item_returns_since_a_day(uows):
    keep = {"resolution": Resolution.KEEP_ITEM, "status": ReturnStatus.REFUNDED}
    await save(uows,
               a_return(**keep, total="10.00", created_at=at(days=-10)),
               a_return(**keep, total="5.50", email="ADA@example.com", created_at=at(days=-1)),
               a_return(**keep, total="3.00", created_at=at(days=-400)),  # too old
               a_return(**{**keep, "status": ReturnStatus.CANCELLED}, total="4.00"),  # not active
               a_return(total="6.00"),  # shipped back
               a_return(**keep, total="7.00", currency="EUR"),  # another currency
               a_return(**keep, total="8.00", email="eve@example.com"),
               a_return(**keep, total="9.00", tenant=OTHER_TENANT))
    async with uows(readonly=True) as tx:
        count, amount = await tx.returns.keep_item_history(TENANT, "Ada@Example.com", at(days=-365), "USD")
        nothing = await tx.returns.keep_item_history(TENANT, "zoe@example.com", at(days=-365), "USD")
    assert (count, amount) == (2, Decimal("15.50"))
    assert nothing == (0, Decimal(0))


async def test_of_order_and_channels(uows):
    a, b, c = await save(uows, a_return(), a_return(channel="eu"), a_return(order_id="ORD-2", channel="us"))
    await save(uows, a_return(tenant=OTHER_TENANT, channel="mars"))
    async with uows(readonly=True) as tx:
        assert [r.id for r in await tx.returns.of_order(TENANT, "ORD-1")] == [b.id, a.id]  # newest first
        assert await tx.returns.of_order(OTHER_TENANT, "ORD-1") != []
        assert await tx.returns.channels(TENANT) == ["default-channel", "eu", "us"]
        assert await tx.returns.channels("nobody") == []


async def test_the_returns_of_many_orders_are_read_at_once(uows):
    a, b, c = await save(uows, a_return(), a_return(order_id="ORD-2", refunds=[a_refund()]), a_return())
    await save(uows, a_return(tenant=OTHER_TENANT, order_id="ORD-2"))
    async with uows(readonly=True) as tx:
        found = await tx.returns.of_orders(TENANT, ["ORD-1", "ORD-2", "ORD-3"])
        assert await tx.returns.of_orders(TENANT, []) == {}
    assert {order: [r.id for r in rets] for order, rets in found.items()} == {"ORD-1": [c.id, a.id],
                                                                            "ORD-2": [b.id]}
    assert_same_return(found["ORD-2"][0], b)


# --- the staff list ------------------------------------------------------------------------------
async def test_pages_are_newest_first_with_one_more_to_tell_there_is_a_next_page(uows):
    returns = await save(uows, *[a_return(order_id=f"ORD-{i}") for i in range(5)])
    await save(uows, a_return(tenant=OTHER_TENANT))
    newest_first = [r.id for r in reversed(returns)]

    async with uows(readonly=True) as tx:
        first = await tx.returns.page(TENANT, ReturnFilter(), 2, None)
        second = await tx.returns.page(TENANT, ReturnFilter(), 2, first[1][0])
        last = await tx.returns.page(TENANT, ReturnFilter(), 2, second[1][0])

    assert [r.id for _, r in first] == newest_first[:3]  # two and one more
    assert [r.id for _, r in second] == newest_first[2:5]
    assert [r.id for _, r in last] == newest_first[4:]
    cursors = [c for c, _ in first + second + last]
    assert cursors[:2] == sorted(cursors[:2], reverse=True)
    assert_same_return(first[0][1], returns[-1])


@pytest.mark.parametrize(("flt", "expected"), [
    (ReturnFilter(status="REFUNDED"), ["refunded"]),
    (ReturnFilter(channel="eu"), ["eu"]),
    (ReturnFilter(order_id="ORD-2"), ["eu", "refunded"]),
    (ReturnFilter(customer_email="EVE@example.com"), ["eve"]),
    (ReturnFilter(search=" 2002 "), ["eu", "refunded"]),  # the order number
    (ReturnFilter(search="ORD-3"), ["eve"]),  # the order id
    (ReturnFilter(search="Eve@Example.COM"), ["eve"]),
    (ReturnFilter(search="nobody@example.com"), []),
    (ReturnFilter(status="APPROVED", channel="eu"), ["eu"]),
])
async def test_pages_filter_and_search(uows, flt, expected):
    named = {"plain": a_return(),
             "refunded": a_return(order_id="ORD-2", order_number="2002", status=ReturnStatus.REFUNDED),
             "eu": a_return(order_id="ORD-2", order_number="2002", channel="eu"),
             "eve": a_return(order_id="ORD-3", order_number="3003", email="eve@example.com")}
    await save(uows, *named.values())
    await save(uows, a_return(tenant=OTHER_TENANT, channel="eu", order_id="ORD-2", order_number="2002"))
    async with uows(readonly=True) as tx:
        found = await tx.returns.page(TENANT, flt, 10, None)
    names = {r.id: name for name, r in named.items()}
    assert sorted(names[r.id] for _, r in found) == expected


async def test_a_return_number_is_searched_exactly_in_any_case(uows):
    a, b = await save(uows, a_return(), a_return())
    async with uows(readonly=True) as tx:
        found = await tx.returns.page(TENANT, ReturnFilter(search=b.number.lower()), 10, None)
        partial = await tx.returns.page(TENANT, ReturnFilter(search=b.number[:-1]), 10, None)
    assert [r.id for _, r in found] == [b.id]
    assert partial == []  # "R-1000" is no return's number, though it begins every one


# --- reconciliation ------------------------------------------------------------------------------
async def test_refunds_on_payments_with_a_recent_refund_come_with_their_return_numbers(uows):
    old = a_refund("1.00", gateway="stripe", reference="pi_A", created_at=at(days=-40))
    recent = a_refund("2.00", gateway="stripe", reference="pi_A", created_at=at(days=-1))
    quiet = a_refund("3.00", gateway="stripe", reference="pi_B", created_at=at(days=-40))
    other_gateway = a_refund("4.00", gateway="simulated", reference="pi_A", created_at=at(days=-1))
    elsewhere = a_refund("5.00", gateway="stripe", reference="pi_C", created_at=at(days=-2))
    a, b = await save(uows, a_return(refunds=[old, quiet]), a_return(tenant=OTHER_TENANT,
                                                                    refunds=[recent, other_gateway, elsewhere]))
    async with uows(readonly=True) as tx:
        found = await tx.returns.refunds_on_payments_since("stripe", at(days=-7))
    assert [(r.id, number) for r, number in found] == [(old.id, a.number), (recent.id, b.number),
                                                       (elsewhere.id, b.number)]
    assert found[0][0] == old


async def test_an_event_trail_grows_only_by_what_was_added(uows):
    [ret] = await save(uows, a_return(events=[ReturnEvent(at(0), Actor.guest("ada@example.com"),
                                                          EventType.REQUESTED)]))
    for minute in (1, 2):
        async with uows() as tx:
            loaded = await tx.returns.get(TENANT, ret.id)
            assert loaded is not None
            loaded.log(at(minute), Actor.staff("bob"), EventType.LABEL_REQUESTED, f"try {minute}")
            await tx.commit()
    got = await load(uows, ret)
    assert [(e.type, e.note) for e in got.events] == [(EventType.REQUESTED, None), (EventType.LABEL_REQUESTED,
                                                                                   "try 1"),
                                                      (EventType.LABEL_REQUESTED, "try 2")]
    assert got.labels == [] and got.status is ReturnStatus.APPROVED


async def test_a_return_loaded_twice_in_one_unit_of_work_is_one_object(uows):
    [ret] = await save(uows, a_return())
    async with uows() as tx:
        first = await tx.returns.get(TENANT, ret.id)
        assert first is not None
        first.status, first.note = ReturnStatus.CANCELLED, "changed on the first load"
        [second] = await tx.returns.of_order(TENANT, ret.order_id)  # the staff list, the worker: another path
        await tx.commit()
    got = await load(uows, ret)
    assert (got.status, got.note) == (ReturnStatus.CANCELLED, "changed on the first load")
    assert second is first


async def test_a_return_saved_a_moment_ago_is_taken_as_it_is_unless_written_since(uows):
    [ret] = await save(uows, a_return())

    # when the service that saved it reads it again, handing over its copy, it gets the return as saved
    async with uows() as tx:
        again = await tx.returns.get(TENANT, ret.id, known=ret)
        assert again is not None
        assert_same_return(again, ret)
        again.note = "kept by the second unit of work"
        await tx.commit()
    assert (await load(uows, ret)).note == "kept by the second unit of work"

    # when somebody else writes it after that, a stale copy handed over is not taken: the stored return is read
    stale = await load(uows, ret)
    async with uows() as tx:
        other = await tx.returns.get(TENANT, ret.id)
        assert other is not None
        other.log(at(12), Actor.staff("eve"), EventType.GOODWILL_SPENT, "written meanwhile")
        await tx.commit()
    async with uows() as tx:
        got = await tx.returns.get(TENANT, ret.id, known=stale)
        assert got is not None and got is not stale
        assert [e.note for e in got.events][-1] == "written meanwhile"
        assert_same_return(got, other)

    # and a copy from another store is never taken
    async with uows(readonly=True) as tx:
        assert await tx.returns.get(OTHER_TENANT, ret.id, known=got) is None
