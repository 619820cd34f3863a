"""Options and fixtures of the contract kit: ``pytest contract_tests --base-url URL --token TOKEN``."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

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
