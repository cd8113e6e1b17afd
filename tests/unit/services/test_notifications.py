"""E-mail on in-memory ports: every step of a return writes its message with the change, once; the worker and
the request's fast path send it once; 4xx is tried again later, 5xx is FAILED for staff; nothing leaves
without a mail server. The mail server is a fake that keeps what it accepted (adapters/memory/mail.py)."""
from __future__ import annotations

import dataclasses
import json
import logging
from collections import Counter
from datetime import timedelta

import pytest

from conftest import STAFF, Shop, make_shop
from saleor_returns.adapters.memory.mail import MemoryMailer
from saleor_returns.bootstrap import in_memory
from saleor_returns.domain.codes import ReturnError
from saleor_returns.domain.lifecycle import Resolution
from saleor_returns.domain.outbox import BACKOFF, LEASE, NotificationKind, NotificationStatus
from saleor_returns.email_settings import EmailSettings
from saleor_returns.ports.mail import Delivery, SendOutcome
from saleor_returns.services import notifications as messages
from saleor_returns.services.mail_delivery import deliver_due
from saleor_returns.services.mail_settings import mail_settings, update_mail_settings
from saleor_returns.services.seed import seed_demo
from saleor_returns.services.staff_actions import approve_return, mark_received, reject_return
from saleor_returns.services.worker import run_once
from support.constants import EXAMPLES

K = NotificationKind
STAFF_INBOXES = ("ops@shop.example", "lead@shop.example")


async def mail_shop(mailer: MemoryMailer, *, fast_path: bool = True) -> Shop:
    """The demo store with e-mail: `mailer` as the mail server, two staff addresses."""
    shop = make_shop()
    email = EmailSettings(mail_from="Demo Store <returns@demo.example>", staff_emails=STAFF_INBOXES)
    settings = dataclasses.replace(shop.deps.settings, email=email)
    shop.deps = in_memory(settings, shop.orders, refunds=shop.gateway, carrier=shop.carrier, clock=shop.clock,
                          recorder=shop.recorder, db=shop.db, mailer=mailer)
    if not fast_path:
        shop.deps.mail.courier.send = None  # the request's process "crashed" right after its commit
    await seed_demo(shop.deps, json.loads((EXAMPLES / "policy.json").read_text()), ())
    await settle(shop)
    mailer.sent.clear()
    mailer.tried.clear()
    return shop


async def settle(shop: Shop) -> None:
    """Let the fast path finish what the last requests handed it."""
    await shop.deps.mail.courier.drain()


def outbox(shop: Shop, return_id: str | None = None) -> list:
    return [n for n in shop.db.mail.notifications.values() if return_id is None or n.return_id == return_id]


def sent(mailer: MemoryMailer, to: str | None = None) -> list[tuple[str, str]]:
    return [(e.to, e.rendered.subject) for e in mailer.sent if to is None or e.to == to]


@pytest.fixture
def mailer() -> MemoryMailer:
    return MemoryMailer()


async def test_a_keep_item_return_tells_the_shopper_twice_each_once(mailer, caplog):
    caplog.set_level(logging.DEBUG)  # every log line is written (a bad `extra` key would raise here)
    shop = await mail_shop(mailer)
    # when Ben's cover is refunded at once
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    await settle(shop)

    # then he hears that it arrived (and what happens next), then that the money went back: each once
    assert sent(mailer) == [("ben@example.com", f"Demo Store: we have your return {ret.number}"),
                            ("ben@example.com", f"Demo Store: $19.99 refunded, keep the item ({ret.number})")]
    first, refunded = mailer.sent
    assert "you keep the item" in first.rendered.text and "$19.99" in first.rendered.text
    assert f"/portal/returns/{ret.id}?email=ben%40example.com" in refunded.rendered.text
    assert (first.sender_name, first.sender_address) == ("Demo Store", "returns@demo.example")
    assert first.to_name == "Ben Carter" and first.message_id == f"<notification.{outbox(shop)[0].id}@test.invalid>"
    # and the outbox says so, and a second worker pass sends nothing more
    assert [(n.kind, n.status) for n in outbox(shop, ret.id)] == [(K.REQUEST_RECEIVED, NotificationStatus.SENT),
                                                                  (K.KEEP_ITEM_REFUNDED, NotificationStatus.SENT)]
    await run_once(shop.deps)
    assert len(mailer.sent) == 2
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_shipped_back_return_gets_its_label_attached_and_linked(mailer):
    shop = await mail_shop(mailer)
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    await settle(shop)

    assert [s for _, s in sent(mailer)] == [f"Demo Store: we have your return {ret.number}",
                                            f"Demo Store: your return label for {ret.number}"]
    label_mail = mailer.sent[1]
    [pdf] = label_mail.attachments
    assert pdf.filename == f"return-label-{ret.number}.pdf" and pdf.content_type == "application/pdf"
    assert pdf.data == shop.db.pdfs[ret.active_label.id]
    assert f"/labels/{ret.active_label.id}.pdf?expires=" in label_mail.rendered.text
    # the ship-by moment is the one deadline, in the store's time zone, as the portal prints it
    assert "(America/New_York)" in label_mail.rendered.text and "Ship by:" in label_mail.rendered.text
    assert "1 × Laptop 14" in label_mail.rendered.text
    assert "packing slip (page 2)" in label_mail.rendered.text  # a local label: page 2 is the packing slip


async def test_a_review_tells_the_shopper_and_every_staff_address_then_the_answer(mailer):
    shop = await mail_shop(mailer)
    ret = await shop.ask("ORD-1005", ("L-1005-1", 1, "CHANGED_MIND"), exception=True)
    await settle(shop)

    assert sorted(sent(mailer)) == sorted([
        ("eve@example.com", f"Demo Store: we are looking at your return {ret.number}"),
        ("ops@shop.example", f"Demo Store: return {ret.number} needs a review"),
        ("lead@shop.example", f"Demo Store: return {ret.number} needs a review")])
    staff_mail = next(e for e in mailer.sent if e.to == "ops@shop.example")
    assert f"/console#/returns/{ret.id}" in staff_mail.rendered.text
    assert "asked for an exception" in staff_mail.rendered.text

    # when staff approve it, the shopper hears it, then gets the label
    mailer.sent.clear()
    await approve_return(shop.deps, STAFF, ret.id, None, "forgot it in the garage")
    await settle(shop)
    assert [k for k in (n.kind for n in outbox(shop, ret.id))][-2:] == [K.APPROVED, K.LABEL_READY]
    assert [s for _, s in sent(mailer)] == [f"Demo Store: your return {ret.number} is approved",
                                            f"Demo Store: your return label for {ret.number}"]


async def test_a_rejection_carries_the_staff_note_and_what_the_shopper_can_do(mailer):
    shop = await mail_shop(mailer)
    ret = await shop.ask("ORD-1004", ("L-1004-1", 1, "CHANGED_MIND"))
    await reject_return(shop.deps, STAFF, ret.id, "The camera was used for a wedding shoot.")
    await settle(shop)

    rejection = [e for e in mailer.sent if e.rendered.subject == f"Demo Store: about your return {ret.number}"]
    assert len(rejection) == 1
    assert "> The camera was used for a wedding shoot." in rejection[0].rendered.text
    assert "reply to this e-mail" in rejection[0].rendered.text
    assert "The camera was used for a wedding shoot." in rejection[0].rendered.html


async def test_parcel_received_then_refund_sent(mailer):
    shop = await mail_shop(mailer)
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    await mark_received(shop.deps, STAFF, ret.id, None)
    await settle(shop)

    kinds = [n.kind for n in outbox(shop, ret.id)]
    assert kinds == [K.REQUEST_RECEIVED, K.LABEL_READY, K.PARCEL_RECEIVED, K.REFUND_SENT]
    refund = mailer.sent[-1]
    assert refund.rendered.subject == f"Demo Store: $1,299.00 refunded for your return {ret.number}"
    assert "5 to 10 working days" in refund.rendered.text


async def test_an_unused_label_is_reminded_of_once_before_it_expires(mailer):
    shop = await mail_shop(mailer)
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    await settle(shop)
    expires = ret.active_label.expires_at

    # when the worker runs a week before expiry, nothing; two days before, one reminder
    for days_before in (7, 4):  # outside the three-day window: nothing
        shop.clock.at = expires - timedelta(days=days_before)
        await run_once(shop.deps)
        assert K.LABEL_EXPIRING not in [n.kind for n in outbox(shop, ret.id)]
    shop.clock.at = expires - timedelta(days=2)
    for _ in range(3):
        await run_once(shop.deps)
        await settle(shop)
    reminders = [e for e in mailer.sent if "expires soon" in e.rendered.subject]
    assert len(reminders) == 1 and reminders[0].attachments == ()
    assert f"/labels/{ret.active_label.id}.pdf" in reminders[0].rendered.text
    assert (await shop.get(ret.id)).label(ret.active_label.id).expiry_reminded_at == shop.clock.at


async def test_a_crash_between_commit_and_send_is_delivered_once_by_the_worker(mailer):
    shop = await mail_shop(mailer, fast_path=False)
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    # the messages are saved with the return, not sent
    assert [n.status for n in outbox(shop, ret.id)] == [NotificationStatus.PENDING] * 2 and mailer.sent == []

    # a worker after the restart sends each once; more passes send nothing more
    for _ in range(3):
        await run_once(shop.deps)
    assert Counter(s for _, s in sent(mailer)) == Counter({f"Demo Store: we have your return {ret.number}": 1,
                                                           f"Demo Store: $19.99 refunded, keep the item "
                                                           f"({ret.number})": 1})


async def test_a_claimed_message_is_left_to_its_sender_until_its_lease_ends(mailer):
    shop = await mail_shop(mailer, fast_path=False)
    await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    async with shop.deps.uow() as uow:  # a sender claims them and dies
        claimed = await uow.outbox.claim_due(shop.clock.now(), 10, LEASE)
        await uow.commit()
    assert len(claimed) == 2
    assert await deliver_due(shop.deps) == Counter() and mailer.sent == []
    shop.clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await deliver_due(shop.deps) == Counter({"SENT": 2})
    assert await deliver_due(shop.deps) == Counter() and len(mailer.sent) == 2


async def test_a_temporary_refusal_is_tried_again_later_and_delivered_once(mailer):
    shop = await mail_shop(mailer)
    mailer.answers.append(SendOutcome(Delivery.RETRY, "421 4.7.0 Try again later"))
    ret = await shop.ask("ORD-1004", ("L-1004-1", 1, "CHANGED_MIND"))  # the shopper's message is tried first
    await settle(shop)
    first = next(n for n in outbox(shop, ret.id) if n.kind is K.UNDER_REVIEW)
    assert first.status is NotificationStatus.PENDING and "421 4.7.0" in (first.error or "")

    await run_once(shop.deps)  # not due yet: the backoff holds it
    assert [e.to for e in mailer.sent].count("dee@example.com") == 0
    shop.clock.advance(seconds=BACKOFF[0].total_seconds())
    await run_once(shop.deps)
    await run_once(shop.deps)
    assert [e.to for e in mailer.sent].count("dee@example.com") == 1
    again = shop.db.mail.notifications[first.id]
    assert (again.status, again.attempts, again.error) == (NotificationStatus.SENT, 2, None)


async def test_a_permanent_refusal_is_failed_with_the_reason_and_staff_can_retry(mailer):
    shop = await mail_shop(mailer)
    mailer.answers.append(SendOutcome(Delivery.REFUSED, "550 5.1.1 mailbox unavailable"))
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    await settle(shop)
    failed = next(n for n in outbox(shop, ret.id) if n.kind is K.REQUEST_RECEIVED)
    assert (failed.status, failed.error) == (NotificationStatus.FAILED, "550 5.1.1 mailbox unavailable")
    for _ in range(2):
        await run_once(shop.deps)  # FAILED stays FAILED: nobody retries it but staff
    assert sum(1 for e in mailer.tried if e.rendered.subject.startswith("Demo Store: we have")) == 1

    # staff see it with the return, retry it, and it goes out
    visible = await messages.messages_of(shop.deps, STAFF, await shop.get(ret.id))
    assert [n.status for n in visible if n.id == failed.id] == [NotificationStatus.FAILED]
    retried = await messages.retry_message(shop.deps, STAFF, failed.id)
    assert retried.status is NotificationStatus.SENT
    with pytest.raises(ReturnError):
        await messages.retry_message(shop.deps, STAFF, failed.id)  # SENT: nothing to retry


async def test_without_a_mail_server_messages_are_held_and_shown_as_they_would_be_sent():
    shop = await mail_shop(MemoryMailer(configured=False))
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    await run_once(shop.deps)

    held = outbox(shop, ret.id)
    assert [n.status for n in held] == [NotificationStatus.HELD] * 2
    assert held[0].rendered is not None and held[0].rendered.subject.startswith("Demo Store: we have your return")
    assert shop.deps.mail.mailer.sent == []


async def test_a_store_that_switched_its_e_mails_off_sends_none(mailer):
    shop = await mail_shop(mailer)
    view = await update_mail_settings(shop.deps, STAFF, enabled=False, sender_name=None, sender_address=None)
    assert not view.enabled and view.effective_sender_address == "returns@demo.example"
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    await settle(shop)
    assert mailer.sent == [] and {n.status for n in outbox(shop, ret.id)} == {NotificationStatus.HELD}
    assert "switched off" in (outbox(shop, ret.id)[0].error or "")

    # switched on with another sender: the next messages come from it
    await update_mail_settings(shop.deps, STAFF, enabled=True, sender_name="Ops Team",
                               sender_address="ops@demo.example")
    await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    await settle(shop)
    assert {(e.sender_name, e.sender_address) for e in mailer.sent} == {("Ops Team", "ops@demo.example")}
    assert (await mail_settings(shop.deps, STAFF)).sender_name == "Ops Team"
    with pytest.raises(ReturnError) as bad:
        await update_mail_settings(shop.deps, STAFF, enabled=True, sender_name="x\nBcc: a@b.c", sender_address=None)
    assert bad.value.field == "senderName"


async def test_a_shopper_sees_only_the_messages_sent_to_them(mailer):
    shop = await mail_shop(mailer)
    ret = await shop.ask("ORD-1005", ("L-1005-1", 1, "CHANGED_MIND"), exception=True)
    await settle(shop)
    saved = await shop.get(ret.id)
    mine = await messages.messages_of(shop.deps, shop.shopper("ORD-1005"), saved)
    everyone = await messages.messages_of(shop.deps, STAFF, saved)
    assert [n.kind for n in mine] == [K.UNDER_REVIEW]
    assert sorted(n.to for n in everyone) == sorted(["eve@example.com", *STAFF_INBOXES])


async def test_the_order_language_writes_the_letter(mailer):
    shop = await mail_shop(mailer)
    # Fay ordered in German (examples/demo-orders.json)
    ret = await shop.ask("ORD-1006", ("L-1006-2", 1, "DOES_NOT_FIT"))
    await settle(shop)
    assert ret.language_code == "de" and ret.resolution is Resolution.SHIP_BACK
    subjects = [s for to, s in sent(mailer, "fay@example.com")]
    assert subjects == [f"Demo Store: Ihre Rücksendung {ret.number} ist eingegangen",
                        f"Demo Store: Ihr Rücksendeetikett für {ret.number}"]
    text = mailer.sent[0].rendered.text
    assert "Hallo Fay Nguyen," in text and "171,67\xa0$" in text and "(America/New_York)" in text
    assert mailer.sent[0].language == "de"


async def test_new_events_never_make_a_message_twice(mailer):
    shop = await mail_shop(mailer)
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    await settle(shop)
    before = {n.dedupe_key for n in outbox(shop)}
    # a unit of work that loads the return and commits without a change writes nothing
    async with shop.deps.uow() as uow:
        await uow.returns.get(ret.tenant, ret.id)
        await uow.commit()
    # and the messages of the same events owed again are refused by their keys
    async with shop.deps.uow() as uow:
        uow.outbox.owe(shop.db.returns[ret.id], 0)
        await uow.commit()
    assert {n.dedupe_key for n in outbox(shop)} == before and len(outbox(shop)) == len(before)


async def test_a_slow_mail_server_never_gets_a_message_after_its_lease_ended(mailer):
    shop = await mail_shop(mailer, fast_path=False)
    await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    slow = mailer.send

    async def send_slowly(envelope):  # each message takes 70 s to go through
        shop.clock.advance(seconds=70)
        return await slow(envelope)

    mailer.send = send_slowly  # type: ignore[method-assign]
    # one pass claims all four; after the first, the rest would be sent too late in their lease: left alone
    assert await deliver_due(shop.deps) == Counter({"SENT": 1})
    shop.clock.advance(seconds=LEASE.total_seconds())
    assert sum((await deliver_due(shop.deps)).values()) == 1  # again one per lease: each sent once
    assert len({e.message_id for e in mailer.sent}) == len(mailer.sent) == 2
