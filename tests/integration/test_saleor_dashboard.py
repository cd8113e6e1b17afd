"""The manifest's extensions open the console where the Saleor Dashboard frames them (tests/support/dashboard.py
builds the frame URL as the Dashboard does: appUrl joined with the extension's relative URL)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from support.dashboard import extension_frame_url
from support.fake_saleor import ReturnsApp, gid


@pytest.fixture
def returns_app(settings, demo_store, clock) -> Iterator[ReturnsApp]:
    app = ReturnsApp(replace(settings, refund_gateway="saleor"), DemoOrderSource(demo_store), clock)
    try:
        yield app
    finally:
        app.close()


@pytest.mark.parametrize("mount", ["NAVIGATION_ORDERS", "ORDER_DETAILS_MORE_ACTIONS"])
def test_each_extension_opens_the_console_in_the_dashboard_frame(returns_app, mount):
    # given the manifest a store installed
    manifest = returns_app.http.get("/api/manifest").json()
    [extension] = [e for e in manifest["extensions"] if e["mount"] == mount]

    # when staff click the extension (the order action passes the order's id)
    params = {"orderId": gid("Order", "0001")} if mount == "ORDER_DETAILS_MORE_ACTIONS" else {}
    src = extension_frame_url(app_url=manifest["appUrl"], extension_url=extension["url"], app_id=gid("App", 1),
                              api_url="http://shop.example/graphql/", params=params)
    response = returns_app.http.get(src)

    # then the frame shows the console page, with the order id where the console reads it
    assert response.status_code == 200, (src, response.status_code)
    assert "<title>Returns console</title>" in response.text
    assert src.startswith(f"{returns_app.url}/console?")
    if params:
        assert f"orderId={params['orderId'].replace('=', '%3D')}" in src
