"""outbound-payments (1.39, rule 13): limits, approval (403), the payout lifecycle, credit, and JSON Patch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from elevate_sandbox.domain.enums import PaymentMethod, PaymentProviderStatus, ThirdPartyOutboundPaymentStatus
from elevate_sandbox.domain.errors import (
    AMOUNT_OVER_LIMIT,
    APPROVAL_REQUIRED,
    CUSTOMER_NOT_FOUND,
    EXECUTION_DATE_NOT_IN_FUTURE,
    INSUFFICIENT_CREDIT,
    INVALID_STATUS_TRANSITION,
    PATCH_INVALID,
    PATCH_READ_ONLY,
    PAYMENT_METHOD_NOT_SUPPORTED,
    PAYMENT_NOT_OPEN,
    ApprovalRequired,
)
from elevate_sandbox.domain.outbound import MAX_OUTBOUND_AMOUNT

O = ThirdPartyOutboundPaymentStatus  # noqa: E741
TOMORROW = date(2026, 11, 26)
TO_EXECUTING = (O.VERIFYING, O.SCHEDULED, O.EXECUTING)
STATUS = "/thirdPartyOutboundPaymentStatus"


def accept(document: dict) -> None:
    """A schema check that finds nothing wrong."""


@pytest.fixture
def payee(world):
    world.backend.create_balance_adjustment(customer_id=world.customer.id, amount=Decimal("300.00"))
    return world


def payout(world, amount: str = "120.50", **extra):
    return world.backend.create_outbound_payment(
        customer_id=world.customer.id, amount=Decimal(amount), reference="PAYOUT-1", **extra
    )


def replace(path: str, value) -> list[dict]:
    return [{"op": "replace", "path": path, "value": value}]


def test_when_a_payout_is_created_then_it_is_new_and_moves_nothing_yet(payee) -> None:
    made = payout(payee, execution_date=TOMORROW, description="Refund", use_customer_credit_balance=True)
    assert (made.status, made.execution_date, made.credit_applied) == (O.NEW, TOMORROW, False)
    assert payee.backend.get_outbound_payment(made.id) is made and payee.balance == Decimal("300.00")


@pytest.mark.parametrize(
    ("amount", "extra", "code"),
    [
        ("25000.01", {}, AMOUNT_OVER_LIMIT),
        ("10.00", {"execution_date": date(2026, 11, 25)}, EXECUTION_DATE_NOT_IN_FUTURE),
        ("300.01", {"use_customer_credit_balance": True}, INSUFFICIENT_CREDIT),
        ("10.00", {"customer_id": 99}, CUSTOMER_NOT_FOUND),
    ],
)
def test_given_a_payout_outside_the_rules_then_it_is_refused(payee, refused, amount, extra, code) -> None:
    with refused(code):
        payee.backend.create_outbound_payment(
            **{"customer_id": payee.customer.id, "amount": Decimal(amount), "reference": "R", **extra}
        )


def test_given_no_active_gocardless_provider_then_payouts_are_not_supported(world, refused) -> None:
    world.provider.type = PaymentMethod.STRIPE
    with refused(PAYMENT_METHOD_NOT_SUPPORTED):
        payout(world, "10.00")
    world.provider.type, world.provider.status = PaymentMethod.GO_CARDLESS, PaymentProviderStatus.INACTIVE
    with refused(PAYMENT_METHOD_NOT_SUPPORTED):
        payout(world, "10.00")


def test_given_a_payout_needing_approval_then_it_is_kept_pending_and_answered_with_a_url(world) -> None:
    # Opt-in: no amount needs approval by default; the magic reference prefix APPROVE asks for it.
    assert payout(world, "24999.99").status is O.NEW
    world.backend.progression.magic_values = True
    assert payout(world, "24999.99").status is O.NEW
    with pytest.raises(ApprovalRequired) as caught:
        world.backend.create_outbound_payment(
            customer_id=world.customer.id, amount=Decimal("5.00"), reference="approve-1"
        )
    error = caught.value
    assert (error.status, error.code, error.message) == (
        403, APPROVAL_REQUIRED, "Payment requires approval through payment provider",
    )
    assert error.authorisation_url == f"http://127.0.0.1:8080/_sandbox/hosted/outbound-approvals/{error.outbound_payment_id}"
    assert world.backend.get_outbound_payment(error.outbound_payment_id).status is O.PENDING_APPROVAL
    assert error.to_body()["authorisationUrl"] == error.authorisation_url
    assert Decimal("25000.00") == MAX_OUTBOUND_AMOUNT


def test_when_a_credit_payout_executes_then_the_credit_is_used_once(payee, refused) -> None:
    made = payout(payee, use_customer_credit_balance=True)
    with refused(INVALID_STATUS_TRANSITION):
        payee.backend.move_outbound_payment(made.id, O.EXECUTED)
    for status in TO_EXECUTING:
        payee.backend.move_outbound_payment(made.id, status)
    assert payee.balance == Decimal("300.00")
    payee.backend.move_outbound_payment(made.id, O.EXECUTED)
    payee.backend.move_outbound_payment(made.id, O.EXECUTED)  # a repeated event changes nothing
    assert (payee.balance, made.credit_applied) == (Decimal("179.50"), True)


def test_given_the_credit_is_gone_by_execution_then_the_payout_cannot_execute(payee, refused) -> None:
    made = payout(payee, use_customer_credit_balance=True)
    for status in TO_EXECUTING:
        payee.backend.move_outbound_payment(made.id, status)
    payee.invoice("250.00")
    with refused(INSUFFICIENT_CREDIT):
        payee.backend.move_outbound_payment(made.id, O.EXECUTED)
    payee.backend.move_outbound_payment(made.id, O.FAILED)


def test_when_patching_an_open_payout_then_its_fields_and_status_change_together(payee) -> None:
    made = payout(payee)
    operations = [
        *replace("/amountInMajorCurrency", 99.99), *replace(STATUS, "VERIFYING"),
        {"op": "add", "path": "/executionDate", "value": "2026-12-01"},
        {"op": "add", "path": "/description", "value": "Moved to December"},
    ]
    patched = payee.backend.update_outbound_payment(made.id, operations, accept)
    assert (patched.amount, patched.status, patched.execution_date, patched.description) == (
        Decimal("99.99"), O.VERIFYING, date(2026, 12, 1), "Moved to December",
    )


def test_given_the_docs_patch_sample_then_the_status_is_set_without_a_lifecycle(payee, refused) -> None:
    # The docs define no lifecycle for thirdPartyOutboundPaymentStatus: NEW -> EXECUTED is accepted
    # (and the credit is used); the sandbox's inferred lifecycle is enforced only with --strict-inferred.
    made = payout(payee, use_customer_credit_balance=True)
    payee.backend.update_outbound_payment(made.id, replace(STATUS, "EXECUTED"), accept)
    assert (made.status, payee.balance) == (O.EXECUTED, Decimal("179.50"))
    other = payout(payee)
    with refused(INVALID_STATUS_TRANSITION):
        payee.backend.update_outbound_payment(other.id, replace(STATUS, "EXECUTED"), accept, strict=True)


def test_given_a_status_on_create_then_it_is_taken_unless_strict(payee, refused) -> None:
    assert payout(payee, status=O.SCHEDULED).status is O.SCHEDULED
    with refused(INVALID_STATUS_TRANSITION):
        payout(payee, status=O.SCHEDULED, strict=True)
    assert payout(payee, status=O.NEW, strict=True).status is O.NEW


def test_when_a_patch_executes_a_credit_payout_then_the_credit_is_used(payee) -> None:
    made = payout(payee, use_customer_credit_balance=True)
    for status in (*TO_EXECUTING, O.EXECUTED):
        payee.backend.update_outbound_payment(made.id, replace(STATUS, status.value), accept)
    assert payee.balance == Decimal("179.50")


@pytest.mark.parametrize(
    ("operations", "moved_to", "code"),
    [
        (replace("/customerId", 2), (), PATCH_READ_ONLY),
        (replace(STATUS, "EXECUTED"), (), INVALID_STATUS_TRANSITION),
        (replace("/reference", "LATE EDIT"), TO_EXECUTING, PAYMENT_NOT_OPEN),
        (replace("/amountInMajorCurrency", 25000.01), (), AMOUNT_OVER_LIMIT),
        (replace("/amountInMajorCurrency", 300.01), (), INSUFFICIENT_CREDIT),
        ([{"op": "add", "path": "/executionDate", "value": "2026-11-25"}], (), EXECUTION_DATE_NOT_IN_FUTURE),
        ([{"op": "add", "path": "/executionDate", "value": "next week"}], (), PATCH_INVALID),
        (replace(STATUS, "CANCELLED"), TO_EXECUTING, INVALID_STATUS_TRANSITION),
    ],
)
def test_given_a_patch_breaking_a_payout_rule_then_it_is_refused_whole(
    payee, refused, operations, moved_to, code
) -> None:
    made = payout(payee, use_customer_credit_balance=True)
    for status in moved_to:
        payee.backend.move_outbound_payment(made.id, status)
    with refused(code):
        payee.backend.update_outbound_payment(made.id, operations, accept, strict=True)
