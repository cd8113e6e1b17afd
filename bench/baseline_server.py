"""The returns app as `saleor-returns demo` serves it, plus a bare strawberry baseline at /baseline.

Started by bench/api_latency.py (one process for every measurement). It wires the app exactly as
the demo does (`bootstrap.build` + `web.app.create_app`, DemoOrderSource, migrations, seeded
policies) and adds one route to the same Starlette app, behind the same middleware:

    POST /baseline   query { orderLines(orderId: ID!) { id productName quantity unitPrice { amount currency } } }

`orderLines` reads the order from the same order source and does one read-only round-trip to the
same database (`returned_units`), but no policy, deadline or decision work. The difference
between /graphql and /baseline is therefore what the returns logic costs on top of "strawberry +
order source + database".

    python bench/baseline_server.py --port 8123 --orders orders.json --policy policy.json \
        --db sqlite+aiosqlite:////tmp/bench.sqlite3 --admin-token <16+ chars>
"""
from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import DemoStore, load_demo_store
from saleor_returns.bootstrap import build, migrate
from saleor_returns.cli import configure_quiet
from saleor_returns.graphql.context import Context, Info, build_context
from saleor_returns.graphql.types import Money
from saleor_returns.logs import configure
from saleor_returns.services.context import Deps
from saleor_returns.services.seed import seed_demo
from saleor_returns.settings import Settings
from saleor_returns.web.app import create_app


@strawberry.type
class Line:
    """An order line as the order source has it: no eligibility, no deadline."""

    id: strawberry.ID
    product_name: str
    quantity: int
    unit_price: Money


@strawberry.type
class BaselineQuery:
    @strawberry.field(description="The order's lines, after one read-only database round-trip.")
    async def order_lines(self, info: Info, order_id: strawberry.ID) -> list[Line]:
        deps = info.context.deps
        order = await deps.orders.get_order(str(order_id))
        if order is None:
            return []
        async with deps.uow(readonly=True) as tx:
            await tx.repo.returned_units(deps.tenant, order.id)
        return [Line(id=strawberry.ID(x.id), product_name=x.product_name, quantity=x.quantity,
                     unit_price=Money.of(x.unit_price)) for x in order.lines]


baseline_schema = strawberry.Schema(query=BaselineQuery)


class BaselineGraphQL(GraphQL):
    """The baseline schema, with the same per-request context as /graphql."""

    def __init__(self, deps: Deps) -> None:
        super().__init__(baseline_schema, graphql_ide=None)
        self.deps = deps

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        return build_context(self.deps, request)


def with_baseline(app: Starlette, deps: Deps) -> Starlette:
    """Add POST /baseline to the app's own router (so the app's middleware wraps it too)."""
    app.router.routes.insert(0, Route("/baseline", BaselineGraphQL(deps), methods=["POST"]))
    return app


async def _seed(settings: Settings, source: DemoOrderSource, store: DemoStore, policies: dict) -> None:
    wiring = build(settings, source)
    try:
        await seed_demo(wiring.deps, policies, store.returns)
    finally:
        await wiring.close()


def serve(args: argparse.Namespace) -> None:
    """Migrate, seed the policies, then serve /graphql and /baseline until terminated."""
    settings = Settings.from_env(database_url=args.db, admin_token=args.admin_token,
                                 public_url=f"http://127.0.0.1:{args.port}")
    configure(settings.log_level, settings.log_format)
    configure_quiet()
    store = load_demo_store(args.orders, datetime.now(UTC))
    policies = json.loads(args.policy.read_text())
    source = DemoOrderSource(store)
    migrate(settings.database_url)
    asyncio.run(_seed(settings, source, store, policies))
    deps = build(settings, source).deps
    app = with_baseline(create_app(deps, graphiql=False), deps)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    p.add_argument("--orders", type=Path, required=True, help="demo orders file")
    p.add_argument("--policy", type=Path, required=True, help="policy file (per channel)")
    p.add_argument("--db", required=True, help="database URL (sqlite+aiosqlite:///... or postgresql://...)")
    p.add_argument("--admin-token", required=True, help="staff token (16+ characters)")
    return p


if __name__ == "__main__":
    serve(_parser().parse_args())
