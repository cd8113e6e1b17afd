"""The outbox ports (ports/mail.py) hold the same promises on SQL (SQLite or PostgreSQL) and in memory: messages
written with the change and only then, one per key, claimed by one sender per lease, labels reminded of once."""
from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.memory.mail import MemoryMailer
from saleor_returns.adapters.memory.uow import MemoryDatabase
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.bootstrap import build, in_memory
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.decision import RequestedLine
from saleor_returns.domain.outbox import LEASE, NotificationKind, NotificationStatus
from saleor_returns.email_settings import EmailSettings
from saleor_returns.ports.mail import StoreMailSettings
from saleor_returns.services.context import Deps
from saleor_returns.services.request_return import ReturnInput, request_return
from saleor_returns.services.seed import seed_demo

K = NotificationKind
STAFF = Actor.staff("admin")


@pytest.fixture(params=["memory", "sql"])
async def deps(request, settings, clock, demo_store, demo_policies) -> AsyncIterator[Deps]:
    configured = dataclasses.replace(settings, email=EmailSettings(staff_emails=("ops@shop.example",)))
    source = DemoOrderSource(demo_store)
    if request.param == "memory":
        made = in_memory(configured, source, refunds=SimulatedRefundGateway(), clock=clock, db=MemoryDatabase(),
                         mailer=MemoryMailer())
        wiring = None
    else:
        wiring = build(configured, source, refunds=SimulatedRefundGateway(), clock=clock, mailer=MemoryMailer())
        made = wiring.deps
    made.mail.courier.send = None  # nothing is sent behind the test's back
    await seed_demo(made, demo_policies, ())
    yield made
    if wiring is not None:
        await wiring.close()


async def ask(deps: Deps, order_id: str, line: str, exception: bool = False) -> Any:
    order = await deps.orders.get_order(order_id)
    return await request_return(deps, Actor.guest(order.user_email),
                                ReturnInput(order_id, (RequestedLine(line, 1, "CHANGED_MIND", None),), exception))


async def outbox(deps: Deps, return_id: str) -> list:
    async with deps.uow(readonly=True) as uow:
        return await uow.outbox.of_return(deps.tenant, return_id)


async def test_messages_are_written_with_the_change_and_only_then(deps):
    dee = await ask(deps, "ORD-1004", "L-1004-1")
    written = await outbox(deps, dee.id)
    assert sorted((n.kind.value, n.to) for n in written) == [("STAFF_REVIEW_NEEDED", "ops@shop.example"),
                                                             ("UNDER_REVIEW", "dee@example.com")]
    assert all(n.status is NotificationStatus.PENDING for n in written)
    assert len({n.dedupe_key for n in written}) == 2

    # a change left without commit owes nothing
    async with deps.uow() as uow:
        ret = await uow.returns.get(deps.tenant, dee.id)
        ret.reject(STAFF, "no", deps.clock.now())
    assert len(await outbox(deps, dee.id)) == 2
    # a commit that adds no event writes nothing
    async with deps.uow() as uow:
        await uow.returns.get(deps.tenant, dee.id)
        await uow.commit()
    assert len(await outbox(deps, dee.id)) == 2


async def test_a_claim_takes_a_message_for_one_sender_per_lease(deps):
    ben = await ask(deps, "ORD-1002", "L-1002-1")
    ids = [n.id for n in await outbox(deps, ben.id)]
    now = deps.clock.now()
    async with deps.uow() as uow:
        first = await uow.outbox.claim_due(now, 10, LEASE, ids[:1])
        await uow.commit()
    assert [n.id for n in first] == ids[:1]
    async with deps.uow() as uow:
        again = await uow.outbox.claim_due(now, 10, LEASE)
        await uow.commit()
    assert [n.id for n in again] == ids[1:]  # the one already claimed is not taken again
    async with deps.uow() as uow:
        assert await uow.outbox.claim_due(now + LEASE - timedelta(seconds=1), 10, LEASE) == []
        assert len(await uow.outbox.claim_due(now + LEASE, 10, LEASE)) == 2  # leases over: due again
        await uow.commit()


async def test_a_message_read_for_change_is_saved_on_commit_and_listed_newest_first(deps):
    ben = await ask(deps, "ORD-1002", "L-1002-1")
    first_id = (await outbox(deps, ben.id))[0].id
    async with deps.uow() as uow:
        message = await uow.outbox.get(deps.tenant, first_id)
        message.failed("550 5.1.1 no such user")
        await uow.commit()
    async with deps.uow(readonly=True) as uow:
        page = await uow.outbox.page(deps.tenant, None, 10, None)
        failed = await uow.outbox.page(deps.tenant, NotificationStatus.FAILED, 10, None)
        other_store = await uow.outbox.get("another-store", first_id)
    positions = [p for p, _ in page]
    assert positions == sorted(positions, reverse=True) and page[-1][1].id == first_id
    assert [(n.id, n.error) for _, n in failed] == [(first_id, "550 5.1.1 no such user")]
    assert other_store is None


async def test_labels_are_reminded_of_once_while_the_parcel_is_awaited(deps):
    ada = await ask(deps, "ORD-1001", "L-1001-1")
    label = ada.active_label
    soon = label.expires_at - timedelta(days=2)
    async with deps.uow(readonly=True) as uow:
        assert await uow.outbox.labels_to_remind(soon - timedelta(days=5), timedelta(days=3), 10) == []
        due = await uow.outbox.labels_to_remind(soon, timedelta(days=3), 10)
    assert [(i.ref.return_id, i.item_id) for i in due] == [(ada.id, label.id)]
    async with deps.uow() as uow:
        ret = await uow.returns.get(deps.tenant, ada.id)
        assert ret.remind_label_expiry(label.id, soon)
        await uow.commit()
    async with deps.uow(readonly=True) as uow:
        assert await uow.outbox.labels_to_remind(soon, timedelta(days=3), 10) == []
    assert [n.kind for n in await outbox(deps, ada.id)][-1] is K.LABEL_EXPIRING


async def test_a_store_keeps_its_mail_settings(deps):
    async with deps.uow() as uow:
        assert await uow.mail_settings.get(deps.tenant) is None
        uow.mail_settings.save(StoreMailSettings(deps.tenant, False, "Ops", "ops@shop.example",
                                                 deps.clock.now(), "staff:admin"))
        await uow.commit()
    async with deps.uow() as uow:
        saved = await uow.mail_settings.get(deps.tenant)
        assert (saved.enabled, saved.sender_name, saved.sender_address) == (False, "Ops", "ops@shop.example")
        uow.mail_settings.save(dataclasses.replace(saved, enabled=True))
        await uow.commit()
    async with deps.uow(readonly=True) as uow:
        assert (await uow.mail_settings.get(deps.tenant)).enabled is True
