"""refunds: rule 1's payment method, the refundable amount, the invoice status and the refund lifecycle."""

from __future__ import annotations

from decimal import Decimal

import pytest

from elevate_sandbox.domain.enums import BillRunType, InvoicePaymentStatus, PaymentMethod, ThirdPartyRefundStatus
from elevate_sandbox.domain.errors import (
    AMOUNT_ZERO,
    BILL_RUN_TYPE_MISMATCH,
    INVALID_STATUS_TRANSITION,
    NOTHING_TO_REFUND,
    REFUND_EXCEEDS_COLLECTED,
)

R = ThirdPartyRefundStatus
S = InvoicePaymentStatus
NORMAL = BillRunType.NORMAL


def refund(world, invoice, amount: str, method: PaymentMethod | None = None):
    kind = invoice.bill_run_type
    return world.backend.create_refund(
        invoice_id=invoice.id, bill_run_type=kind, amount=Decimal(amount), payment_method=method
    )


def test_given_no_method_then_the_refund_takes_the_last_successful_payments_method(world) -> None:
    invoice = world.invoice("100.00")
    world.pay(invoice, "40.00", PaymentMethod.CHEQUE)
    world.pay(invoice, "60.00", PaymentMethod.CREDIT_CARD)
    first = refund(world, invoice, "60.00")
    assert first.payment_method is PaymentMethod.CREDIT_CARD
    assert first.third_party_refund_status is R.MANUALLY_REFUNDED
    assert (invoice.payment_status, world.balance) == (S.PART_REFUNDED, Decimal("-60.00"))
    refund(world, invoice, "40.00")
    assert (invoice.payment_status, invoice.refunded) == (S.REFUNDED, Decimal("100.00"))
    assert world.balance == Decimal("-100.00")


@pytest.mark.parametrize(
    ("collected_by", "asked", "expected", "status"),
    [
        # Auto-collected: the provider's method wins over the one asked for.
        (PaymentMethod.GO_CARDLESS, PaymentMethod.CHEQUE, PaymentMethod.GO_CARDLESS, R.SUBMITTED),
        (PaymentMethod.BACS, PaymentMethod.CHEQUE, PaymentMethod.CHEQUE, R.MANUALLY_REFUNDED),
        (PaymentMethod.BACS, PaymentMethod.STRIPE, PaymentMethod.STRIPE, R.SUBMITTED),
    ],
)
def test_given_how_the_invoice_was_collected_then_the_refund_method_and_status_follow(
    world, collected_by, asked, expected, status
) -> None:
    invoice = world.invoice("50.00")
    if collected_by is PaymentMethod.GO_CARDLESS:
        world.collect(invoice, "50.00")
    else:
        world.pay(invoice, "50.00", collected_by)
    made = refund(world, invoice, "5.00", asked)
    assert (made.payment_method, made.third_party_refund_status, made.customer_id) == (
        expected, status, world.customer.id,
    )


def test_given_a_refund_over_what_is_left_then_it_is_refused_stating_both_amounts(world, refused) -> None:
    invoice = world.invoice("100.00")
    world.pay(invoice, "100.00")
    refund(world, invoice, "60.00")
    with refused(REFUND_EXCEEDS_COLLECTED) as caught:
        refund(world, invoice, "40.01")
    assert "40.01" in caught.value.message and "40.00" in caught.value.message


@pytest.mark.parametrize(
    ("paid", "refunded", "amount", "kind", "code"),
    [
        (None, None, "5.00", NORMAL, NOTHING_TO_REFUND),
        ("20.00", "20.00", "1.00", NORMAL, NOTHING_TO_REFUND),
        ("20.00", None, "0.00", NORMAL, AMOUNT_ZERO),
        ("20.00", None, "5.00", BillRunType.ADHOC, BILL_RUN_TYPE_MISMATCH),
    ],
)
def test_given_nothing_refundable_or_a_bad_request_then_the_refund_is_refused(
    world, refused, paid, refunded, amount, kind, code
) -> None:
    invoice = world.invoice("20.00")
    if paid:
        world.pay(invoice, paid)
    if refunded:
        refund(world, invoice, refunded)
    with refused(code):
        world.backend.create_refund(invoice_id=invoice.id, bill_run_type=kind, amount=Decimal(amount))


@pytest.mark.parametrize(
    ("path", "counts"),
    [
        ((R.PAID, R.REFUND_SETTLED), True),
        ((R.BOUNCED,), False),
        ((R.CANCELLED,), False),
        ((R.PAID, R.FUNDS_RETURNED), False),
    ],
)
def test_given_a_provider_refund_when_its_money_comes_back_then_it_no_longer_counts(
    world, path, counts
) -> None:
    invoice = world.invoice("50.00")
    world.collect(invoice, "50.00")
    made = refund(world, invoice, "50.00")
    for status in path:
        world.backend.move_refund(made.id, status)
    expected = (S.REFUNDED, Decimal("-50.00")) if counts else (S.PAID, Decimal("0.00"))
    assert (invoice.payment_status, world.balance) == expected


@pytest.mark.parametrize(
    ("method", "status"), [(PaymentMethod.GO_CARDLESS, R.REFUND_SETTLED), (PaymentMethod.BACS, R.CANCELLED)]
)
def test_given_a_refund_then_it_cannot_skip_or_leave_a_final_status(world, refused, method, status) -> None:
    invoice = world.invoice("50.00")
    if method is PaymentMethod.GO_CARDLESS:
        world.collect(invoice, "50.00")
    else:
        world.pay(invoice, "50.00", method)
    made = refund(world, invoice, "10.00")
    with refused(INVALID_STATUS_TRANSITION):
        world.backend.move_refund(made.id, status)
