"""Domain fixtures: a Backend over an empty state, a frozen clock, seeded randomness, and ledger checks."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from elevate_sandbox.clock import FrozenClock
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.context import Index
from elevate_sandbox.domain.enums import BillRunType, PaymentMethod, PaymentProviderStatus, ThirdPartyPaymentStatus
from elevate_sandbox.domain.errors import InvalidRequest, SandboxError
from elevate_sandbox.domain.ledger import invoice_payment_status, is_collected, recompute_balance
from elevate_sandbox.domain.models import ContractOwner, Customer, Invoice, InvoicePayment, PaymentProvider
from elevate_sandbox.domain.money import money_sum
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.domain.transitions import RETURNED_REFUND_STATUSES

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def backend(clock: FrozenClock) -> Iterator[Backend]:
    """A Backend over an empty state; after the test, its books must still balance."""
    backend = Backend(TenantState(), clock, random.Random(0))
    yield backend
    assert_books_balance(backend)


def assert_books_balance(backend: Backend) -> None:
    """Every running total equals what the records say, and the lookups match the tables."""
    state = backend.state
    for customer in state.customers.values():
        assert customer.balance == recompute_balance(state, customer.id), f"customer {customer.id}"
    for invoice in state.invoices.values():
        payments = [
            p for p in (*state.invoice_payments.values(), *state.adhoc_invoice_payments.values())
            if p.invoice_id == invoice.id
        ]
        refunds = [
            r for r in state.refunds.values()
            if r.invoice_id == invoice.id and r.third_party_refund_status not in RETURNED_REFUND_STATUSES
        ]
        assert invoice.collected == money_sum(p.amount for p in payments if is_collected(p))
        assert invoice.refunded == money_sum(r.amount for r in refunds)
        assert invoice.payment_status is invoice_payment_status(invoice, payments)
    assert backend._ctx.index == Index.build(state)


@pytest.fixture
def books() -> Callable[[Backend], None]:
    """The ledger check, for tests that want it after every step rather than only at the end."""
    return assert_books_balance


@pytest.fixture
def refused(backend: Backend) -> Callable[..., AbstractContextManager[pytest.ExceptionInfo[SandboxError]]]:
    """``with refused(CODE):`` expects that error code and asserts the state did not change at all."""

    @contextmanager
    def expect(code: str, error: type[SandboxError] = InvalidRequest) -> Iterator[pytest.ExceptionInfo]:
        before = copy.deepcopy(backend.state)
        with pytest.raises(error) as caught:
            yield caught
        assert caught.value.code == code, caught.value.message
        assert backend.state == before, "a refused call changed the state"

    return expect


@dataclass
class World:
    """A contract owner, a customer and an active GoCardless provider, with shortcuts for money."""

    backend: Backend
    owner: ContractOwner
    customer: Customer
    provider: PaymentProvider

    def invoice(
        self, amount: str, kind: BillRunType = BillRunType.NORMAL, day: date | None = None,
        customer: Customer | None = None,
    ) -> Invoice:
        return self.backend.create_invoice(
            customer_id=(customer or self.customer).id, bill_run_type=kind, amount=Decimal(amount),
            invoice_date=day,
        )

    def event(
        self, invoice: Invoice, amount: str | float, method: PaymentMethod = PaymentMethod.BACS,
        status: ThirdPartyPaymentStatus | None = None,
    ) -> tuple[InvoicePayment, bool]:
        """A payment event on the invoice: (the payment, whether it was created)."""
        return self.backend.create_invoice_payment(
            bill_run_type=invoice.bill_run_type, invoice_id=invoice.id, amount=amount,
            description="Payment", payment_method=method, third_party_payment_status=status,
        )

    def pay(
        self, invoice: Invoice, amount: str | float, method: PaymentMethod = PaymentMethod.BACS,
        status: ThirdPartyPaymentStatus | None = None,
    ) -> InvoicePayment:
        return self.event(invoice, amount, method, status)[0]

    def collect(self, invoice: Invoice, amount: str) -> InvoicePayment:
        """A GoCardless payment taken all the way to PAID_OUT."""
        payment = self.pay(invoice, amount, PaymentMethod.GO_CARDLESS)
        for status in (ThirdPartyPaymentStatus.CONFIRMED, ThirdPartyPaymentStatus.PAID_OUT):
            self.backend.move_invoice_payment(invoice.bill_run_type, payment.id, status)
        return payment

    @property
    def balance(self) -> Decimal:
        return self.customer.balance


@pytest.fixture
def world(backend: Backend) -> World:
    owner = backend.create_contract_owner("Elevate Demo Telecom Ltd")
    customer = backend.create_customer(name="Harrow & Finch Ltd", credit_threshold=Decimal("200.00"))
    provider = backend.create_payment_provider(
        type=PaymentMethod.GO_CARDLESS, name="GoCardless", status=PaymentProviderStatus.ACTIVE,
        contract_owner_ids=[owner.id],
    )
    return World(backend, owner, customer, provider)
