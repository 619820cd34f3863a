"""payment-provider-payment-link (rule 11): one target, an active provider, and a link that pays once."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from elevate_sandbox.domain.enums import (
    BillRunType,
    CustomerPaymentType,
    InvoicePaymentStatus,
    PaymentMethod,
    PaymentProviderStatus,
    ThirdPartyPaymentStatus,
)
from elevate_sandbox.domain.errors import (
    BILL_RUN_TYPE_MISMATCH,
    CUSTOMER_NOT_FOUND,
    INVOICE_NOT_FOUND,
    NOT_FOUND,
    PAYMENT_LINK_TARGET,
    PAYMENT_NOT_OPEN,
    PAYMENT_PROVIDER_NOT_FOUND,
    PROVIDER_INACTIVE,
    NotFound,
)


def link(world, provider_id: int | None = None, **targets):
    return world.backend.create_payment_link(
        payment_provider_id=provider_id or world.provider.id, amount=Decimal("20.00"), description="Pay now",
        **targets,
    )


@pytest.mark.parametrize(
    ("targets", "code"),
    [
        ({}, PAYMENT_LINK_TARGET),
        ({"invoice_id": "adhoc"}, BILL_RUN_TYPE_MISMATCH),
        ({"adhoc_invoice_id": "normal"}, BILL_RUN_TYPE_MISMATCH),
        ({"invoice_id": 99}, INVOICE_NOT_FOUND),
        ({"customer_id": 99}, CUSTOMER_NOT_FOUND),
        ({"invoice_id": "normal", "provider_id": 99}, PAYMENT_PROVIDER_NOT_FOUND),
    ],
)
def test_given_a_bad_target_or_provider_then_the_link_is_refused(world, refused, targets, code) -> None:
    ids = {"normal": world.invoice("20.00").id, "adhoc": world.invoice("20.00", BillRunType.ADHOC).id,
           "customer": world.customer.id}
    resolved = {key: ids.get(value, value) for key, value in targets.items()}
    with refused(code):
        link(world, **resolved)


def test_given_several_targets_then_the_link_pays_the_first_unless_strict(world, refused) -> None:
    # The docs' sample sets invoiceId, adhocInvoiceId and customerId together; "exactly one" is inferred.
    normal, adhoc = world.invoice("20.00"), world.invoice("20.00", BillRunType.ADHOC)
    every = {"invoice_id": normal.id, "adhoc_invoice_id": adhoc.id, "customer_id": world.customer.id}
    made = link(world, **every)
    assert (made.invoice_id, made.adhoc_invoice_id, made.customer_id) == (normal.id, adhoc.id, world.customer.id)
    world.backend.pay_payment_link(made.token)
    assert (normal.collected, adhoc.collected) == (Decimal("20.00"), Decimal(0))
    with refused(PAYMENT_LINK_TARGET):
        link(world, strict=True, **every)


def test_given_an_inactive_provider_then_no_link_is_made_or_paid(world, refused) -> None:
    made = link(world, customer_id=world.customer.id)
    world.provider.status = PaymentProviderStatus.INACTIVE
    with refused(PROVIDER_INACTIVE):
        link(world, customer_id=world.customer.id)
    with refused(PROVIDER_INACTIVE):
        world.backend.pay_payment_link(made.token)


@pytest.mark.parametrize(
    ("method", "status"),
    [(PaymentMethod.GO_CARDLESS, ThirdPartyPaymentStatus.CONFIRMED), (PaymentMethod.PAYPAL, None)],
)
def test_when_an_invoice_link_is_paid_then_the_invoice_is_paid_once(world, refused, method, status) -> None:
    world.provider.type = method
    invoice = world.invoice("20.00", BillRunType.ADHOC)
    made = link(world, adhoc_invoice_id=invoice.id, email="ap@example.co.uk")
    assert re.fullmatch(r"[0-9a-f]{32}", made.token)
    assert made.payment_link == f"http://127.0.0.1:8080/_sandbox/hosted/pay/{made.token}"
    world.backend.pay_payment_link(made.token)
    [payment] = world.backend.state.adhoc_invoice_payments.values()
    assert (payment.payment_method, payment.third_party_payment_status) == (method, status)
    assert (invoice.payment_status, world.balance) == (InvoicePaymentStatus.PAID, Decimal("0.00"))
    assert made.paid
    with refused(PAYMENT_NOT_OPEN):
        world.backend.pay_payment_link(made.token)
    with refused(NOT_FOUND, NotFound):
        world.backend.pay_payment_link("0" * 32)


def test_when_a_customer_link_is_paid_then_a_customer_payment_settles_the_oldest_invoice(world) -> None:
    invoice = world.invoice("15.00")
    world.backend.pay_payment_link(link(world, customer_id=world.customer.id).token)
    [payment] = world.backend.state.customer_payments.values()
    assert (payment.type, payment.customer_payment_type, payment.amount) == (
        PaymentMethod.GO_CARDLESS, CustomerPaymentType.CUSTOMER, Decimal("20.00"),
    )
    assert (invoice.payment_status, world.balance) == (InvoicePaymentStatus.PAID, Decimal("5.00"))
