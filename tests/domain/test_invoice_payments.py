"""invoice-payments and adhoc-invoice-payments: events, the lifecycle's money, cancel and reprocess."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from elevate_sandbox.domain.enums import BillRunType, InvoicePaymentStatus, PaymentMethod, ThirdPartyPaymentStatus
from elevate_sandbox.domain.errors import (
    AMOUNT_ZERO,
    BILL_RUN_TYPE_MISMATCH,
    INVALID_STATUS_TRANSITION,
    INVOICE_NOT_FOUND,
    NO_FAILED_PAYMENT,
    NO_PENDING_PAYMENT,
    STATUS_NOT_APPLICABLE,
)
from elevate_sandbox.domain.ledger import invoice_payment_status
from elevate_sandbox.domain.models import Invoice, InvoicePayment

GC = PaymentMethod.GO_CARDLESS
P = ThirdPartyPaymentStatus
S = InvoicePaymentStatus
NORMAL, ADHOC = BillRunType.NORMAL, BillRunType.ADHOC


def test_given_a_manual_payment_then_it_is_collected_at_once_with_no_third_party_status(world) -> None:
    invoice = world.invoice("42.50")
    payment = world.pay(invoice, "42.50", PaymentMethod.CHEQUE)
    assert payment.third_party_payment_status is None
    assert (invoice.payment_status, invoice.collected) == (S.PAID, Decimal("42.50"))
    assert world.balance == Decimal("0.00")


def test_given_a_manual_method_with_a_third_party_status_then_the_status_is_ignored(world) -> None:
    # "Not applicable for manual payments" (the docs' CHEQUE sample sends NEW): accepted and ignored.
    invoice = world.invoice("10.00")
    payment = world.pay(invoice, "10.00", PaymentMethod.CHEQUE, P.PAID_OUT)
    assert payment.third_party_payment_status is None
    assert "thirdPartyPaymentStatus" not in payment.to_api()


@pytest.mark.parametrize(
    ("invoice_id", "kind", "amount", "code"),
    [
        (99, NORMAL, "10.00", INVOICE_NOT_FOUND),
        (None, ADHOC, "10.00", BILL_RUN_TYPE_MISMATCH),
        (None, NORMAL, "0.00", AMOUNT_ZERO),
        (None, NORMAL, 0.001, AMOUNT_ZERO),
    ],
)
def test_given_a_bad_reference_or_amount_then_the_payment_is_refused(
    world, refused, invoice_id, kind, amount, code
) -> None:
    invoice = world.invoice("10.00")
    with refused(code):
        world.backend.create_invoice_payment(
            bill_run_type=kind, invoice_id=invoice_id or invoice.id, amount=amount, description="x",
            payment_method=PaymentMethod.BACS,
        )


def test_given_a_provider_payment_with_no_status_then_it_is_submitted_and_the_invoice_pending(world) -> None:
    invoice = world.invoice("75.00")
    payment, created = world.event(invoice, "75.00", GC)
    assert created and payment.third_party_payment_status is P.SUBMITTED
    assert (invoice.payment_status, world.balance) == (S.PENDING, Decimal("-75.00"))


def test_given_an_open_payment_when_the_provider_reports_a_status_then_that_payment_moves(world) -> None:
    invoice = world.invoice("75.00")
    submitted = world.pay(invoice, "75.00", GC)
    confirmed, created = world.event(invoice, 75.0, GC, P.CONFIRMED)
    assert confirmed is submitted and not created
    assert (confirmed.third_party_payment_status, invoice.payment_status, world.balance) == (
        P.CONFIRMED, S.PAID, Decimal("0.00"),
    )


def test_given_an_open_payment_when_a_status_comes_for_another_amount_then_it_is_a_new_payment(world) -> None:
    invoice = world.invoice("75.00")
    first = world.pay(invoice, "75.00", GC)
    second, created = world.event(invoice, "25.00", GC, P.PAID_OUT)
    assert created and second.id == first.id + 1
    assert (invoice.payment_status, invoice.collected) == (S.PARTIALLY_PAID, Decimal("25.00"))


def test_given_an_open_payment_when_an_illegal_status_comes_then_it_is_refused(world, refused) -> None:
    invoice = world.invoice("75.00")
    world.pay(invoice, "75.00", GC)
    with refused(INVALID_STATUS_TRANSITION) as caught:
        world.pay(invoice, "75.00", GC, P.PAID_OUT)
    assert "SUBMITTED" in caught.value.message and "PAID_OUT" in caught.value.message


def test_given_the_same_status_again_then_the_event_changes_nothing(world) -> None:
    invoice = world.invoice("75.00")
    payment = world.pay(invoice, "75.00", GC)
    again, created = world.event(invoice, "75.00", GC, P.SUBMITTED)
    assert again is payment and not created and len(world.backend.state.invoice_payments) == 1


@pytest.mark.parametrize("amounts", [(0.1, 0.2), (0.1, 0.1, 0.1), ("0.10", 0.2)])
def test_given_float_amounts_that_sum_to_the_invoice_then_it_is_exactly_paid(world, amounts) -> None:
    invoice = world.invoice("0.30")
    for amount in amounts:
        world.pay(invoice, amount)
    assert invoice.collected == Decimal("0.30") and invoice.payment_status is S.PAID
    assert world.balance == Decimal("0.00")


def test_given_a_negative_payment_then_it_reverses_collected_money(world) -> None:
    invoice = world.invoice("50.00")
    world.pay(invoice, "50.00")
    world.pay(invoice, "-20.00")
    assert (invoice.payment_status, invoice.outstanding, world.balance) == (
        S.PARTIALLY_PAID, Decimal("20.00"), Decimal("-20.00"),
    )


def test_given_a_paid_out_payment_when_charged_back_then_the_money_leaves_and_can_come_back(world) -> None:
    invoice = world.invoice("80.00")
    payment = world.collect(invoice, "80.00")
    world.backend.move_invoice_payment(NORMAL, payment.id, P.CHARGED_BACK, "Customer disputed")
    assert (invoice.payment_status, world.balance, payment.error_info) == (
        S.UNPAID, Decimal("-80.00"), "Customer disputed",
    )
    world.backend.move_invoice_payment(NORMAL, payment.id, P.CHARGEBACK_CANCELLED)
    assert (invoice.payment_status, world.balance, payment.error_info) == (S.PAID, Decimal("0.00"), None)


def test_given_a_manual_payment_then_it_has_no_status_to_move(world, refused) -> None:
    payment = world.pay(world.invoice("5.00"), "5.00")
    with refused(STATUS_NOT_APPLICABLE):
        world.backend.move_invoice_payment(NORMAL, payment.id, P.CONFIRMED)


def test_given_an_adhoc_invoice_then_its_payments_live_in_their_own_table(world) -> None:
    normal, adhoc = world.invoice("10.00"), world.invoice("15.00", ADHOC)
    first, second = world.pay(normal, "10.00"), world.pay(adhoc, "15.00")
    assert (first.id, second.id) == (1, 1)
    assert world.backend.get_invoice_payment(ADHOC, 1) is second
    assert second.to_api()["generatedAdhocInvoiceId"] == adhoc.id and adhoc.payment_status is S.PAID


def test_cancel_needs_a_pending_payment_and_returns_the_invoice_to_unpaid(world, refused) -> None:
    invoice = world.invoice("30.00")
    with refused(NO_PENDING_PAYMENT):
        world.backend.cancel_invoice_payment(invoice_id=invoice.id, bill_run_type=NORMAL)
    payment = world.pay(invoice, "30.00", GC)
    world.backend.cancel_invoice_payment(invoice_id=invoice.id, bill_run_type=NORMAL, notes="Customer asked")
    assert (payment.third_party_payment_status, payment.meta_data) == (P.CANCELLED, "Customer asked")
    assert invoice.payment_status is S.UNPAID
    with refused(NO_PENDING_PAYMENT):
        world.backend.cancel_invoice_payment(invoice_id=invoice.id, bill_run_type=NORMAL)


@pytest.mark.parametrize(
    ("path", "resubmittable"),
    [
        ((P.FAILED,), True),
        ((P.FAILED_RETRYING,), True),
        ((P.FAILED_RETRYING, P.FAILED), True),
        ((P.CONFIRMED, P.FAILED), True),
        ((), False),
        ((P.CANCELLED,), False),
        ((P.CONFIRMED,), False),
    ],
)
def test_reprocess_resubmits_only_a_failed_payment(world, refused, path, resubmittable) -> None:
    invoice = world.invoice("30.00")
    payment = world.pay(invoice, "30.00", GC)
    for status in path:
        world.backend.move_invoice_payment(NORMAL, payment.id, status, "Insufficient funds")
    if not resubmittable:
        with refused(NO_FAILED_PAYMENT):
            world.backend.reprocess_invoice_payment(invoice_id=invoice.id, bill_run_type=NORMAL)
        return
    world.backend.reprocess_invoice_payment(invoice_id=invoice.id, bill_run_type=NORMAL, notes="Funds back")
    assert (payment.third_party_payment_status, payment.error_info) == (P.PENDING_SUBMISSION, None)
    assert invoice.payment_status is S.PENDING


@pytest.mark.parametrize("status", [P.CUSTOMER_APPROVAL_DENIED, P.CUSTOMER_APPROVAL_MISSING])
def test_reprocess_does_not_skip_a_customers_approval(world, refused, status) -> None:
    invoice = world.invoice("30.00")
    world.pay(invoice, "30.00", GC, P.PENDING_CUSTOMER_APPROVAL)
    world.pay(invoice, "30.00", GC, status)
    with refused(NO_FAILED_PAYMENT):
        world.backend.reprocess_invoice_payment(invoice_id=invoice.id, bill_run_type=NORMAL)


def _invoice(amount: str, collected: str = "0", refunded: str = "0") -> Invoice:
    return Invoice(
        id=1, customer_id=1, bill_run_type=NORMAL, bill_run_id=1, invoice_number="INV",
        invoice_date=date(2026, 11, 1), due_date=date(2026, 12, 1), amount=Decimal(amount),
        collected=Decimal(collected), refunded=Decimal(refunded),
    )


def _pending() -> InvoicePayment:
    return InvoicePayment(
        id=1, bill_run_type=NORMAL, invoice_id=1, customer_id=1, amount=Decimal(1), payment_method=GC,
        payment_date=date(2026, 11, 1), description="", third_party_payment_status=P.SUBMITTED,
    )


@pytest.mark.parametrize(
    ("invoice", "pending", "status"),
    [
        (_invoice("100", "100", "100"), False, S.REFUNDED),
        (_invoice("100", "100", "40"), False, S.PART_REFUNDED),
        (_invoice("100", "100"), False, S.PAID),
        (_invoice("100", "120"), False, S.PAID),
        (_invoice("100", "30"), True, S.PARTIALLY_PAID),
        (_invoice("100"), True, S.PENDING),
        (_invoice("0"), False, S.NA),
        (_invoice("100"), False, S.UNPAID),
    ],
)
def test_the_invoice_status_follows_collected_refunded_and_pending_money(invoice, pending, status) -> None:
    assert invoice_payment_status(invoice, [_pending()] if pending else []) is status
