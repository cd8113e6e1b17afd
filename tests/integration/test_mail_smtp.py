"""E-mail against a real SMTP server on loopback (aiosmtpd), through the SQL unit of work: every kind arrives once
at the right address with the right content; a 421 is delivered later, once; a 550 is FAILED and visible; a crash
between the commit and the send is delivered once after the restart; non-ASCII names and subjects are encoded;
STARTTLS, TLS, AUTH and timeouts work."""
from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import DemoStore
from saleor_returns.adapters.mail.smtp import SmtpMailer, SmtpServer
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.bootstrap import build
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.decision import RequestedLine
from saleor_returns.domain.exchanges import RefundMethod
from saleor_returns.domain.outbox import Notification, NotificationKind, NotificationStatus, Rendered
from saleor_returns.email_settings import EmailSettings
from saleor_returns.graphql.context import Context
from saleor_returns.graphql.schema import schema
from saleor_returns.ports.mail import Attachment, Delivery, Envelope
from saleor_returns.services.context import Deps
from saleor_returns.services.exchange_choices import AskedChoices
from saleor_returns.services.request_return import ReturnInput, request_return
from saleor_returns.services.seed import seed_demo
from saleor_returns.services.staff_actions import approve_return, mark_received, reject_return
from saleor_returns.services.worker import run_once
from support.smtp_server import Inbox, certificate, password_check, smtp_server

K = NotificationKind
STAFF = Actor.staff("admin")
STORE = "Café Zoë"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as found:
        yield found


@dataclasses.dataclass
class Shop:
    deps: Deps
    inbox: Inbox
    clock: Any

    async def ask(self, order_id: str, line: str, reason: str = "DAMAGED", exception: bool = False,
                  choices: AskedChoices | None = None) -> Any:
        order = await self.deps.orders.get_order(order_id)
        assert order is not None
        ret = await request_return(self.deps, Actor.guest(order.user_email),
                                   ReturnInput(order_id, (RequestedLine(line, 1, reason, None),), exception,
                                               choices=choices or AskedChoices()))
        await self.settle()
        return ret

    async def settle(self) -> None:
        await self.deps.mail.courier.drain()

    async def outbox(self) -> list[Notification]:
        async with self.deps.uow(readonly=True) as uow:
            return [n for _, n in await uow.outbox.page(self.deps.tenant, None, 100, None)]


@pytest.fixture
async def shop(settings, smtp, clock, demo_store: DemoStore, demo_policies) -> AsyncIterator[Shop]:
    inbox, port = smtp
    ben = demo_store.orders["ORD-1002"]
    assert ben.shipping_address is not None
    demo_store.orders["ORD-1002"] = dataclasses.replace(  # a name that is not ASCII
        ben, shipping_address=dataclasses.replace(ben.shipping_address, name="Zoë Ünal-Şahin"))
    configured = dataclasses.replace(settings, email=EmailSettings(
        smtp_url=f"smtp://127.0.0.1:{port}?timeout=5", mail_from=f"{STORE} <returns@cafe.example>",
        staff_emails=("ops@shop.example", "lead@shop.example")))
    wiring = build(configured, DemoOrderSource(demo_store), refunds=SimulatedRefundGateway(), clock=clock)
    await seed_demo(wiring.deps, demo_policies, ())
    found = Shop(wiring.deps, inbox, clock)
    try:
        yield found
    finally:
        await found.settle()
        await wiring.close()


def message_ids(inbox: Inbox) -> Counter[str]:
    return Counter(str(r.message["Message-ID"]) for r in inbox.received)


def body(msg: EmailMessage, subtype: str = "plain") -> str:
    part = msg.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())


async def test_every_kind_arrives_once_at_the_right_address_with_the_right_content(shop: Shop):
    ada = await shop.ask("ORD-1001", "L-1001-1")  # shipped back with a label
    ben = await shop.ask("ORD-1002", "L-1002-1", "DOES_NOT_FIT")  # kept, refunded at once
    eve = await shop.ask("ORD-1005", "L-1005-1", "CHANGED_MIND", exception=True)  # review, approved
    dee = await shop.ask("ORD-1004", "L-1004-1", "CHANGED_MIND")  # review, rejected
    ivy = await shop.ask("ORD-1009", "L-1009-1", "CHANGED_MIND",  # store credit, on receipt
                         choices=AskedChoices(RefundMethod.STORE_CREDIT))
    jon = await shop.ask("ORD-1010", "L-1010-1", "WRONG_ITEM",  # kept, the right one sent
                         choices=AskedChoices(None, {"L-1010-1": "V-CASE-15PRO"}))
    hal = await shop.ask("ORD-1008", "L-1008-1", "DOES_NOT_FIT",  # the 43, sold out by the time the shoe is back
                         choices=AskedChoices(None, {"L-1008-1": "V-SHOE-43"}))
    await mark_received(shop.deps, STAFF, ivy.id, None)
    store = shop.deps.orders.store
    shoe = store.products["P-SHOE"]
    store.products["P-SHOE"] = dataclasses.replace(shoe, variants=tuple(
        dataclasses.replace(v, stock=0) if v.id == "V-SHOE-43" else v for v in shoe.variants))
    await mark_received(shop.deps, STAFF, hal.id, None)
    await approve_return(shop.deps, STAFF, eve.id, None, "forgot it in the garage")
    await reject_return(shop.deps, STAFF, dee.id, "The camera shows heavy use.")
    await mark_received(shop.deps, STAFF, ada.id, None)
    await shop.settle()
    async with shop.deps.uow(readonly=True) as uow:
        eve_now = await uow.returns.get(eve.tenant, eve.id)
    assert eve_now is not None and eve_now.active_label is not None
    shop.clock.at = eve_now.active_label.expires_at - timedelta(days=2)  # the reminder window
    await run_once(shop.deps)
    await shop.settle()
    await run_once(shop.deps)  # nothing more

    outbox = await shop.outbox()
    assert {n.kind for n in outbox} == set(NotificationKind)
    assert all(n.status is NotificationStatus.SENT for n in outbox), [(n.kind, n.status, n.error) for n in outbox]
    # each message arrived exactly once, under the Message-ID of its outbox row, at its address
    ids = message_ids(shop.inbox)
    assert set(ids.values()) == {1} and len(ids) == len(outbox)
    by_id = {str(r.message["Message-ID"]): r for r in shop.inbox.received}
    for n in outbox:
        got = by_id[f"<notification.{n.id}@127.0.0.1>"]
        assert got.rcpt_tos == [n.to] and got.mail_from == "returns@cafe.example"
        assert str(got.message["Subject"]).startswith(f"{STORE}: ") and str(got.message["From"]).startswith(STORE)
    expected = {
        ada.customer_email: [K.REQUEST_RECEIVED, K.LABEL_READY, K.PARCEL_RECEIVED, K.REFUND_SENT],
        ben.customer_email: [K.REQUEST_RECEIVED, K.KEEP_ITEM_REFUNDED],
        eve.customer_email: [K.UNDER_REVIEW, K.APPROVED, K.LABEL_READY, K.LABEL_EXPIRING],
        dee.customer_email: [K.UNDER_REVIEW, K.REJECTED],
        ivy.customer_email: [K.REQUEST_RECEIVED, K.LABEL_READY, K.PARCEL_RECEIVED, K.STORE_CREDIT_ISSUED],
        jon.customer_email: [K.REQUEST_RECEIVED, K.EXCHANGE_CREATED],
        hal.customer_email: [K.REQUEST_RECEIVED, K.LABEL_READY, K.PARCEL_RECEIVED, K.EXCHANGE_FAILED, K.REFUND_SENT],
        "ops@shop.example": [K.STAFF_REVIEW_NEEDED] * 2, "lead@shop.example": [K.STAFF_REVIEW_NEEDED] * 2}
    for to, kinds in expected.items():
        assert sorted(n.kind.value for n in outbox if n.to == to) == sorted(k.value for k in kinds), to

    # the label arrives attached (a real PDF) and linked; the rejection quotes staff; the refund names the amount
    [label_mail] = [m for m in shop.inbox.to(ada.customer_email) if "label" in str(m["Subject"])]
    [pdf] = list(label_mail.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content().startswith(b"%PDF")
    assert pdf.get_filename() == f"return-label-{ada.number}.pdf"
    assert "/labels/" in body(label_mail) and "/labels/" in body(label_mail, "html")
    [rejected] = [m for m in shop.inbox.to(dee.customer_email) if "about your return" in str(m["Subject"])]
    assert "> The camera shows heavy use." in body(rejected)
    [refund] = [m for m in shop.inbox.to(ada.customer_email) if "refunded" in str(m["Subject"])]
    assert str(refund["Subject"]) == f"{STORE}: $1,299.00 refunded for your return {ada.number}"
    [staff] = [m for m in shop.inbox.to("ops@shop.example") if eve.number in str(m["Subject"])]
    assert f"/console#/returns/{eve.id}" in body(staff)


async def test_non_ascii_names_and_subjects_are_encoded(shop: Shop):
    ben = await shop.ask("ORD-1002", "L-1002-1", "DOES_NOT_FIT")
    [first] = [r for r in shop.inbox.received if "we have your return" in str(r.message["Subject"])]
    headers = first.raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in first.raw else first.raw.split(b"\n\n", 1)[0]
    headers.decode("ascii")  # the header block itself is plain ASCII: encoded words (RFC 2047)
    assert b"=?utf-8?" in headers
    assert len(shop.inbox.received) == 2
    assert str(first.message["Subject"]) == f"{STORE}: we have your return {ben.number}"
    assert first.message["To"].addresses[0].display_name == "Zoë Ünal-Şahin"
    assert first.message["From"].addresses[0].display_name == STORE
    assert "Hi Zoë Ünal-Şahin," in body(first.message)
    assert "Hi Zoë Ünal-Şahin," in body(first.message, "html")


async def test_a_421_on_the_first_try_is_delivered_later_exactly_once(shop: Shop):
    shop.inbox.answers.append("421 4.7.0 Try again later")
    ben = await shop.ask("ORD-1002", "L-1002-1", "DOES_NOT_FIT")
    waiting = [n for n in await shop.outbox() if n.status is NotificationStatus.PENDING]
    assert len(waiting) == 1 and "421 4.7.0" in (waiting[0].error or "")  # the first to reach the server
    assert len(shop.inbox.received) == 1  # the other one went through

    await run_once(shop.deps)  # the backoff holds it
    assert len(shop.inbox.received) == 1
    shop.clock.advance(minutes=1, seconds=1)
    await run_once(shop.deps)
    await run_once(shop.deps)
    assert set(message_ids(shop.inbox).values()) == {1} and len(shop.inbox.received) == 2
    [again] = [n for n in await shop.outbox() if n.id == waiting[0].id]
    assert (again.status, again.attempts) == (NotificationStatus.SENT, 2)
    assert shop.inbox.to(ben.customer_email)[-1]["Message-ID"] == f"<notification.{again.id}@127.0.0.1>"


async def test_a_550_is_failed_and_visible_to_staff_not_to_the_shopper_as_someone_elses(shop: Shop):
    shop.inbox.answers.append("550 5.1.1 No such user here")
    eve = await shop.ask("ORD-1005", "L-1005-1", "CHANGED_MIND", exception=True)
    await run_once(shop.deps)
    query = """query($id: ID!, $email: String) { returnRequest(id: $id, email: $email) {
        notifications { kind to status error attempts } } }"""
    staff = await schema.execute(query, variable_values={"id": eve.id}, context_value=Context(shop.deps, None,
                                                                                              staff=STAFF))
    assert staff.errors is None
    seen = staff.data["returnRequest"]["notifications"]
    failed = [n for n in seen if n["status"] == "FAILED"]
    assert failed == [{"kind": "UNDER_REVIEW", "to": "eve@example.com", "status": "FAILED",
                       "error": "550 5.1.1 No such user here", "attempts": 1}]
    assert sorted(n["to"] for n in seen) == ["eve@example.com", "lead@shop.example", "ops@shop.example"]
    shopper = await schema.execute(query, variable_values={"id": eve.id, "email": "eve@example.com"},
                                   context_value=Context(shop.deps, None))
    assert shopper.errors is None
    assert [n["kind"] for n in shopper.data["returnRequest"]["notifications"]] == ["UNDER_REVIEW"]

    # staff retry it from the console: it goes out once
    retry = await schema.execute("""mutation($id: ID!) { retryNotification(id: $id) {
        ... on Notification { status attempts } ... on ReturnError { code message } } }""",
                                 variable_values={"id": (await _failed_id(shop))},
                                 context_value=Context(shop.deps, None, staff=STAFF))
    assert retry.errors is None and retry.data["retryNotification"] == {"status": "SENT", "attempts": 1}
    assert len(shop.inbox.to("eve@example.com")) == 1


async def _failed_id(shop: Shop) -> str:
    return next(n.id for n in await shop.outbox() if n.status is NotificationStatus.FAILED)


async def test_a_crash_between_commit_and_send_delivers_once_after_restart(shop: Shop):
    shop.deps.mail.courier.send = None  # the process dies right after the commit: nothing is sent by the request
    ben = await shop.ask("ORD-1002", "L-1002-1", "DOES_NOT_FIT")
    assert shop.inbox.received == []
    assert {n.status for n in await shop.outbox()} == {NotificationStatus.PENDING}

    for _ in range(3):  # the worker after the restart (several passes, as it would run)
        await run_once(shop.deps)
    assert len(shop.inbox.to(ben.customer_email)) == 2 and set(message_ids(shop.inbox).values()) == {1}


# --- the SMTP client itself: TLS, STARTTLS, AUTH, timeouts -----------------------------------------

def envelope(to: str = "zoe@example.com") -> Envelope:
    return Envelope(message_id="<notification.t-1@test.invalid>", sender_name="Café Zoë",
                    sender_address="returns@cafe.example", to=to, to_name="Zoë",
                    rendered=Rendered("Grüße: R-1", "Hallo Zoë", "<p>Hallo Zoë</p>"),
                    attachments=(Attachment("label.pdf", "application/pdf", b"%PDF-1.4 test"),))


async def test_starttls_with_auth_and_implicit_tls():
    with certificate() as cert:
        with smtp_server(tls_context=cert.server_context(), require_starttls=True, auth_required=True,
                         authenticator=password_check("shop", "p@ss:word")) as (inbox, port):
            url = f"smtp://shop:p%40ss%3Aword@127.0.0.1:{port}?timeout=5"
            ok = await SmtpMailer(SmtpServer.parse(url), tls_context=cert.client_context()).send(envelope())
            assert ok.delivery is Delivery.SENT, ok.detail
            bad = await SmtpMailer(SmtpServer.parse(url.replace("p%40ss", "wrong")),
                                   tls_context=cert.client_context()).send(envelope())
            assert bad.delivery is Delivery.REFUSED and bad.detail and bad.detail.startswith("535")
            assert len(inbox.received) == 1
            assert inbox.received[0].message.get_body(("plain",)).get_content().strip() == "Hallo Zoë"
        with smtp_server(implicit_tls=cert) as (inbox, port):
            mailer = SmtpMailer(SmtpServer.parse(f"smtps://127.0.0.1:{port}?timeout=5"),
                                tls_context=cert.client_context())
            outcome = await mailer.send(envelope())
            assert outcome.delivery is Delivery.SENT, outcome.detail
            assert [r.rcpt_tos for r in inbox.received] == [["zoe@example.com"]]


async def test_a_server_that_never_answers_is_tried_again_later():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        stop = threading.Event()
        holder = threading.Thread(target=lambda: (silent.accept(), stop.wait(30)), daemon=True)  # never greets
        holder.start()
        port = silent.getsockname()[1]
        loop = asyncio.get_running_loop()
        started = loop.time()
        outcome = await SmtpMailer(SmtpServer.parse(f"smtp://127.0.0.1:{port}?timeout=0.5")).send(envelope())
        stop.set()
    # the 0.5 s timeout ended it, long before the silent server would have (30 s); room for a busy machine
    assert outcome.delivery is Delivery.RETRY and loop.time() - started < 10, outcome.detail
