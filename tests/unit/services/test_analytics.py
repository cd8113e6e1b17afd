"""returnAnalytics on in-memory ports: the figures of the demo's past returns add up, row by row."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from saleor_returns.domain.actors import Actor
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.services.analytics import return_analytics
from support.history import play_history

STAFF = Actor.staff("alice")


@pytest.fixture
async def past(shop):
    await play_history(shop, days=28)
    return shop


def total(moneys, currency: str) -> Decimal:
    return sum((m.amount for m in moneys if m.currency == currency), Decimal(0))


def rows_total(buckets, currency: str) -> Decimal:
    return sum((total(b.refunded, currency) for b in buckets), Decimal(0))


@pytest.mark.parametrize("channel", ["default-channel", None])
async def test_the_totals_are_the_sums_of_their_rows(past, channel):
    found = (await return_analytics(past.deps, STAFF, channel, past.clock.now() - timedelta(days=30))).figures
    assert found.returns > 40
    for rows in (found.by_status, found.by_resolution, found.daily):
        assert sum(r.returns for r in rows) == found.returns
    for rows in (found.by_status, found.by_resolution, found.by_reason, found.by_product):
        assert sum(r.units for r in rows) == found.units
    currencies = {m.currency for m in found.refunded}
    assert currencies == ({"USD"} if channel else {"USD", "JPY"})
    for cur in currencies:
        for rows in (found.by_status, found.by_resolution, found.daily):
            assert rows_total(rows, cur) == total(found.refunded, cur)
        keep = next(b for b in found.by_resolution if b.key == "KEEP_ITEM")
        assert total(keep.refunded, cur) == total(found.keep_item_value, cur) > 0
    # a return with lines of two reasons counts once per reason: at least as many as there are returns
    assert sum(r.returns for r in found.by_reason) >= found.returns


async def test_the_figures_are_what_the_returns_say(past):
    now = past.clock.now()
    found = (await return_analytics(past.deps, STAFF, "default-channel", now - timedelta(days=30))).figures
    mine = [r for r in past.db.returns.values() if r.channel == "default-channel"]
    assert found.returns == len(mine)
    assert {b.key: b.returns for b in found.by_status} == dict(Counter(r.status.value for r in mine))
    paid = sum((f.amount.amount for r in mine for f in r.refunds if f.status is RefundStatus.SUCCEEDED), Decimal(0))
    assert total(found.refunded, "USD") == paid
    skus = Counter()
    for r in mine:
        for line in r.lines:
            skus[line.sku] += line.quantity
    assert [(b.key, b.units) for b in found.by_product][:3] == sorted(skus.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    # every day of the period is there, in the channel's time zone, days without returns too
    assert len(found.daily) in (30, 31)
    assert found.daily[-1].date == now.astimezone(ZoneInfo("America/New_York")).date()
    assert found.median_hours_to_refund is not None and found.median_hours_to_refund >= 0


async def test_a_shopper_and_a_period_in_the_future_are_refused(shop):
    now = shop.clock.now()
    with pytest.raises(ReturnError) as err:
        await return_analytics(shop.deps, shop.shopper("ORD-1002"), None, now - timedelta(days=30))
    assert err.value.code is ReturnErrorCode.FORBIDDEN
    with pytest.raises(ReturnError) as err:
        await return_analytics(shop.deps, STAFF, None, now + timedelta(days=1))
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, "since")
    with pytest.raises(ReturnError) as err:
        await return_analytics(shop.deps, STAFF, "nowhere", now - timedelta(days=1))
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, "channel")
