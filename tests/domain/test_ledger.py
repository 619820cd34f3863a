"""The books: after every operation the running balances equal what the records say."""

from __future__ import annotations

import copy
import random
from datetime import timedelta
from decimal import Decimal

from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import (
    BillRunType,
    PaymentMethod,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
    ThirdPartyRefundStatus,
)
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.fixtures import build_dataset

GC = PaymentMethod.GO_CARDLESS
NORMAL, ADHOC = BillRunType.NORMAL, BillRunType.ADHOC
P = ThirdPartyPaymentStatus
O = ThirdPartyOutboundPaymentStatus  # noqa: E741


def test_given_a_busy_customer_then_the_books_balance_after_every_operation(world, clock, books) -> None:
    b, customer_id = world.backend, world.customer.id

    def step(result=None):
        books(b)
        return result

    world.provider.sync_instant_bank_payments_with_mandate_creation = True
    site = step(b.create_site(customer_id=customer_id))
    mandate = step(b.create_site_payment_mandate(site_id=site.id, return_url="https://x.example/r"))
    first, second = step(world.invoice("100.10")), step(world.invoice("50.20"))
    adhoc = step(world.invoice("0.30", ADHOC))
    step(world.pay(first, 0.1))
    step(world.pay(first, "-0.10"))
    collected = step(world.collect(second, "50.20"))
    step(b.move_invoice_payment(NORMAL, collected.id, P.CHARGED_BACK))
    step(world.pay(adhoc, 0.1, GC, P.CONFIRMED))
    step(world.pay(adhoc, 0.2, GC, P.PAID_OUT))
    step(b.create_customer_payment(customer_id=customer_id, amount=Decimal("150.00"), payment_type=GC))
    refund = step(b.create_refund(invoice_id=adhoc.id, bill_run_type=ADHOC, amount=Decimal("0.30")))
    step(b.move_refund(refund.id, ThirdPartyRefundStatus.CANCELLED))
    step(b.create_refund(invoice_id=first.id, bill_run_type=NORMAL, amount=Decimal("0.20")))
    step(b.create_balance_adjustment(customer_id=customer_id, amount=Decimal("-0.15")))
    reference = mandate.mandate_reference
    step(b.record_instant_bank_payment(
        mandate_reference=reference, payment_method=GC, amount=Decimal("10.00"), description="IBP"
    ))
    payout = step(b.create_outbound_payment(
        customer_id=customer_id, amount=Decimal("5.00"), reference="P1", use_customer_credit_balance=True
    ))
    for status in (O.VERIFYING, O.SCHEDULED, O.EXECUTING, O.EXECUTED):
        step(b.move_outbound_payment(payout.id, status))
    clock.advance(timedelta(days=3))
    link = step(b.create_payment_link(
        payment_provider_id=world.provider.id, amount=Decimal("0.01"), description="Tip",
        customer_id=customer_id,
    ))
    step(b.pay_payment_link(link.token))
    # 150.60 invoiced; 0.30 collected by GoCardless (the charged-back 50.20 and the reversed 0.10 net to 0);
    # 150.01 of customer payments; 0.20 refunded (the 0.30 refund was cancelled); a 0.15 fee; 10.00 upfront
    # credit; 5.00 paid out of credit.
    assert world.balance == Decimal("4.36")


def test_given_a_restored_snapshot_then_the_backend_carries_on_from_it(world) -> None:
    invoice = world.invoice("40.00")
    snapshot = copy.deepcopy(world.backend.state)
    world.pay(invoice, "40.00")
    world.backend.state = snapshot
    world.backend.create_invoice_payment(
        bill_run_type=NORMAL, invoice_id=invoice.id, amount=Decimal("15.00"), description="Part",
        payment_method=PaymentMethod.CHEQUE,
    )
    assert (snapshot.invoices[invoice.id].collected, snapshot.customers[1].balance) == (
        Decimal("15.00"), Decimal("-25.00"),
    )


def test_the_demo_dataset_is_built_by_the_rules_and_its_books_balance(clock, books) -> None:
    backend = Backend(TenantState(), clock, random.Random(0))
    build_dataset("demo", backend, 0)
    books(backend)
    payment_statuses = {p.third_party_payment_status for p in backend.state.invoice_payments.values()}
    assert set(ThirdPartyPaymentStatus) <= payment_statuses
    assert {o.status for o in backend.state.outbound_payments.values()} == set(O)
