"""The HTTP adapter's promises: a clear stop on an unsupported Connexion, nothing changed process-wide,
and the pipeline or the stock app serving as the setting says."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from elevate_sandbox.http import SUPPORTED_CONNEXION, check_connexion
from elevate_sandbox.settings import Settings, settings_from_env


@pytest.mark.parametrize("installed", ["3.3.0", "3.3.9", "3.3.0rc1"])
def test_a_supported_connexion_passes_the_guard(installed: str) -> None:
    check_connexion(installed)


@pytest.mark.parametrize("installed", ["3.4.0", "3.2.1", "2.14.2", "4.0"])
def test_an_unsupported_connexion_stops_the_import_with_the_range(installed: str) -> None:
    with pytest.raises(ImportError) as raised:
        check_connexion(installed)
    low, high = SUPPORTED_CONNEXION
    assert f"connexion {installed} is installed" in str(raised.value)
    assert f">= {low[0]}.{low[1]}, < {high[0]}.{high[1]}" in str(raised.value)


def test_building_and_serving_changes_nothing_process_wide() -> None:
    """Connexion's classes, the warning filters and the loggers' levels are what they were."""
    script = textwrap.dedent(
        """
        import logging, warnings
        from connexion.spec import OpenAPISpecification, Specification
        from starlette.testclient import TestClient
        # What the libraries set up on import is theirs; from here on, nothing may change.
        filters = list(warnings.filters)
        check = OpenAPISpecification.__dict__.get("_validate_spec"), Specification.__dict__["_validate_spec"]
        levels = {name: logging.getLogger(name).level for name in ("connexion", "connexion.decorators.parameter")}
        from elevate_sandbox.app import create_app
        from elevate_sandbox.settings import Settings
        for stock in (False, True):
            app = create_app(Settings(dataset="empty", stock_connexion=stock))
            with TestClient(app) as client:
                assert client.get("/_sandbox/health").status_code == 200
        assert list(warnings.filters) == filters, "warning filters changed"
        assert (OpenAPISpecification.__dict__.get("_validate_spec"), Specification.__dict__["_validate_spec"]) == check
        assert {name: logging.getLogger(name).level for name in levels} == levels
        print("unchanged")
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("unchanged")


def test_the_plugin_and_the_app_import_under_warnings_as_errors() -> None:
    """An integrator's `filterwarnings = error` must not stop a run that loads the plugin."""
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import elevate_sandbox.pytest_plugin, elevate_sandbox.app"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_stock_setting_reads_from_the_environment() -> None:
    assert settings_from_env({"SANDBOX_STOCK_CONNEXION": "true"}).stock_connexion is True
    assert Settings().stock_connexion is False
