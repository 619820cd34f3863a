"""The compiled start-up check of the contracts (sandbox/api/contract_check.py) stands in for Connexion's
own while the sandbox adds its contracts: it must pass the shipped contracts, which Connexion's full check
(defaults included) passes too; a broken contract must still stop Connexion with its own
InvalidSpecification; and any other Connexion app in the process keeps Connexion's own check."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from connexion.exceptions import InvalidSpecification
from connexion.spec import Specification

from elevate_sandbox.api import contract_check
from elevate_sandbox.app import create_app
from elevate_sandbox.runtime import CONTROL_SPEC, ELEVATE_SPEC, load_spec
from elevate_sandbox.settings import Settings

CONTRACTS = {"elevate": load_spec(ELEVATE_SPEC), "control": load_spec(CONTROL_SPEC)}


@pytest.mark.parametrize("name", CONTRACTS)
def test_connexions_full_check_passes_the_shipped_contracts(name: str) -> None:
    contract_check.connexions_full_check(copy.deepcopy(CONTRACTS[name]))


@pytest.mark.parametrize("name", CONTRACTS)
def test_the_compiled_check_passes_them_too(name: str) -> None:
    assert contract_check._meta_schema_check()(CONTRACTS[name])


def _broken(change: Any) -> dict[str, Any]:
    spec = copy.deepcopy(CONTRACTS["elevate"])
    change(spec)
    return spec


@pytest.mark.parametrize(
    "change",
    [
        lambda spec: spec["info"].pop("title"),
        lambda spec: spec["paths"]["/refunds"]["get"].update(responses=5),
        lambda spec: spec["components"]["schemas"]["Refund"].update(type="money"),
    ],
)
def test_a_broken_contract_still_stops_connexion_with_its_own_error(change: Any) -> None:
    with contract_check.compiled_meta_schema_check(), pytest.raises(InvalidSpecification):
        Specification.from_dict(_broken(change))


def _bad_default(spec: dict[str, Any]) -> None:
    # Valid against the meta-schema; only Connexion's own check of defaults refuses it.
    spec["components"]["parameters"]["PageParam"]["schema"]["default"] = "ten"


def test_outside_create_app_every_other_connexion_app_keeps_connexions_own_check() -> None:
    create_app(Settings(dataset="empty"))
    with pytest.raises(InvalidSpecification):
        Specification.from_dict(_broken(_bad_default))
    with contract_check.compiled_meta_schema_check():
        Specification.from_dict(_broken(_bad_default))  # what the compiled check alone lets through
