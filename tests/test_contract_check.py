"""The compiled start-up check of the contracts (sandbox/api/contract_check.py) stands in for Connexion's
own: it must pass the shipped contracts, which Connexion's full check (defaults included) passes too, and
a broken contract must still stop Connexion with its own InvalidSpecification."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from connexion.exceptions import InvalidSpecification
from connexion.spec import Specification

from sandbox.api import contract_check
from sandbox.runtime import CONTROL_SPEC, ELEVATE_SPEC, load_spec

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
    contract_check.install()
    with pytest.raises(InvalidSpecification):
        Specification.from_dict(_broken(change))
