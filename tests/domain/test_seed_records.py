"""Seed records from the other Elevate APIs: contract owners, customers, sites, invoices, and lookups."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from elevate_sandbox.domain.enums import BillRunType, InvoicePaymentStatus
from elevate_sandbox.domain.errors import (
    CONTRACT_OWNER_NOT_FOUND,
    CUSTOMER_NOT_FOUND,
    SITE_NOT_FOUND,
    VALIDATION_ERROR,
    NotFound,
)


def test_given_no_contract_owner_when_creating_customers_then_one_default_owner_is_created_and_reused(
    backend,
) -> None:
    first = backend.create_customer(name="Harrow & Finch Ltd")
    second = backend.create_customer(name="Quayside Bakery")
    assert backend.state.contract_owners[1].name == "Default Contract Owner"
    assert len(backend.state.contract_owners) == 1
    assert first.contract_owner_id == second.contract_owner_id == 1


def test_given_only_a_name_then_the_customers_details_are_derived_deterministically(backend, clock) -> None:
    customer = backend.create_customer(name="Harrow & Finch Ltd", credit_threshold=0.1)
    assert customer.email == "harrow-finch-ltd@example.co.uk"
    assert customer.account_number == "ACC000001"
    assert customer.telephone == "020 7946 0001"
    assert customer.credit_threshold == Decimal("0.10")
    assert customer.balance == Decimal("0.00")
    assert customer.created_at == clock.now()


def test_given_an_unknown_contract_owner_then_the_customer_is_refused(backend, refused) -> None:
    backend.create_contract_owner("Owner")
    with refused(CONTRACT_OWNER_NOT_FOUND):
        backend.create_customer(name="Nobody's Ltd", contract_owner_id=9)


@pytest.mark.parametrize(
    ("kind", "day", "number", "bill_run"),
    [
        (BillRunType.NORMAL, date(2026, 11, 2), "INV-2026-000001", 2026110),
        (BillRunType.ADHOC, date(2026, 11, 2), "ADH-2026-000001", 2026111),
        (BillRunType.NORMAL, date(2025, 12, 31), "INV-2025-000001", 2025120),
    ],
)
def test_when_issuing_an_invoice_then_its_number_and_bill_run_follow_type_and_month(
    world, kind: BillRunType, day: date, number: str, bill_run: int
) -> None:
    invoice = world.invoice("10.00", kind, day)
    assert (invoice.invoice_number, invoice.bill_run_id) == (number, bill_run)
    assert invoice.due_date == day + timedelta(days=30)


def test_when_issuing_an_invoice_then_it_raises_debt_and_is_unpaid(world) -> None:
    invoice = world.invoice("100.10")
    assert invoice.payment_status is InvoicePaymentStatus.UNPAID
    assert world.balance == Decimal("-100.10")
    assert world.invoice("0.00").payment_status is InvoicePaymentStatus.NA


def test_given_a_due_date_before_the_invoice_date_then_the_invoice_is_refused(world, refused) -> None:
    with refused(VALIDATION_ERROR):
        world.backend.create_invoice(
            customer_id=world.customer.id, bill_run_type=BillRunType.NORMAL, amount=Decimal("5.00"),
            invoice_date=date(2026, 11, 2), due_date=date(2026, 11, 1),
        )


def test_given_a_site_of_another_customer_then_the_invoice_is_refused(world, refused) -> None:
    other = world.backend.create_customer(name="Other Ltd")
    site = world.backend.create_site(customer_id=other.id)
    with refused(SITE_NOT_FOUND):
        world.backend.create_invoice(
            customer_id=world.customer.id, bill_run_type=BillRunType.NORMAL, amount=Decimal("5.00"),
            site_id=site.id,
        )


def test_given_an_unknown_customer_then_sites_and_invoices_are_refused(backend, refused) -> None:
    with refused(CUSTOMER_NOT_FOUND):
        backend.create_site(customer_id=7)
    with refused(CUSTOMER_NOT_FOUND):
        backend.create_invoice(customer_id=7, bill_run_type=BillRunType.NORMAL, amount=Decimal("5.00"))


def test_when_creating_a_site_then_it_defaults_to_the_customers_address_and_today(world, clock) -> None:
    customer = world.customer
    site = world.backend.create_site(customer_id=customer.id, postcode="M1 1AE")
    assert (site.address_line1, site.city, site.postcode) == (customer.address_line1, customer.city, "M1 1AE")
    assert site.start_date == clock.today() and site.reference == "SITE-000001"


def test_given_an_end_date_before_the_start_then_the_site_is_refused(world, refused) -> None:
    with refused(VALIDATION_ERROR):
        world.backend.create_site(
            customer_id=world.customer.id, start_date=date(2026, 1, 2), end_date=date(2026, 1, 1)
        )


@pytest.mark.parametrize(
    ("getter", "args", "message"),
    [
        ("get_customer", (42,), "No customer with id 42"),
        ("get_site", (42,), "No site with id 42"),
        ("get_invoice", (42,), "No invoice with id 42"),
        ("get_invoice_payment", (BillRunType.NORMAL, 42), "No invoice payment with id 42"),
        ("get_invoice_payment", (BillRunType.ADHOC, 42), "No adhoc invoice payment with id 42"),
        ("get_customer_payment", (42,), "No customer payment with id 42"),
        ("get_payment_provider", (42,), "No payment provider with id 42"),
        ("get_outbound_payment", (42,), "No outbound payment with id 42"),
    ],
)
def test_given_an_unknown_id_when_getting_then_not_found_names_it(
    backend, getter: str, args: tuple, message: str
) -> None:
    with pytest.raises(NotFound) as caught:
        getattr(backend, getter)(*args)
    assert caught.value.message == message
