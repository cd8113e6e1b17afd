"""A real browser (Debian's Chromium driven by Playwright) against the app on loopback: fixtures for tests/e2e.

Test modules load them with `pytest_plugins = ("support.browser",)` (a conftest.py in tests/e2e would take the
module name `conftest` from tests/conftest.py, which other test helpers import from).

Chromium comes from the system (`.ci/system-packages.txt`), never from Playwright's own download. Where
it or Playwright is missing the browser tests skip with a message; under CI they fail instead.
Set RETURNS_WRITE_SCREENSHOTS=1 to refresh docs/screenshots/ from the tests.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("RETURNS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need it under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def browser(app: Any) -> Iterator[Any]:
    """A headless Chromium per test, started after the app and stopped before it.

    Playwright's sync API keeps its event loop running in this thread while it is open, which would break
    the fixtures that call asyncio.run(); so it lives no longer than one test (a launch takes well under 1 s).
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the `playwright` package is not installed (pip install -e '.[test]')")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """open_page(url, mobile=False) → a page in a fresh context (en-US, New York), failing on script errors."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _open(url: str, *, mobile: bool = False, color_scheme: str = "light") -> Any:
        context = browser.new_context(viewport=MOBILE if mobile else DESKTOP, locale="en-US",
                                      timezone_id="America/New_York", color_scheme=color_scheme,
                                      device_scale_factor=1, service_workers="block")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if url:
            page.goto(url)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def screenshot() -> Callable[..., None]:
    """screenshot(page, name) → docs/screenshots/<name>.png, only with RETURNS_WRITE_SCREENSHOTS=1."""

    def _shoot(page: Any, name: str, *, full_page: bool = True) -> None:
        if os.environ.get("RETURNS_WRITE_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page, animations="disabled",
                        caret="hide")

    return _shoot
