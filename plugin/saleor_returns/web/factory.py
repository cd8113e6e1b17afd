"""`app_from_env()`: the production app, built from the environment in each worker process."""
from __future__ import annotations

from datetime import UTC, datetime

from starlette.applications import Starlette

from ..adapters.demo.order_source import DemoOrderSource
from ..adapters.saleor.tenants import NoStandaloneOrders
from ..bootstrap import build
from ..logs import configure
from ..ports import OrderSource
from ..settings import Settings
from .app import create_app


def app_from_env() -> Starlette:
    settings = Settings.from_env()
    configure(settings.log_level, settings.log_format)
    source: OrderSource = NoStandaloneOrders()  # Saleor stores only: they come with the Saleor app
    if settings.orders_file is not None:
        source = DemoOrderSource.from_file(settings.orders_file, datetime.now(UTC))
    return create_app(build(settings, source).deps, graphiql=False)
