"""Browser tests: Debian's headless Chromium, driven by Selenium through chromedriver, against a live sandbox.

Without a local Chromium (or chromedriver, or selenium) the tests are skipped and say why; in CI (CI=true)
the same absence fails them, so a runner that lost its browser cannot pass by skipping.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from elevate_sandbox.live import LiveSandbox
from tests.conftest import Api

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)
# Quiet, reproducible and offline: no first-run UI, no update checks, no sync.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1440,1000",
)
WAIT_SECONDS = 10
_tenants = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium (skipped without one, failed in CI)")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    """Skip locally; in CI a missing browser is a failure, never a skip."""
    if in_ci():
        pytest.fail(f"{reason}; CI must run the browser tests (apt-get install chromium chromium-driver)")
    pytest.skip(reason)


def _find(names: tuple[str, ...], variable: str) -> str | None:
    """An executable named by ``variable``, else the first of ``names`` on PATH."""
    return next((path for name in (os.environ.get(variable), *names) if name and (path := shutil.which(name))), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (each test uses its own tenant)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[dev]')")
    binary = _find(BROWSERS, "CHROMIUM_BINARY")
    driver_path = _find(DRIVERS, "CHROMEDRIVER")
    if binary is None or driver_path is None:
        _unavailable(f"no Chromium found (binary: {binary}, chromedriver: {driver_path})")
    options = webdriver.ChromeOptions()
    options.binary_location = binary  # an explicit binary and driver: Selenium Manager never downloads one
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def wait(browser: Any) -> Callable[[Callable[[Any], Any]], Any]:
    """Wait until ``condition(browser)`` is truthy and return it (the page may re-render meanwhile)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (NoSuchElementException, StaleElementReferenceException)
    return lambda condition: WebDriverWait(browser, WAIT_SECONDS, ignored_exceptions=ignored).until(condition)


@pytest.fixture
def live_api(live: LiveSandbox) -> Iterator[Api]:
    """A client of the live sandbox for a tenant no other test uses."""
    with httpx.Client(base_url=live.base_url, timeout=10) as client:
        yield Api(client, live.token(f"e2e{next(_tenants)}"))  # type: ignore[arg-type]


class _ReturnPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.visits.append(self.path)  # type: ignore[attr-defined]
        body = b"<!doctype html><title>Integrator</title><h1>Back at the integrator</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def integrator() -> Iterator[Any]:
    """The integrator's own site, where a mandate flow returns (returnURL) or leaves (exitURL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ReturnPage)
    server.visits = []  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
