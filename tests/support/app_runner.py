"""The app on a real loopback port, built from the given store, policies, gateway and clock."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import DemoStore
from saleor_returns.bootstrap import Wiring, build
from saleor_returns.services.seed import seed_demo
from saleor_returns.settings import Settings
from saleor_returns.web.app import create_app

from .constants import ADMIN_TOKEN
from .graphql_client import GraphQLClient
from .server import ServerThread


class RunningApp:
    """Handles on a running app: its server, its wiring (deps), and a GraphQL client."""

    def __init__(self, server: ServerThread, wiring: Wiring, client: GraphQLClient) -> None:
        self.server, self.wiring, self.gql = server, wiring, client

    @property
    def deps(self) -> Any:
        return self.wiring.deps

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the server's event loop (where its engine lives)."""
        return self.server.call(coro)


@contextmanager
def running_app(settings: Settings, store: DemoStore, policies: dict, refunds: Any, clock: Any,
                **build_kwargs: Any) -> Iterator[RunningApp]:
    holder: dict[str, Wiring] = {}

    def make_app() -> Any:
        holder["wiring"] = build(settings, DemoOrderSource(store), refunds=refunds, clock=clock, **build_kwargs)
        return create_app(holder["wiring"].deps)

    server = ServerThread(make_app).start()
    wiring = holder["wiring"]
    server.call(seed_demo(wiring.deps, policies, store.returns))
    client = GraphQLClient(server.url, ADMIN_TOKEN)
    try:
        yield RunningApp(server, wiring, client)
    finally:
        client.close()
        server.call(wiring.close())
        server.stop()
