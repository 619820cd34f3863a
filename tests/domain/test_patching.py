"""JSON Patch read back through a resource's table: defaults for absent members, types checked, nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from elevate_sandbox.domain.enums import PaymentMethod
from elevate_sandbox.domain.errors import PATCH_INVALID, PATCH_READ_ONLY, InvalidRequest
from elevate_sandbox.domain.patching import patched_values
from elevate_sandbox.domain.resources import PAYMENT_PROVIDER


def accept(document: dict[str, Any]) -> None:
    """A schema check that finds nothing wrong, so that the table's own reading is what is tested."""


def test_every_writable_member_reads_back_as_the_record_holds_it(world: Any) -> None:
    provider = world.provider
    before = provider.to_api()
    values = patched_values(
        provider,
        [
            {"op": "replace", "path": "/type", "value": "STRIPE"},
            {"op": "remove", "path": "/instantBankPayments"},
            {"op": "add", "path": "/creditorIdentifier", "value": "GB12ZZZ"},
        ],
        PAYMENT_PROVIDER,
        accept,
    )
    assert values["type"] is PaymentMethod.STRIPE
    assert values["instant_bank_payments"] is False  # absent: the model's default
    assert values["creditor_identifier"] == "GB12ZZZ"
    assert values["contract_owner_ids"] == [world.owner.id]
    assert "id" not in values  # read-only: never read back
    assert provider.to_api() == before  # nothing is written to the record


@pytest.mark.parametrize(
    ("operations", "member"),
    [
        ([{"op": "remove", "path": "/name"}], "name"),  # required: the model has no default
        ([{"op": "replace", "path": "/name", "value": 7}], "name"),
        ([{"op": "replace", "path": "/retryIfPossible", "value": "yes"}], "retryIfPossible"),
        ([{"op": "replace", "path": "/contractOwnerIds", "value": [1, "2"]}], "contractOwnerIds"),
        ([{"op": "replace", "path": "/status", "value": "SLEEPING"}], "status"),
    ],
)
def test_a_member_the_record_cannot_hold_is_refused_by_name(world: Any, operations: list, member: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        patched_values(world.provider, operations, PAYMENT_PROVIDER, accept)
    assert caught.value.code == PATCH_INVALID
    assert [problem.field for problem in caught.value.problems] == [member]


def test_a_read_only_member_of_the_table_is_refused(world: Any) -> None:
    with pytest.raises(InvalidRequest) as caught:
        patched_values(world.provider, [{"op": "replace", "path": "/id", "value": 9}], PAYMENT_PROVIDER, accept)
    assert caught.value.code == PATCH_READ_ONLY
