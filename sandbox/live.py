"""A real sandbox server on a free loopback port, in a background thread: for tests, the kit and plugins."""

from __future__ import annotations

import threading
from dataclasses import replace
from types import TracebackType

import uvicorn

from elevate_sandbox import serving
from elevate_sandbox.app import create_app
from elevate_sandbox.auth import DEFAULT_TENANT, mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.readiness import free_port, wait_until_healthy
from elevate_sandbox.settings import Settings


class LiveSandbox:
    """Start with ``with LiveSandbox(settings) as live:``; ``live.base_url`` and ``live.token()`` are ready."""

    def __init__(self, settings: Settings | None = None, startup_timeout: float = 15.0) -> None:
        settings = settings or Settings()
        self.settings = replace(settings, port=settings.port if settings.port else free_port(settings.host))
        self.app = create_app(self.settings)
        self._timeout = startup_timeout
        # The same connection limits as `elevate-sandbox serve` (serving.py).
        config = serving.config(self.app, self.settings, access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="elevate-sandbox", daemon=True)

    @property
    def base_url(self) -> str:
        """The root URL of the server (the Elevate API is under /v1)."""
        return f"http://{self.settings.host}:{self.settings.port}"

    def token(self, tenant: str = DEFAULT_TENANT) -> str:
        """A bearer token for ``tenant`` on this server."""
        return mint_token(self.settings.jwt_secret, SystemClock(), tenant)

    def start(self) -> LiveSandbox:
        """Start serving and wait until the health check answers."""
        self._thread.start()
        if wait_until_healthy(self.base_url, self._timeout):
            return self
        self.stop()
        raise RuntimeError(f"the sandbox did not answer on {self.base_url} within {self._timeout} s")

    def stop(self) -> None:
        """Ask the server to finish its requests and stop."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def __enter__(self) -> LiveSandbox:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
