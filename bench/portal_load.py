"""How fast the portal and the console come up in a real browser (Debian's Chromium), against the demo.

    .venv/bin/python bench/portal_load.py [--runs 10]

Starts `saleor-returns demo` on a free loopback port (a fresh SQLite file in a temporary folder), then
times, in fresh browser contexts (no cache): a storefront link to the portal until the order view is shown
(page, modules, two GraphQL calls), and the console until the returns table is shown. Prints median and max.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "bench-admin-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_demo(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = Path(sys.executable).with_name("saleor-returns")
    proc = subprocess.Popen([str(exe), "demo", "--port", str(port), "--db", str(folder / "bench.sqlite3"),
                             "--admin-token", TOKEN], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the demo did not start")


def timed(browser, url: str, ready: str, token: bool = False) -> float:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    if token:
        page.goto(url.split("#")[0])
        page.evaluate(f"sessionStorage.setItem('saleor-returns.console.token', '{TOKEN}')")
        url = url.replace("/console", "/console?again=1")
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(ready)
    elapsed = (time.perf_counter() - start) * 1000
    context.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        proc, base = start_demo(Path(folder))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                portal = [timed(browser, f"{base}/portal?order=1003&email=cy@example.com", "#order-title")
                          for _ in range(runs + 1)][1:]  # the first run warms the server up
                console = [timed(browser, f"{base}/console#/returns", ".returns-table", token=True)
                           for _ in range(runs + 1)][1:]
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    for name, values in (("portal: storefront link → order view", portal),
                         ("console: load → returns table", console)):
        print(f"{name:40} median {statistics.median(values):6.0f} ms   max {max(values):6.0f} ms   ({runs} runs)")


if __name__ == "__main__":
    main()
