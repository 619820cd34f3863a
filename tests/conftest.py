"""Shared fixtures: a sandbox app served in-process through its real HTTP stack, and tokens for it."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from elevate_sandbox.app import create_app
from elevate_sandbox.auth import mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.live import LiveSandbox
from elevate_sandbox.settings import Settings

FROZEN_AT = "2026-11-25T09:00:00Z"
_tenants = itertools.count(1)


def make_settings(**overrides: Any) -> Settings:
    """Test settings: responses validated against the contract, time frozen, empty data unless asked."""
    values: dict[str, Any] = {"validate_responses": True, "freeze_time": FROZEN_AT, "dataset": "empty", "seed": 0}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def app() -> Any:
    """One app for the session; each test isolates itself by using its own tenant."""
    return create_app(make_settings())


@pytest.fixture(scope="session")
def http(app: Any) -> Iterator[TestClient]:
    """An HTTP client bound to the app (no network)."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def live() -> Iterator[LiveSandbox]:
    """A real uvicorn server on a free loopback port, for what an in-process client cannot show."""
    with LiveSandbox(make_settings(port=0)) as server:
        yield server


@pytest.fixture
def token_for(app: Any) -> Callable[[str], str]:
    """Mint a token for a tenant with the app's secret."""
    return lambda tenant: mint_token(app.runtime.settings.jwt_secret, SystemClock(), tenant)


@pytest.fixture
def tenant() -> str:
    """A tenant name no other test uses: its state starts from the empty dataset."""
    return f"t{next(_tenants)}"


class Api:
    """A small client for one tenant: JSON in, response out, bearer token attached."""

    def __init__(self, http: TestClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(path, params=params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.http.post(path, json=body, headers=self.headers)

    def patch(self, path: str, operations: Any) -> Any:
        headers = {**self.headers, "Content-Type": "application/json-patch+json"}
        return self.http.patch(path, content=orjson.dumps(operations), headers=headers)

    def ok(self, response: Any, status: int = 200) -> Any:
        """Assert the status and return the JSON body."""
        assert response.status_code == status, response.text
        return response.json() if response.content else None


@pytest.fixture
def api(http: TestClient, token_for: Callable[[str], str], tenant: str) -> Api:
    """A client for a fresh, empty tenant."""
    return Api(http, token_for(tenant))


@pytest.fixture(scope="session")
def strict_http() -> Iterator[TestClient]:
    """An HTTP client bound to a sandbox started with --strict-inferred (inferred constraints enforced)."""
    with TestClient(create_app(make_settings(strict_inferred=True)), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def strict_api(strict_http: TestClient, tenant: str) -> Api:
    """A client for a fresh tenant of the --strict-inferred sandbox."""
    return Api(strict_http, mint_token(Settings().jwt_secret, SystemClock(), tenant))


@contextmanager
def served_process() -> Iterator[str]:
    """`elevate-sandbox serve --port 0 --dataset empty` in its own process, as deployed, with none of this
    environment's SANDBOX_ settings; yields the first line it prints (the start line, naming the bound port)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SANDBOX_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "elevate_sandbox", "serve", "--port", "0", "--dataset", "empty"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        yield process.stdout.readline()  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait(timeout=10)
