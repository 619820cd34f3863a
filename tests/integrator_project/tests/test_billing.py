"""Acme's own modules and the elevate_sandbox fixture, side by side in one pytest run."""

from pathlib import Path

import contract_tests
import elevate_sandbox
import fixtures
import sandbox

PROJECT = Path(__file__).resolve().parent.parent


def test_the_generic_names_are_acmes_own_modules() -> None:
    for module in (sandbox, fixtures, contract_tests):
        assert Path(module.__file__).resolve().is_relative_to(PROJECT), module.__file__
    # elevate-sandbox comes from the installed wheel, under its own name only.
    assert "site-packages" in Path(elevate_sandbox.__file__).parts, elevate_sandbox.__file__


def test_acme_registers_its_providers_in_a_tenant_of_its_own(elevate_sandbox) -> None:
    with elevate_sandbox.client() as api:
        assert sandbox.provider_names(api) == []  # the empty dataset: nothing but what this test makes
        for name in fixtures.PROVIDER_NAMES:
            sandbox.register_provider(api, name)
        assert sandbox.provider_names(api) == sorted(fixtures.PROVIDER_NAMES)
    elevate_sandbox.reset()
    with elevate_sandbox.client() as api:
        assert sandbox.provider_names(api) == []


def test_the_clock_control_reaches_this_tenant(elevate_sandbox) -> None:
    moved = elevate_sandbox.advance_clock("P1D")
    assert "now" in moved
