"""customer-payments (rule 2), customer-balances and adjustments (rules 3, 4), credit status (rule 12)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from elevate_sandbox.domain.enums import (
    BillRunType,
    CustomerPaymentType,
    InvoicePaymentStatus,
    MandateStatus,
    PaymentMethod,
    PaymentProviderStatus,
)
from elevate_sandbox.domain.errors import AMOUNT_ZERO, BILL_RUN_TYPE_MISMATCH, CUSTOMER_NOT_FOUND, INVOICE_NOT_FOUND

S = InvoicePaymentStatus
GC, STRIPE = PaymentMethod.GO_CARDLESS, PaymentMethod.STRIPE
SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


def pay_customer(world, amount, **extra):
    return world.backend.create_customer_payment(
        customer_id=world.customer.id, amount=amount, payment_type=PaymentMethod.BACS, **extra
    )


def test_given_a_customer_payment_then_oldest_invoices_are_settled_first_and_the_surplus_is_credit(world):
    newer = world.invoice("30.00", day=OCT)
    older = world.invoice("20.00", BillRunType.ADHOC, day=SEP)
    payment = pay_customer(world, Decimal("60.00"), reference="RMT-1")
    assert (older.payment_status, newer.payment_status) == (S.PAID, S.PAID)
    assert payment.resulting_customer_balance == world.balance == Decimal("10.00")
    assert payment.customer_payment_type is CustomerPaymentType.CUSTOMER
    state = world.backend.state
    allocations = [*state.adhoc_invoice_payments.values(), *state.invoice_payments.values()]
    assert [(a.invoice_id, a.amount, a.customer_payment_id) for a in allocations] == [
        (older.id, Decimal("20.00"), payment.id), (newer.id, Decimal("30.00"), payment.id),
    ]
    assert all(a.customer_payment_type is CustomerPaymentType.CUSTOMER for a in allocations)


def test_given_a_small_customer_payment_then_only_the_oldest_invoice_is_paid(world) -> None:
    older, newer = world.invoice("20.00", day=SEP), world.invoice("30.00", day=OCT)
    pay_customer(world, 25)
    assert (older.payment_status, newer.payment_status, newer.outstanding) == (
        S.PAID, S.PARTIALLY_PAID, Decimal("25.00"),
    )


def test_given_a_named_invoice_then_it_is_paid_before_older_ones(world) -> None:
    older, named = world.invoice("20.00", day=SEP), world.invoice("30.00", day=OCT)
    payment = pay_customer(world, Decimal("30.00"), invoice_id=named.id)
    assert (named.payment_status, older.payment_status) == (S.PAID, S.UNPAID)
    assert (payment.customer_payment_type, payment.invoice_number, payment.bill_run_type) == (
        CustomerPaymentType.CUSTOMER, named.invoice_number, BillRunType.NORMAL,
    )


def test_given_pending_or_paid_invoices_then_a_customer_payment_passes_them_by(world) -> None:
    pending, paid = world.invoice("10.00", day=SEP), world.invoice("10.00", day=SEP)
    unpaid = world.invoice("10.00")
    world.pay(pending, "10.00", PaymentMethod.GO_CARDLESS)
    world.pay(paid, "10.00")
    pay_customer(world, Decimal("10.00"))
    assert (pending.payment_status, pending.collected) == (S.PENDING, Decimal(0))
    assert unpaid.payment_status is S.PAID


def test_given_float_customer_payments_then_pennies_are_exact(world) -> None:
    invoice = world.invoice("0.30")
    for amount in (0.1, 0.1, 0.1):
        pay_customer(world, amount)
    assert invoice.payment_status is S.PAID and world.balance == Decimal("0.00")


@pytest.mark.parametrize(
    ("customer_id", "invoice_of", "kind", "code"),
    [
        (99, None, None, CUSTOMER_NOT_FOUND),
        (None, "other", None, INVOICE_NOT_FOUND),
        (None, "own", BillRunType.ADHOC, BILL_RUN_TYPE_MISMATCH),
        (None, "missing", None, INVOICE_NOT_FOUND),
    ],
)
def test_given_a_bad_customer_or_invoice_then_the_customer_payment_is_refused(
    world, refused, customer_id, invoice_of, kind, code
) -> None:
    other = world.backend.create_customer(name="Other Ltd")
    invoices = {"own": world.invoice("5.00"), "other": world.invoice("5.00", customer=other)}
    invoice_id = invoices[invoice_of].id if invoice_of in invoices else (99 if invoice_of else None)
    with refused(code):
        world.backend.create_customer_payment(
            customer_id=customer_id or world.customer.id, amount=Decimal("5.00"),
            payment_type=PaymentMethod.BACS, invoice_id=invoice_id, bill_run_type=kind,
        )


def test_when_reading_the_balance_then_totals_count_payments_once_and_since_the_last_invoice(
    world, clock
) -> None:
    first = world.invoice("100.10")
    world.pay(first, "60.05")
    pay_customer(world, Decimal("10.00"))  # settles 10.00 of the first invoice: counted once
    clock.advance(timedelta(days=1))
    world.invoice("50.20")
    world.pay(first, "1.00")  # on the day of the last invoice: not after it
    clock.advance(timedelta(days=1))
    pay_customer(world, Decimal("5.00"))
    world.backend.create_balance_adjustment(customer_id=world.customer.id, amount=Decimal("-0.15"))
    balance = world.backend.customer_balance(world.customer.id)
    assert balance["balance"] == Decimal("-74.40") == world.balance
    assert balance["totalPayments"] == Decimal("76.05")
    assert balance["totalPaymentsSinceLastInvoice"] == Decimal("5.00")
    assert (balance["id"], balance["customerId"]) == (world.customer.id, world.customer.id)
    assert balance["repaymentPlanSummary"] == {"summaryType": "NONE"}


def _site_with_mandate(world, provider_type: PaymentMethod | None, closed: bool = False) -> None:
    end = date(2026, 11, 1) if closed else None
    site = world.backend.create_site(customer_id=world.customer.id, start_date=date(2025, 1, 1), end_date=end)
    if provider_type is None:
        return
    for provider in world.backend.state.payment_providers.values():
        chosen = provider.type is provider_type
        provider.status = PaymentProviderStatus.ACTIVE if chosen else PaymentProviderStatus.INACTIVE
    world.backend.create_site_payment_mandate(site_id=site.id, return_url="https://x.example/r")


GC_LIVE, STRIPE_LIVE, STRIPE_CLOSED = (GC, False), (STRIPE, False), (STRIPE, True)
SINGLE_GC = {"paymentMethod": "GO_CARDLESS", "summaryType": "SINGLE"}


@pytest.mark.parametrize(
    ("sites", "summary"),
    [
        ([], {"summaryType": "NONE"}),
        ([(None, False)], {"summaryType": "NONE"}),
        ([GC_LIVE], SINGLE_GC),
        ([GC_LIVE, STRIPE_CLOSED], SINGLE_GC),
        ([GC_LIVE, STRIPE_LIVE], {"summaryType": "MULTIPLE"}),
    ],
)
def test_the_payment_method_summary_comes_from_live_sites_only(world, sites, summary) -> None:
    world.backend.create_payment_provider(
        type=PaymentMethod.STRIPE, name="Stripe", status=PaymentProviderStatus.ACTIVE,
        contract_owner_ids=[world.owner.id],
    )
    for method, closed in sites:
        _site_with_mandate(world, method, closed)
    assert world.backend.customer_balance(world.customer.id)["paymentMethodSummary"] == summary
    assert all(s.mandate_status in (None, MandateStatus.NEW) for s in world.backend.state.sites.values())


def test_given_an_unknown_customer_then_the_balance_query_is_refused(backend, refused) -> None:
    with refused(CUSTOMER_NOT_FOUND):
        backend.customer_balance(5)


def test_adjustments_move_the_balance_both_ways_but_never_by_zero(world, refused) -> None:
    customer_id = world.customer.id
    world.backend.create_balance_adjustment(customer_id=customer_id, amount=Decimal("25.00"))
    world.backend.create_balance_adjustment(customer_id=customer_id, amount=-2.5, description="Late fee")
    assert world.balance == Decimal("22.50")
    with refused(AMOUNT_ZERO):
        world.backend.create_balance_adjustment(customer_id=world.customer.id, amount=Decimal("0"))
    with refused(CUSTOMER_NOT_FOUND):
        world.backend.create_balance_adjustment(customer_id=99, amount=Decimal("1.00"))


@pytest.mark.parametrize(
    ("threshold", "owed", "bill", "difference", "percentage"),
    [
        ("200.00", "50.00", "50.00", "150.00", "25.00"),
        ("300.00", "100.00", "100.00", "200.00", "33.33"),
        ("300.00", "200.00", "200.00", "100.00", "66.67"),
        ("0.00", "10.00", "10.00", "-10.00", "0.00"),
        ("100.00", "-40.00", "0.00", "100.00", "0.00"),
    ],
)
def test_credit_status_compares_what_the_customer_owes_with_the_threshold(
    backend, threshold, owed, bill, difference, percentage
) -> None:
    customer = backend.create_customer(name="Credit Ltd", credit_threshold=Decimal(threshold))
    backend.create_balance_adjustment(customer_id=customer.id, amount=-Decimal(owed))
    [status] = backend.credit_statuses()
    assert status == {
        "customerId": customer.id, "creditThreshold": Decimal(threshold), "billAmount": Decimal(bill),
        "valueDifference": Decimal(difference), "percentageDifference": Decimal(percentage),
        "openBillRunValue": Decimal("0.00"),
    }


def test_the_open_bill_run_value_counts_what_is_outstanding_on_open_invoices(world) -> None:
    world.invoice("50.00")
    world.pay(world.invoice("30.00"), "10.00")
    world.pay(world.invoice("20.00"), "20.00", PaymentMethod.GO_CARDLESS)
    world.pay(world.invoice("40.00"), "40.00")
    other = world.backend.create_customer(name="Other Ltd")
    statuses = world.backend.credit_statuses()
    assert [s["customerId"] for s in statuses] == [world.customer.id, other.id]
    assert statuses[0]["openBillRunValue"] == Decimal("90.00")
    assert statuses[0]["billAmount"] == Decimal("90.00")
