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


# The edit-test loop runs `pytest -m "not slow"` (under a minute on 2 cores); CI runs everything. Slow are
# whole modules that start servers, subprocesses, browsers or fuzzers, and any test using a live server.
SLOW_MODULES = frozenset(
    {
        "tests/api/test_negative_fuzz.py",
        "tests/api/test_pipeline_differential.py",
        "tests/kit/test_kit_catches_faults.py",
        "tests/kit/test_kit_cli.py",
        "tests/kit/test_pytest_plugin.py",
        "tests/server/test_concurrency.py",
        "tests/server/test_docker_command.py",
        "tests/server/test_no_stall.py",
        "tests/server/test_readme_commands.py",
        "tests/store/test_scale.py",
        "tests/store/test_tenant_equivalence.py",
    }
)
SLOW_FOLDERS = ("tests/web/browser/",)
SLOW_TESTS = frozenset(
    {
        "test_the_fast_body_check_never_accepts_what_jsonschema_refuses",
        "test_the_fast_parameter_check_never_accepts_what_jsonschema_refuses",
        # each starts a server or a Python process of its own
        "test_a_killed_sandbox_restarts_from_its_last_periodic_save_and_a_stopped_one_saves",
        "test_the_state_file_is_saved_on_shutdown_and_restored_on_start",
        "test_a_corrupt_state_file_stops_the_start_with_a_clear_message",
        "test_building_and_serving_changes_nothing_process_wide",
        "test_the_plugin_and_the_app_import_under_warnings_as_errors",
        "test_serve_on_port_0_prints_the_port_it_got",
        "test_serve_starts_says_where_and_answers",
        "test_serve_refuses_an_unknown_dataset",
        "test_serve_refuses_to_listen_beyond_loopback_with_the_default_secret",
        "test_schemathesis_loads_every_operation_and_link",
    }
)
SLOW_FIXTURES = frozenset({"live", "live_sandbox", "sandbox_process"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    for item in items:
        path = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        name = getattr(item, "originalname", item.name)
        if (
            path in SLOW_MODULES
            or path.startswith(SLOW_FOLDERS)
            or name in SLOW_TESTS
            or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            item.add_marker(pytest.mark.slow)


def pytest_ignore_collect(collection_path: Any, config: pytest.Config) -> bool | None:
    """With `-m "not slow"`, slow modules are not even imported (some build apps and fuzzers at import)."""
    if config.getoption("markexpr", "").replace(" ", "") != "notslow":
        return None
    path = (
        collection_path.relative_to(config.rootpath).as_posix()
        if collection_path.is_relative_to(config.rootpath)
        else ""
    )
    return True if path in SLOW_MODULES or path.startswith(SLOW_FOLDERS) else None
