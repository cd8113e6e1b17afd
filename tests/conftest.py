"""Shared fixtures. The database backend is chosen by RETURNS_TEST_DATABASE (sqlite default, or postgres)."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from saleor_returns.adapters.db.engine import make_engine
from saleor_returns.adapters.db.models import Base
from saleor_returns.adapters.demo.orders_file import DemoStore, load_demo_store
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.bootstrap import migrate
from saleor_returns.settings import Settings
from saleor_returns.traffic_settings import RateLimits
from support.app_runner import RunningApp, running_app
from support.clock import FrozenClock
from support.constants import ADMIN_TOKEN, EXAMPLES, OWNER_TOKEN, ROOT  # noqa: F401  (re-exported)
from support.databases import backend, create_postgres_database, drop_postgres_database, sqlite_url

# property tests check sums and caps, not speed: a busy 2-core CI machine must not fail them on time
hypothesis_settings.register_profile("returns", deadline=None)
hypothesis_settings.load_profile("returns")

# fixtures of the Stripe test kit (fake_stripe, stripe_app, localstripe), usable in any test module
pytest_plugins = ("support.fake_stripe", "support.localstripe")


def pytest_report_header(config: pytest.Config) -> str:
    return f"saleor-returns database backend: {backend()}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for the run, created by the migrations (the only way the schema is made)."""
    if backend() == "postgres":
        url = create_postgres_database()
        try:
            migrate(url)
            yield url
        finally:
            drop_postgres_database(url)
    else:
        url = sqlite_url(tmp_path_factory.mktemp("db"))
        migrate(url)
        yield url


async def _empty_tables(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(text(f"DELETE FROM {table.name}"))
    finally:
        await engine.dispose()


@pytest.fixture
def empty_db(database_url: str) -> str:
    asyncio.run(_empty_tables(database_url))
    return database_url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def demo_store(clock: FrozenClock) -> DemoStore:
    return load_demo_store(EXAMPLES / "demo-orders.json", clock.now())


@pytest.fixture
def demo_policies() -> dict:
    return json.loads((EXAMPLES / "policy.json").read_text())


@pytest.fixture
def gateway() -> SimulatedRefundGateway:
    return SimulatedRefundGateway()


@pytest.fixture
def settings(empty_db: str) -> Settings:
    # the rate limits stay on, raised so far that no test (all from 127.0.0.1) meets them; the tests of the
    # limits themselves set their own (tests/api/test_rate_limits.py)
    return Settings(database_url=empty_db, admin_token=ADMIN_TOKEN, owner_token=OWNER_TOKEN,
                    secret_key="test-secret-key", tenant="demo", rate_limits=RateLimits.generous())


@pytest.fixture
def app(settings: Settings, demo_store: DemoStore, demo_policies: dict, gateway: SimulatedRefundGateway,
        clock: FrozenClock) -> Iterator[RunningApp]:
    with running_app(settings, demo_store, demo_policies, gateway, clock) as running:
        yield running
