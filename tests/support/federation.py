"""Apollo's composition library and gateway (npm, tests/federation/), driven from the tests.

`.ci/run` installs them (`npm ci` in tests/federation/); where they are missing the tests skip with a
message, under CI they fail instead.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

FOLDER = Path(__file__).resolve().parents[1] / "federation"
INSTALL = "cd tests/federation && npm ci"
# a storefront's question to the gateway: the shopper's orders, what each can return, the returns made
MY_ORDERS = """query MyOrders {
  me { email orders(first: 20) { edges { node {
    id number
    returnEligibility { __typename
      ... on OrderReturnEligibility { orderNumber timezone deadline
        lines { productName eligible quantityReturnable codes unitRefund { amount currency } } }
      ... on ReturnError { code message } }
    returnRequests { __typename
      ... on OrderReturnRequests { items { number status resolution refundTotal { amount currency }
        lines { productName quantity } } }
      ... on ReturnError { code message } }
  } } } }
}"""


def node() -> str:
    """The node binary, once the npm packages are installed (skip or, under CI, fail otherwise)."""
    found = shutil.which("node")
    missing = None if found else "node is not installed"
    if found and not (FOLDER / "node_modules" / "@apollo" / "gateway").is_dir():
        missing = f"the npm packages of tests/federation are not installed ({INSTALL})"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    assert found is not None
    return found


def compose(subgraphs: dict[str, str], tmp: Path, operations: dict[str, str] | None = None) -> dict[str, Any]:
    """Compose subgraph SDLs (name → SDL) with @apollo/composition and validate `operations` (name → document)
    against the composed API: {"errors", "hints", "supergraph", "operations": {name: [messages]}}."""
    args = []
    for name, sdl in subgraphs.items():
        path = tmp / f"{name}.graphql"
        path.write_text(sdl)
        args.append(f"{name}={path}")
    files = {}
    for name, document in (operations or {}).items():
        files[str(tmp / f"operation-{name}.graphql")] = name
        (tmp / f"operation-{name}.graphql").write_text(document)
        args += ["--operation", str(tmp / f"operation-{name}.graphql")]
    out = tmp / "supergraph.graphql"
    done = subprocess.run([node(), "compose.mjs", *args, "--supergraph", str(out)], cwd=FOLDER, capture_output=True,
                          text=True, timeout=180)
    assert done.stdout.strip(), done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["supergraph"] = out.read_text() if out.exists() else None
    result["operations"] = {files[f]: messages for f, messages in result["operations"].items()}
    return result


class Gateway:
    """An Apollo Gateway on a loopback port, in front of the given subgraphs."""

    def __init__(self, url: str, process: subprocess.Popen[str]) -> None:
        self.url, self.process = url, process
        self.http = httpx.Client(timeout=60)

    def query(self, document: str, variables: dict[str, Any] | None = None, *,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
        """POST a query as a storefront would; the whole body (data and errors)."""
        response = self.http.post(self.url, json={"query": document, "variables": variables or {}},
                                  headers={"content-type": "application/json", **(headers or {})})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def gateway(subgraphs: dict[str, str]) -> Iterator[Gateway]:
    """Start gateway.mjs (it composes the subgraphs' `_service { sdl }` at start); stop it afterwards."""
    process = subprocess.Popen([node(), "gateway.mjs", *(f"{n}={u}" for n, u in subgraphs.items())], cwd=FOLDER,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _first_line(process, timeout=120)
        running = Gateway(json.loads(line)["url"], process)
        try:
            yield running
        finally:
            running.http.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The gateway's "listening" line; its stderr when it stopped or took too long instead."""
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(timeout)
    if not found or not found[0].strip():
        process.kill()
        errors = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"the gateway did not start: {errors[-3000:]}")
    return found[0]
