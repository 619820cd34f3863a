"""payment-providers: create, JSON Patch (refused whole or applied whole), and payment-provider-reprocess."""

from __future__ import annotations

import pytest

from elevate_sandbox.domain.enums import BillRunType, PaymentMethod, PaymentProviderStatus, ThirdPartyPaymentStatus
from elevate_sandbox.domain.errors import (
    CONTRACT_OWNER_NOT_FOUND,
    NOT_FOUND,
    PATCH_INVALID,
    PATCH_READ_ONLY,
    PATCH_TEST_FAILED,
    PAYMENT_PROVIDER_NOT_FOUND,
    PROVIDER_INACTIVE,
    VALIDATION_ERROR,
    InvalidRequest,
    NotFound,
)

P = ThirdPartyPaymentStatus
INACTIVATE = {"op": "replace", "path": "/status", "value": "INACTIVE"}


def accept(document: dict) -> None:
    """A schema check that finds nothing wrong."""


def test_given_an_unknown_contract_owner_then_the_provider_is_refused(world, refused) -> None:
    with refused(CONTRACT_OWNER_NOT_FOUND) as caught:
        world.backend.create_payment_provider(
            type=PaymentMethod.FINASTRA, name="Finastra", status=PaymentProviderStatus.ACTIVE,
            contract_owner_ids=[world.owner.id, 7],
        )
    assert [p.field for p in caught.value.problems] == ["contractOwnerIds"]


def test_when_patching_a_provider_then_every_change_is_written_back(world) -> None:
    second = world.backend.create_contract_owner("Second owner")
    seen = []
    patched = world.backend.update_payment_provider(
        world.provider.id,
        [
            {"op": "test", "path": "/id", "value": world.provider.id},
            {"op": "replace", "path": "/status", "value": "INACTIVE"},
            {"op": "add", "path": "/contractOwnerIds/-", "value": second.id},
            {"op": "add", "path": "/directDebitWithName", "value": "HARROW FINCH"},
            {"op": "replace", "path": "/retryIfPossible", "value": True},
        ],
        seen.append,
    )
    assert patched is world.provider
    assert (patched.status, patched.contract_owner_ids) == (PaymentProviderStatus.INACTIVE, [1, second.id])
    assert (patched.direct_debit_with_name, patched.retry_if_possible) == ("HARROW FINCH", True)
    assert seen == [patched.to_api()]
    removal = [{"op": "remove", "path": "/directDebitWithName"}]
    world.backend.update_payment_provider(world.provider.id, removal, accept)
    assert world.provider.direct_debit_with_name is None


@pytest.mark.parametrize(
    ("operations", "code"),
    [
        ([{"op": "replace", "path": "/id", "value": 99}], PATCH_READ_ONLY),
        ([{"op": "move", "from": "/id", "path": "/name"}], PATCH_READ_ONLY),
        ([{"op": "replace", "path": "", "value": {}}], PATCH_READ_ONLY),
        ([{"op": "test", "path": "/name", "value": "nope"}, INACTIVATE], PATCH_TEST_FAILED),
        ([{"op": "remove", "path": "/nonexistent"}], PATCH_INVALID),
        ([{"op": "jump", "path": "/name"}], PATCH_INVALID),
        ([{"op": "replace", "path": "name", "value": "x"}], PATCH_INVALID),
        ([{"op": "add", "path": "/colour", "value": "blue"}], PATCH_INVALID),
        ([{"op": "replace", "path": "/status", "value": "SLEEPING"}], PATCH_INVALID),
        ([{"op": "replace", "path": "/contractOwnerIds", "value": [1, 9]}], CONTRACT_OWNER_NOT_FOUND),
        ("not a list", PATCH_INVALID),
    ],
)
def test_given_a_bad_patch_then_it_is_refused_whole(world, refused, operations, code) -> None:
    with refused(code):
        world.backend.update_payment_provider(world.provider.id, operations, accept)


def test_given_a_patch_the_schema_refuses_then_nothing_changes(world, refused) -> None:
    def reject(document: dict) -> None:
        raise InvalidRequest("contractOwnerIds: [] is too short", VALIDATION_ERROR)

    with refused(VALIDATION_ERROR):
        world.backend.update_payment_provider(
            world.provider.id, [{"op": "replace", "path": "/contractOwnerIds", "value": []}], reject
        )
    with refused(NOT_FOUND, NotFound):
        world.backend.update_payment_provider(99, [], accept)


def _failed_payment(world, method: PaymentMethod, status: P, customer=None):
    invoice = world.invoice("10.00", customer=customer)
    return world.pay(invoice, "10.00", method, status)


def test_reprocessing_a_provider_resubmits_its_failed_payments_for_its_contract_owners(world) -> None:
    outsider = world.backend.create_customer(
        name="Outsider Ltd", contract_owner_id=world.backend.create_contract_owner("Other").id
    )
    due = [_failed_payment(world, PaymentMethod.GO_CARDLESS, s) for s in (P.FAILED, P.FAILED_RETRYING)]
    adhoc = world.invoice("5.00", BillRunType.ADHOC)
    due.append(world.pay(adhoc, "5.00", PaymentMethod.GO_CARDLESS, P.FAILED))
    skipped = [
        _failed_payment(world, PaymentMethod.STRIPE, P.FAILED),
        _failed_payment(world, PaymentMethod.GO_CARDLESS, P.CANCELLED),
        _failed_payment(world, PaymentMethod.GO_CARDLESS, P.FAILED, outsider),
    ]
    count = world.backend.reprocess_payment_provider(payment_provider_id=world.provider.id, notes="Outage")
    assert count == 3
    assert {p.third_party_payment_status for p in due} == {P.PENDING_SUBMISSION}
    assert [p.third_party_payment_status for p in skipped] == [P.FAILED, P.CANCELLED, P.FAILED]
    assert due[0].meta_data == "Outage"


def test_reprocessing_needs_a_known_active_provider(world, refused) -> None:
    with refused(PAYMENT_PROVIDER_NOT_FOUND):
        world.backend.reprocess_payment_provider(payment_provider_id=99)
    world.provider.status = PaymentProviderStatus.INACTIVE
    with refused(PROVIDER_INACTIVE):
        world.backend.reprocess_payment_provider(payment_provider_id=world.provider.id)
