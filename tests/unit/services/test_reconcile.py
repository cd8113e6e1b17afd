"""`saleor-returns reconcile`: our refunds against what the provider holds, payment by payment (a fake ledger):
missing on either side, different amounts or statuses; refunds made elsewhere only counted."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from saleor_returns.domain.money import Money
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.ports import ProviderRefund
from saleor_returns.services.reconcile import Mismatch, reconcile, render


class Ledger:
    """ports.RefundLedger over a dictionary: what the provider holds per payment; notes what it was asked."""

    def __init__(self, held: dict[str, list[ProviderRefund]]) -> None:
        self.held, self.asked = held, []

    async def list_refunds(self, payment_reference: str) -> list[ProviderRefund]:
        self.asked.append(payment_reference)
        return list(self.held.get(payment_reference, []))


def held(refund, *, amount: str | None = None, status: RefundStatus | None = None) -> ProviderRefund:
    """The provider's copy of one of our refunds (changed where asked)."""
    return ProviderRefund(refund.psp_reference, refund.payment_reference,
                          Money(Decimal(amount), refund.amount.currency) if amount else refund.amount,
                          status or refund.status, refund.id)


async def test_our_refunds_and_the_providers_agree_when_nothing_went_wrong(shop):
    # given two refunds of ours the provider holds as they are
    cover = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    towel = await shop.ask("ORD-2001", ("L-2001-1", 1, "DOES_NOT_FIT"))
    ledger = Ledger({r.payment_reference: [held(r)] for ret in (cover, towel) for r in ret.refunds})

    # when reconciling the last week
    result = await reconcile(shop.deps, ledger, "simulated", shop.clock.at - timedelta(days=7))

    # then both payments were compared and nothing is listed
    assert (result.payments, result.compared, result.mismatches, result.made_elsewhere) == (2, 2, [], 0)
    assert sorted(ledger.asked) == ["pi_demo_1002", "pi_demo_2001"]
    assert render(result) == "2 simulated refunds on 2 payments since 2026-11-18T17:00:00+00:00: 0 mismatches"


async def test_every_kind_of_disagreement_is_listed_once(shop):
    # given five refunds of ours: agreeing, paid a different amount, failed there, missing there, never sent
    cover = (await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))).refunds[0]
    shirt = (await shop.ask("ORD-1003", ("L-1003-2", 1, "DOES_NOT_FIT"))).refunds[0]
    towel = (await shop.ask("ORD-2001", ("L-2001-1", 1, "DOES_NOT_FIT"))).refunds[0]
    shop.clock.advance(minutes=1)
    socks = (await shop.ask("ORD-1006", ("L-1006-1", 1, "DOES_NOT_FIT"))).refunds[0]
    shop.gateway.unavailable = True  # never reached the provider: nothing to compare
    unsent = (await shop.ask("ORD-1002", ("L-1002-2", 1, "DOES_NOT_FIT"))).refunds[0]
    assert unsent.psp_reference is None and unsent.status is RefundStatus.PENDING
    # and the provider also holds a refund carrying an id of ours we do not know, and one made in its dashboard
    ghost = ProviderRefund("re_ghost", "pi_demo_1002", Money(Decimal("5.00"), "USD"), RefundStatus.SUCCEEDED, "r-gone")
    manual = ProviderRefund("re_manual", "pi_demo_1002", Money(Decimal("1.00"), "USD"), RefundStatus.SUCCEEDED, None)
    ledger = Ledger({"pi_demo_1002": [held(cover), ghost, manual], "pi_demo_1003": [held(shirt, amount="24.00")],
                     "pi_demo_2001": [held(towel, status=RefundStatus.FAILED)], "pi_demo_1006": []})

    # when reconciling the last week
    result = await reconcile(shop.deps, ledger, "simulated", shop.clock.at - timedelta(days=7))

    # then each disagreement is listed with both sides; the dashboard refund is only counted
    assert (result.payments, result.compared, result.made_elsewhere) == (4, 5, 1)
    assert sorted(result.mismatches, key=lambda m: m.payment_reference) == [
        Mismatch("missing_here", "pi_demo_1002", refund_id="r-gone", provider_id="re_ghost",
                 theirs="5.00 USD SUCCEEDED"),
        Mismatch("amount", "pi_demo_1003", "R-10002", shirt.id, shirt.psp_reference, "25.00 USD SUCCEEDED",
                 "24.00 USD SUCCEEDED"),
        Mismatch("missing_at_provider", "pi_demo_1006", "R-10004", socks.id, socks.psp_reference,
                 "11.45 USD SUCCEEDED", "-"),
        Mismatch("status", "pi_demo_2001", "R-10003", towel.id, towel.psp_reference, "1800 JPY SUCCEEDED",
                 "1800 JPY FAILED"),
    ]

    # and the report is a table with one line per mismatch, then the summary
    table = render(result).splitlines()
    assert table[0].split() == ["KIND", "RETURN", "REFUND", "PAYMENT", "PROVIDER", "REFUND", "OURS", "PROVIDER"]
    assert len(table) == 1 + 4 + 2 and table[-2] == ""
    assert table[-1] == ("5 simulated refunds on 4 payments since 2026-11-18T17:01:00+00:00: 4 mismatches; "
                         "1 refund made outside saleor-returns (not compared)")


async def test_only_payments_refunded_in_the_window_are_compared_with_all_their_refunds(shop):
    # given an old refund on the cover's payment, and a new one on the same payment 20 days later
    old = (await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))).refunds[0]
    await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))  # ships back: no refund, nothing to compare
    shop.clock.advance(days=20)
    new = (await shop.ask("ORD-1002", ("L-1002-2", 1, "DOES_NOT_FIT"))).refunds[0]
    ledger = Ledger({"pi_demo_1002": [held(old), held(new)]})

    # when reconciling the last week
    result = await reconcile(shop.deps, ledger, "simulated", shop.clock.at - timedelta(days=7))

    # then the payment with the recent refund is compared with both its refunds
    assert (result.payments, result.compared, result.mismatches) == (1, 2, [])
    # and another gateway's refunds are not ours to compare here
    assert (await reconcile(shop.deps, ledger, "stripe", shop.clock.at - timedelta(days=7))).compared == 0


async def test_a_failed_refund_the_provider_never_saw_is_no_mismatch(shop):
    # given the cover's refund was declined (the provider gave it an id)
    shop.gateway.decline.add("pi_demo_1002")
    failed = (await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))).refunds[0]
    assert failed.status is RefundStatus.FAILED and failed.psp_reference is not None

    # the simulated provider gives declined refunds an id: it must hold them (as failed)

    # when the provider holds nothing for it, then it is missing there
    missing = await reconcile(shop.deps, Ledger({}), "simulated", shop.clock.at - timedelta(days=1))
    assert [m.kind for m in missing.mismatches] == ["missing_at_provider"]

    # when it holds it as failed, then they agree
    found = await reconcile(shop.deps, Ledger({"pi_demo_1002": [held(failed)]}), "simulated",
                            shop.clock.at - timedelta(days=1))
    assert found.mismatches == [] and render(found).endswith("1 simulated refund on 1 payment since "
                                                             "2026-11-24T17:00:00+00:00: 0 mismatches")
