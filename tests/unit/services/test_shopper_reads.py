"""What shoppers and staff read: the order a receipt means, its eligibility with one deadline, a return for its
owner only, and the staff list page by page (newest first, cursors that survive new returns, filters)."""
from __future__ import annotations

import base64
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import STAFF, make_shop, open_shop
from saleor_returns.domain.actors import Actor, ActorKind
from saleor_returns.domain.codes import EligibilityCode, ReturnError, ReturnErrorCode
from saleor_returns.ports import ReturnFilter, UpstreamUnavailable
from saleor_returns.services.context import SystemClock
from saleor_returns.services.eligibility import check_eligibility
from saleor_returns.services.order_lookup import MAX_REFERENCE, clean_reference, find_order
from saleor_returns.services.queries import MAX_SEQ, encode_cursor, get_return, list_returns

ADA = Actor.guest("Ada@Example.com ")

# --- eligibility ----------------------------------------------------------------------------------


async def test_the_late_laptop_is_eligible_in_grace_with_one_deadline_in_store_time(shop):
    # when Ada asks which lines of the late laptop's order she can return
    view = await check_eligibility(shop.deps, ADA, "ORD-1001")

    # then the laptop is eligible in grace, and the order's deadlines are the line's, ending a New York day
    [laptop] = view.lines
    assert laptop.eligible and laptop.codes == (EligibilityCode.IN_GRACE,) and laptop.quantity_returnable == 1
    assert (view.deadline, view.grace_deadline, view.policy_version) == (
        laptop.deadline.deadline, laptop.deadline.grace_deadline, 1)
    local = view.grace_deadline.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    assert view.grace_deadline > shop.clock.at > view.deadline


async def test_an_unshipped_order_has_no_deadline_yet(shop):
    # when Gus asks about the desk that has not shipped, then there is no deadline yet
    view = await check_eligibility(shop.deps, Actor.guest("gus@example.com"), "ORD-1007")
    assert (view.deadline, view.grace_deadline) == (None, None)
    assert EligibilityCode.NOT_FULFILLED in view.lines[0].codes


async def test_eligibility_of_someone_elses_order_looks_like_no_order(shop):
    # when Eve asks about Ada's order, then it is as if there were none
    with pytest.raises(ReturnError) as err:
        await check_eligibility(shop.deps, Actor.guest("eve@example.com"), "ORD-1001")
    assert (err.value.code, err.value.field) == (ReturnErrorCode.ORDER_NOT_FOUND, "orderId")


async def test_eligibility_while_the_store_is_down_says_so(shop):
    # given the store cannot be reached
    shop.orders.down = True

    # when Ada asks, then she is told to try again, not that her order is unknown
    with pytest.raises(ReturnError) as err:
        await check_eligibility(shop.deps, ADA, "ORD-1001")
    assert err.value.code is ReturnErrorCode.UPSTREAM_UNAVAILABLE


# --- finding the order from the receipt -------------------------------------------------------------

@pytest.mark.parametrize(("printed", "clean"), [("#1001", "1001"), ("  # 1001 ", "1001"), ("ORD-1001", "ORD-1001"),
                                                ("", ""), ("##", "")])
def test_receipt_numbers_are_read_as_printed(printed, clean):
    # when a receipt number is typed as printed, then the hash and spaces go
    assert clean_reference(printed) == clean


@pytest.mark.parametrize("reference", ["#1001", " 1001 ", "ORD-1001"])
async def test_the_shopper_finds_her_order_by_its_number_or_its_id(shop, reference):
    # when Ada types her order number or id, then it is her order
    assert (await find_order(shop.deps, ADA, reference)).id == "ORD-1001"


@pytest.mark.parametrize(("who", "reference", "asks_the_store"), [
    pytest.param(Actor.guest("eve@example.com"), "#1001", True, id="someone-elses-number"),
    pytest.param(ADA, "#9999", True, id="unknown-number"),
    pytest.param(ADA, " # ", False, id="blank"),
    pytest.param(ADA, "1" * (MAX_REFERENCE + 1), False, id="too-long"),
])
async def test_what_cannot_be_found_all_looks_the_same(shop, who, reference, asks_the_store):
    # when the number is someone else's, unknown, blank or too long
    reads = shop.orders.reads
    with pytest.raises(ReturnError) as err:
        await find_order(shop.deps, who, reference)

    # then the answer is the same, so numbers cannot be probed; what cannot be a number is not even looked up
    assert (err.value.code, err.value.field) == (ReturnErrorCode.ORDER_NOT_FOUND, "orderNumber")
    assert err.value.message == "We could not find an order with that number and e-mail address."
    assert (shop.orders.reads > reads) is asks_the_store


class Source:
    """An order source around the demo's: by id only, or with an async look-up by number, or down for numbers."""

    def __init__(self, inner, how: str) -> None:
        self.inner, self.how = inner, how

    async def get_order(self, order_id):
        return await self.inner.get_order(order_id)

    def __getattr__(self, name):
        if name == "order_by_number":
            if self.how == "ids-only":
                raise AttributeError(name)
            return self._by_number
        return getattr(self.inner, name)

    def _by_number(self, number):
        if self.how == "numbers-down":
            raise UpstreamUnavailable("search is down")

        async def found():
            return self.inner.order_by_number(number)

        return found()


async def test_a_source_that_looks_numbers_up_asynchronously_is_awaited(shop):
    # given a store that looks numbers up over the network
    shop.deps.orders = Source(shop.orders, "async")

    # when Ada types her number, then it is found
    assert (await find_order(shop.deps, ADA, "#1001")).id == "ORD-1001"


async def test_a_source_that_knows_only_ids_is_asked_by_id(shop):
    # given a store that cannot look orders up by number
    shop.deps.orders = Source(shop.orders, "ids-only")

    # when Ada types the id, then it is found; a number is not an id there
    assert (await find_order(shop.deps, ADA, "ORD-1001")).id == "ORD-1001"
    with pytest.raises(ReturnError) as err:
        await find_order(shop.deps, ADA, "#1001")
    assert err.value.code is ReturnErrorCode.ORDER_NOT_FOUND


async def test_a_store_that_cannot_be_reached_is_not_mistaken_for_a_wrong_number(shop):
    # given the store's search, then the store itself, cannot be reached
    shop.deps.orders = Source(shop.orders, "numbers-down")

    # when Ada types her number, then she is told to try again both times
    with pytest.raises(ReturnError) as err:
        await find_order(shop.deps, ADA, "#1001")
    assert err.value.code is ReturnErrorCode.UPSTREAM_UNAVAILABLE
    shop.deps.orders, shop.orders.down = shop.orders, True
    with pytest.raises(ReturnError) as err:
        await find_order(shop.deps, ADA, "#1001")
    assert err.value.code is ReturnErrorCode.UPSTREAM_UNAVAILABLE


# --- one return -------------------------------------------------------------------------------------

async def test_a_return_is_seen_by_its_shopper_and_staff_only(shop):
    # given Ada's laptop return
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    signed_in = Actor(ActorKind.SHOPPER, "ada", email=None, user_id="VXNlcjox")

    # when she (by e-mail or signed in) or staff look, then they see it
    for who in (ADA, signed_in, STAFF):
        assert (await get_return(shop.deps, who, ret.id)).id == ret.id

    # when a stranger, someone without an e-mail, or staff with a wrong id look, then there is no such return
    for who, rid in ((Actor.guest("eve@example.com"), ret.id), (Actor.guest(None), ret.id), (STAFF, "nope")):
        with pytest.raises(ReturnError) as err:
            await get_return(shop.deps, who, rid)
        assert (err.value.code, err.value.field) == (ReturnErrorCode.RETURN_NOT_FOUND, "id")


# --- the staff list ---------------------------------------------------------------------------------

MADE = [("ORD-1002", "L-1002-1"), ("ORD-2001", "L-2001-1"), ("ORD-1004", "L-1004-1"), ("ORD-1001", "L-1001-1"),
        ("ORD-1003", "L-1003-2"), ("ORD-2001", "L-2001-2"), ("ORD-1002", "L-1002-2")]


@pytest.fixture
async def listed():
    """The seeded socks and seven returns across both channels, a minute apart; oldest first."""
    shop = await open_shop(make_shop(), with_seed_returns=True)
    made = list(shop.db.returns.values())
    for order_id, line_id in MADE:
        shop.clock.advance(minutes=1)
        made.append(await shop.ask(order_id, (line_id, 1, "DAMAGED")))
    return shop, made


async def walk(shop, size: int, flt: ReturnFilter = ReturnFilter(), between_pages=None) -> tuple[list[str], int]:
    ids, after, pages = [], None, 0
    while True:
        page = await list_returns(shop.deps, flt, size, after)
        pages += 1
        assert len(page.returns) <= size
        ids += [r.id for r in page.returns]
        if page.rows:
            assert page.end_cursor == page.cursor(len(page.rows) - 1)
        if not page.has_next:
            return ids, pages
        after = page.end_cursor
        if between_pages is not None:
            await between_pages()
            between_pages = None


async def test_staff_page_through_every_return_newest_first_exactly_once(listed):
    shop, made = listed

    # when staff page through with 2, 3 or 100 a page, then every return comes once, newest first
    newest_first = [r.id for r in reversed(made)]
    assert await walk(shop, 2) == (newest_first, 4)
    assert await walk(shop, 3) == (newest_first, 3)
    assert await walk(shop, 100) == (newest_first, 1)
    assert (await list_returns(shop.deps, ReturnFilter(), None, None)).returns[0].id == newest_first[0]


async def test_a_return_made_while_paging_neither_repeats_nor_shifts_the_list(listed):
    shop, made = listed

    async def fay_returns_her_jacket():
        await shop.ask("ORD-1006", ("L-1006-2", 1, "DAMAGED"))

    # when Fay makes a return while staff are between pages
    ids, _ = await walk(shop, 3, between_pages=fay_returns_her_jacket)

    # then the walk sees the list as it began; the next walk sees the new return
    assert ids == [r.id for r in reversed(made)]
    assert len((await walk(shop, 3))[0]) == len(made) + 1


@pytest.mark.parametrize(("flt", "expected"), [
    pytest.param(ReturnFilter(channel="japan"), [("ORD-2001", "LABEL_ISSUED"), ("ORD-2001", "REFUNDED")],
                 id="channel"),
    pytest.param(ReturnFilter(status="PENDING_REVIEW"), [("ORD-1004", "PENDING_REVIEW")], id="status"),
    pytest.param(ReturnFilter(channel="default-channel", status="LABEL_ISSUED"), [("ORD-1001", "LABEL_ISSUED")],
                 id="channel-and-status"),
    pytest.param(ReturnFilter(order_id="ORD-1002"), [("ORD-1002", "REFUNDED"), ("ORD-1002", "REFUNDED")],
                 id="order"),
    pytest.param(ReturnFilter(customer_email="HANA@example.jp"), [("ORD-2001", "LABEL_ISSUED"),
                                                                   ("ORD-2001", "REFUNDED")], id="email"),
    pytest.param(ReturnFilter(search="1003"), [("ORD-1003", "REFUNDED")], id="search-order-number"),
    pytest.param(ReturnFilter(search="dee@example.com"), [("ORD-1004", "PENDING_REVIEW")], id="search-email"),
    pytest.param(ReturnFilter(search="r-10001"), [("ORD-1006", "REFUNDED")], id="search-return-number"),
    pytest.param(ReturnFilter(channel="japan", status="PENDING_REVIEW"), [], id="nothing-matches"),
])
async def test_staff_filter_the_list(listed, flt, expected):
    shop, _ = listed

    # when staff filter the list, paged one by one and all at once
    ids, _ = await walk(shop, 1, flt)
    page = await list_returns(shop.deps, flt, 100, None)

    # then only the matching returns come, newest first, the same both ways
    assert [(r.order_id, r.status.value) for r in page.returns] == expected
    assert ids == [r.id for r in page.returns]


def cursor_of(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(("first", "after", "field"), [
    pytest.param(0, None, "first", id="empty-page"),
    pytest.param(101, None, "first", id="page-too-big"),
    pytest.param(10, "not a cursor!", "after", id="garbage"),
    pytest.param(10, cursor_of("x:5"), "after", id="someone-elses-cursor"),
    pytest.param(10, cursor_of("r:five"), "after", id="not-a-position"),
    pytest.param(10, encode_cursor(0), "after", id="position-zero"),
    pytest.param(10, encode_cursor(MAX_SEQ + 1), "after", id="beyond-32-bit"),
    pytest.param(10, base64.urlsafe_b64encode(b"\xff\xfe").decode(), "after", id="not-text"),
])
async def test_a_page_we_cannot_serve_is_refused_naming_the_argument(shop, first, after, field):
    # when staff ask for a page size or cursor we never hand out, then the argument is named
    with pytest.raises(ReturnError) as err:
        await list_returns(shop.deps, ReturnFilter(), first, after)
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, field)


def test_the_system_clock_is_utc():
    # when the deployment's clock is read, then it is an aware time in UTC (as every port expects)
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.utcoffset() is not None and now.utcoffset().total_seconds() == 0 and now >= before

