"""Magic values force outcomes through the public API alone (the README's "Magic values" table lists them)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from elevate_sandbox.clock import FrozenClock
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import BillRunType, PaymentMethod, PaymentProviderStatus
from elevate_sandbox.domain.state import TenantState
from tests.conftest import Api
from tests.driving_world import Driver

# Wednesday 09:00 + 3 working days: a submitted direct debit confirms (or fails) on Monday.
CONFIRMED_BY = "2026-11-30T09:00:00Z"


@pytest.fixture
def world(api: Api) -> Driver:
    return Driver(api)


def test_an_ordinary_amount_is_collected_and_paid_out(world: Driver) -> None:
    payment = world.pay(world.invoice(world.customer(), 10.90), 10.90)
    world.move_clock(advanceBy="P30D")
    assert world.payment(payment)["thirdPartyPaymentStatus"] == "PAID_OUT"


def test_an_amount_ending_in_91_fails_when_it_would_have_been_confirmed(world: Driver) -> None:
    customer = world.customer()
    invoice = world.invoice(customer, 50.91)
    payment = world.pay(invoice, 50.91)
    changes = world.move_clock(to=CONFIRMED_BY)["changes"]
    assert [(c["id"], c["from"], c["to"]) for c in changes] == [(payment["id"], "SUBMITTED", "FAILED")]
    failed = world.payment(payment)
    assert failed["thirdPartyPaymentStatus"] == "FAILED" and "insufficient_funds" in failed["errorInfo"]
    assert world.invoice_of(invoice)["paymentStatus"] == "UNPAID" and world.balance(customer) == Decimal("-50.91")


def test_an_amount_ending_in_92_is_charged_back_after_paying_out(world: Driver) -> None:
    customer = world.customer()
    payment = world.pay(world.invoice(customer, 20.92, kind="ADHOC"), 20.92)
    changes = world.move_clock(advanceBy="P30D")["changes"]
    assert [(c["to"], c["at"]) for c in changes] == [
        ("CONFIRMED", "2026-11-30T09:00:00Z"),
        ("PAID_OUT", "2026-12-02T09:00:00Z"),
        ("CHARGED_BACK", "2026-12-07T09:00:00Z"),
    ]
    assert world.payment(payment)["errorInfo"] and world.balance(customer) == Decimal("-20.92")


def test_an_amount_ending_in_93_waits_for_an_approval_that_is_denied(world: Driver) -> None:
    payment = world.pay(world.invoice(world.customer(), 99.93), 99.93)
    assert payment["thirdPartyPaymentStatus"] == "PENDING_CUSTOMER_APPROVAL"
    world.move_clock(advanceBy="P1D")
    assert world.payment(payment)["thirdPartyPaymentStatus"] == "CUSTOMER_APPROVAL_DENIED"


def test_every_payment_of_a_chargeback_customer_is_charged_back(world: Driver) -> None:
    customer = world.customer("Chargeback Test Ltd")
    payment = world.pay(world.invoice(customer, 64), 64)
    world.move_clock(advanceBy="P30D")
    assert world.payment(payment)["thirdPartyPaymentStatus"] == "CHARGED_BACK"


def test_a_refund_ending_in_94_bounces_and_its_money_comes_back(world: Driver) -> None:
    customer = world.customer()
    invoice = world.invoice(customer, 100)
    world.pay(invoice, 100, status="CONFIRMED")
    refund = world.refund(invoice, 10.94)
    assert world.balance(customer) == Decimal("-10.94")
    world.move_clock(advanceBy="P5D")
    assert world.refund_of(refund)["thirdPartyRefundStatus"] == "BOUNCED" and world.balance(customer) == 0


def test_a_payout_whose_reference_starts_with_fail_fails_at_execution(world: Driver) -> None:
    customer = world.customer()
    world.credit(customer, 100)
    payout = world.api.ok(world.payout(customer, 40, reference="FAIL-test-1", use_credit=True))
    changes = world.move_clock(advanceBy="P2D")["changes"]
    assert [c["to"] for c in changes] == ["VERIFYING", "SCHEDULED", "EXECUTING", "FAILED"]
    assert world.payout_of(payout)["thirdPartyOutboundPaymentStatus"] == "FAILED"
    assert world.balance(customer) == Decimal("100.00")


def test_with_the_immediate_policy_a_magic_amount_fails_at_once(world: Driver) -> None:
    world.policies(invoicePayments="immediate")
    payment = world.pay(world.invoice(world.customer(), 5.91), 5.91)
    assert payment["thirdPartyPaymentStatus"] == "FAILED"


def test_a_manual_payment_ignores_magic_amounts(world: Driver) -> None:
    invoice = world.invoice(world.customer(), 7.91)
    payment = world.pay(invoice, 7.91, method="BACS")
    assert "thirdPartyPaymentStatus" not in payment and world.invoice_of(invoice)["paymentStatus"] == "PAID"


def test_seeding_never_honours_magic_values() -> None:
    # Datasets are built before magic values are switched on: a seeded .93 payment is an ordinary one.
    backend = Backend(TenantState(), FrozenClock(datetime(2026, 11, 25, 9, tzinfo=UTC)), random.Random(0))
    owner = backend.create_contract_owner("Owner")
    backend.create_payment_provider(
        type=PaymentMethod.GO_CARDLESS, name="GC", status=PaymentProviderStatus.ACTIVE, contract_owner_ids=[owner.id]
    )
    customer = backend.create_customer(name="Chargeback Seeds Ltd")
    invoice = backend.create_invoice(customer_id=customer.id, bill_run_type=BillRunType.NORMAL, amount=Decimal("9.93"))
    payment, _ = backend.create_invoice_payment(
        bill_run_type=BillRunType.NORMAL,
        invoice_id=invoice.id,
        amount=Decimal("9.93"),
        description="Seed",
        payment_method=PaymentMethod.GO_CARDLESS,
    )
    assert payment.third_party_payment_status == "SUBMITTED" and payment.forced_outcome is None
