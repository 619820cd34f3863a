"""Options and fixtures of the contract kit: ``pytest contract_tests --base-url URL --token TOKEN``."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from elevate_sandbox.contract_tests import lists, spec
from elevate_sandbox.contract_tests.client import Api, control_api, elevate_api
from elevate_sandbox.contract_tests.plugin import KitPlugin, add_options, hypothesis_home, kit
from elevate_sandbox.contract_tests.references import References
from elevate_sandbox.contract_tests.report import Recorder
from elevate_sandbox.contract_tests.target import Target

PLUGIN_NAME = "elevate-contract-kit"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    # The same two markers as pyproject.toml, so the kit also runs from an installed package.
    config.addinivalue_line("markers", "sandbox_only: needs the sandbox's control API")
    config.addinivalue_line("markers", "writes: sends requests that change state (skipped with --read-only)")
    if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        # Hypothesis keeps its files in `./.hypothesis` by default: not in the user's working directory.
        set_hypothesis_home_dir(hypothesis_home())
    if config.pluginmanager.get_plugin(PLUGIN_NAME) is None:
        config.pluginmanager.register(KitPlugin(config), PLUGIN_NAME)


def pytest_unconfigure(config: pytest.Config) -> None:
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if isinstance(plugin, KitPlugin):
        plugin.stop()
        config.pluginmanager.unregister(plugin, PLUGIN_NAME)


@pytest.fixture(scope="session")
def plugin(pytestconfig: pytest.Config) -> KitPlugin:
    return kit(pytestconfig)


@pytest.fixture(scope="session")
def target(plugin: KitPlugin) -> Target:
    """The implementation under test."""
    return plugin.target


@pytest.fixture(scope="session")
def recorder(plugin: KitPlugin) -> Recorder:
    return plugin.recorder


@pytest.fixture(scope="session")
def references(target: Target) -> References:
    """Ids that exist in the target, for valid generated bodies (read once per run)."""
    client = elevate_api(target)
    try:
        return References.discover(client, target.seed)
    finally:
        client.close()


@pytest.fixture
def api(target: Target) -> Iterator[Api]:
    """A client of the Elevate API (a fresh one per test, so its last request is this test's)."""
    client = elevate_api(target)
    yield client
    client.close()


@pytest.fixture
def control(target: Target) -> Iterator[Api]:
    """A client of the sandbox control API, same tenant as ``api`` (for ``sandbox_only`` tests)."""
    if not target.is_sandbox:
        pytest.skip("needs the sandbox control API (/_sandbox)")
    client = control_api(target)
    yield client
    client.close()


# Records a list needs for the checks; a writable target gets a few customer payments when it has fewer.
MINIMUM = 3


@pytest.fixture(scope="session")
def required_params(plugin: KitPlugin) -> Callable[[Api, spec.Operation], dict[str, Any]]:
    """Values for a list's required parameters other than paging (``customer_id``), found in the data."""
    found: dict[str, dict[str, Any]] = {}

    def params(api: Api, operation: spec.Operation) -> dict[str, Any]:
        needed = [n for n, p in operation.filters.items() if p.get("required")]
        if not needed:
            return {}
        if operation.operation_id not in found:
            count, params = _busiest_customer(api, operation, needed)
            if count < MINIMUM and not plugin.target.read_only:
                _add_customer_payments(api, params["customer_id"], MINIMUM - count)
            found[operation.operation_id] = params
        return found[operation.operation_id]

    return params


def _busiest_customer(api: Api, operation: spec.Operation, needed: list[str]) -> tuple[int, dict[str, Any]]:
    """A customer with enough records in ``operation`` (the first of the credit-status list that has them,
    else the one with the most among the first ten)."""
    assert needed == ["customer_id"], f"no way to find values for {needed}"
    statuses = api.ok(api.get("/customer-credit-status", page=1, pageSize=10), 200)
    best: tuple[int, dict[str, Any]] = (-1, {})
    for status in statuses:
        params = {"customer_id": status["customerId"]}
        rows = api.get(operation.path, page=1, pageSize=lists.PAGE_ALL, **params)
        if rows.status_code == 200 and len(rows.json()) > best[0]:
            best = (len(rows.json()), params)
        if best[0] >= MINIMUM * 2:
            break
    if best[0] < 0:
        pytest.skip(f"no customer to list {operation.label} for")
    return best


def _add_customer_payments(api: Api, customer_id: int, count: int) -> None:
    """Record a few small payments so that the list checks have something to page, sort and filter."""
    for number, method in zip(range(count), ("BACS", "CHEQUE", "CREDIT_CARD"), strict=False):
        body = {
            "customerId": customer_id,
            "amountInMajorCurrency": 1.5 + number,
            "type": method,
            "reference": f"KIT-LIST-{secrets.token_hex(3).upper()}",
        }
        api.ok(api.post("/customer-payments", body), 200, 201)
