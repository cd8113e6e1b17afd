"""A regular install works outside the checkout: the wheel carries what the package reads at run time
(migrations, the documents sent to Saleor, the demo store), so `saleor-returns migrate` and the demo run from a
fresh venv in an empty directory. Builds a wheel (about a minute): select with `-m packaging`, skip with
`-m "not packaging"`."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from support.constants import ROOT
from support.server import free_port

pytestmark = pytest.mark.packaging
DOCUMENTS_CHECK = ("from saleor_returns.adapters.saleor.documents import document, documents_dir; "
                   "from saleor_returns.bootstrap import migrations_dir; import saleor_returns; "
                   "print(saleor_returns.__file__); print(migrations_dir()); print(documents_dir()); "
                   "assert document('ReturnsOrder').text")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: int = 240) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (--no-deps; the dependencies come from this test's own venv, added
    by a .pth file so that no editable install of the checkout is seen there)."""
    tmp = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp / "dist", ROOT, cwd=tmp)
    [wheel] = (tmp / "dist").glob("saleor_returns-*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", tmp / "venv", cwd=tmp)
    site = Path(run(tmp / "venv" / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    cwd=tmp).strip())
    (site / "deps-of-the-test-venv.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # the venv's own interpreter runs pip (found through the .pth): the scripts point at the new venv
    run(tmp / "venv" / "bin" / "python", "-m", "pip", "install", "--no-deps", "--quiet", wheel, cwd=tmp)
    return tmp


def test_the_wheel_runs_migrate_and_the_demo_outside_the_checkout(installed: Path):
    venv, work = installed / "venv", installed / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RETURNS_", "DATABASE_URL", "PYTHON"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{work / 'returns.sqlite3'}"

    # the package, its migrations and its Saleor documents are the installed copies, not the checkout's
    found = run(venv / "bin" / "python", "-c", DOCUMENTS_CHECK, cwd=work, env=env).splitlines()
    assert all(str(venv) in line for line in found), found
    assert not any(line.startswith(str(ROOT)) for line in found), found

    # saleor-returns migrate creates the schema
    run(venv / "bin" / "saleor-returns", "migrate", cwd=work, env=env)
    assert (work / "returns.sqlite3").stat().st_size > 0

    # and the demo starts from there and answers /healthz
    port = free_port()
    demo = subprocess.Popen([str(venv / "bin" / "saleor-returns"), "demo", "--port", str(port), "--db",
                             str(work / "demo.sqlite3")], cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        health = _healthy(f"http://127.0.0.1:{port}/healthz", demo)
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        order = httpx.post(f"http://127.0.0.1:{port}/graphql", timeout=10, json={"query": (
            '{ orderReturnEligibility(orderId: "ORD-1002", email: "ben@example.com") { __typename } }')})
        assert order.json()["data"]["orderReturnEligibility"]["__typename"] == "OrderReturnEligibility"
    finally:
        demo.terminate()
        demo.wait(15)


def _healthy(url: str, process: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the demo stopped: {process.stdout.read() if process.stdout else ''}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("the demo did not answer /healthz within 60 s")
