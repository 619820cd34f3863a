"""The pytest plugin, used exactly as an integrator would: a test file in another directory, run by pytest.

The plugin is found through the installed package's `pytest11` entry point (no conftest, no import of
this project's tests), in a fresh pytest process whose working directory is outside the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

INTEGRATOR_TESTS = """
import pytest

from sandbox.pytest_plugin import SandboxControlMissing

PROVIDER = {"type": "GO_CARDLESS", "name": "Integrator provider", "status": "ACTIVE", "contractOwnerIds": [1]}


def _names(api):
    response = api.get("/payment-providers", params={"page": 1, "pageSize": 100})
    assert response.status_code == 200, response.text
    return [provider["name"] for provider in response.json()]


def test_the_api_answers_with_this_tests_token(elevate_sandbox):
    assert elevate_sandbox.base_url.startswith("http://127.0.0.1:")
    with elevate_sandbox.client() as api:
        assert api.post("/payment-providers", json=PROVIDER).status_code == 201
        assert _names(api) == ["Integrator provider"]


def test_each_test_has_a_tenant_of_its_own(elevate_sandbox):
    with elevate_sandbox.client() as api:
        assert _names(api) == []


def test_reset_starts_the_tenant_again(elevate_sandbox):
    with elevate_sandbox.client() as api:
        api.post("/payment-providers", json=PROVIDER)
        assert elevate_sandbox.reset() == {"tenant": elevate_sandbox.tenant, "seed": 0, "dataset": "empty"}
        assert _names(api) == []


def test_advance_clock_moves_the_tenant_clock_or_says_it_cannot(elevate_sandbox):
    try:
        moved = elevate_sandbox.advance_clock("P1D")
    except SandboxControlMissing as missing:
        assert "POST /_sandbox/clock" in str(missing)
    else:
        assert moved is not None


def test_simulate_names_a_record(elevate_sandbox):
    with elevate_sandbox.client() as api:
        api.post("/payment-providers", json=PROVIDER)
    try:
        elevate_sandbox.simulate("payment_failed", 999999)
    except SandboxControlMissing as missing:
        assert "POST /_sandbox/simulations" in str(missing)
    except AssertionError as refused:  # an unknown record: the endpoint exists and says so
        assert refused.status_code in (400, 404)
"""


def test_an_integrator_suite_gets_a_fresh_sandbox_tenant_per_test(tmp_path: Path) -> None:
    (tmp_path / "test_integration.py").write_text(INTEGRATOR_TESTS)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SANDBOX_", "PYTEST_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--elevate-sandbox-dataset", "empty",
         "--elevate-sandbox-freeze-time", "2026-11-25T09:00:00Z", "test_integration.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_the_plugin_is_registered_by_the_installed_package() -> None:
    from importlib.metadata import entry_points

    plugins = {entry.name: entry.value for entry in entry_points(group="pytest11")}
    assert plugins.get("elevate_sandbox") == "sandbox.pytest_plugin"
