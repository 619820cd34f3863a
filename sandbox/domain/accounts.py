"""customer-payments, customer-balances (with adjustments) and customer-credit-status."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Unpack

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import (
    BillRunType,
    CustomerPaymentType,
    InvoicePaymentStatus,
    SummaryType,
)
from elevate_sandbox.domain.errors import INVOICE_NOT_FOUND, InvalidRequest
from elevate_sandbox.domain.inputs import NewBalanceAdjustment, NewCustomerPayment, takes
from elevate_sandbox.domain.ledger import is_collected, record_payment
from elevate_sandbox.domain.lookups import (
    customer_ref,
    get_or_404,
    invoice_ref,
    payment_sequence,
    require_nonzero,
    require_positive,
)
from elevate_sandbox.domain.models import BalanceAdjustment, Customer, CustomerPayment, Invoice, InvoicePayment
from elevate_sandbox.domain.money import PENNY, ZERO, money_sum, to_money

# Rule 2: what a customer payment settles.
SETTLEABLE_STATUSES = frozenset({InvoicePaymentStatus.UNPAID, InvoicePaymentStatus.PARTIALLY_PAID})
# What counts toward openBillRunValue: invoices whose bill is still open.
OPEN_BILL_STATUSES = SETTLEABLE_STATUSES | {InvoicePaymentStatus.PENDING}


def _settleable(invoice: Invoice) -> bool:
    return invoice.payment_status in SETTLEABLE_STATUSES and invoice.outstanding > ZERO


def _settlement_order(ctx: Context, customer: Customer, first: Invoice | None) -> list[Invoice]:
    """Unpaid invoices oldest first (invoice date, then id), the named invoice ahead of them all."""
    unpaid = sorted(
        (i for i in ctx.index.invoices_of(customer.id) if _settleable(i) and i is not first),
        key=lambda i: (i.invoice_date, i.id),
    )
    return [first, *unpaid] if first is not None and _settleable(first) else unpaid


def _target_invoice(
    ctx: Context, customer: Customer, invoice_id: int | None, bill_run_type: BillRunType | None
) -> Invoice | None:
    if invoice_id is None:
        return None
    invoice = invoice_ref(ctx, invoice_id, bill_run_type or BillRunType.NORMAL)
    if invoice.customer_id != customer.id:
        raise InvalidRequest(f"Customer {customer.id} has no invoice with id {invoice_id}", INVOICE_NOT_FOUND)
    return invoice


@takes(NewCustomerPayment)
def create_customer_payment(ctx: Context, **fields: Unpack[NewCustomerPayment]) -> CustomerPayment:
    """Rule 2: settle unpaid invoices oldest first; whatever is left stays on the balance as credit."""
    customer = customer_ref(ctx, fields["customer_id"])
    amount = to_money(fields["amount"])
    require_positive(amount)
    bill_run_type = fields.get("bill_run_type")
    target = _target_invoice(ctx, customer, fields.get("invoice_id"), bill_run_type)
    payment = CustomerPayment(
        id=ctx.state.next_id("customer_payments"), customer_id=customer.id, amount=amount,
        resulting_customer_balance=customer.balance + amount, type=fields["payment_type"],
        payment_date=ctx.clock.today(),
        customer_payment_type=CustomerPaymentType.CUSTOMER,
        description=fields.get("description"), reference=fields.get("reference"),
        invoice_id=target.id if target else None, invoice_number=target.invoice_number if target else None,
        bill_run_type=target.bill_run_type if target else bill_run_type,
    )
    ctx.state.customer_payments[payment.id] = payment
    ctx.index.customer_payments_by_customer.setdefault(customer.id, []).append(payment)
    customer.balance += amount
    remaining = amount
    for invoice in _settlement_order(ctx, customer, target):
        if remaining <= ZERO:
            break
        share = min(remaining, invoice.outstanding)
        _settle(ctx, payment, invoice, share)
        if payment.invoice_id is None:
            payment.invoice_id, payment.invoice_number = invoice.id, invoice.invoice_number
            payment.bill_run_type = invoice.bill_run_type
        remaining -= share
    return payment


def _settle(ctx: Context, payment: CustomerPayment, invoice: Invoice, share: Decimal) -> None:
    """Record the part of a customer payment that pays one invoice, as a payment on that invoice."""
    record_payment(
        ctx,
        InvoicePayment(
            id=ctx.state.next_id(payment_sequence(invoice.bill_run_type)),
            bill_run_type=invoice.bill_run_type, invoice_id=invoice.id, customer_id=invoice.customer_id,
            amount=share,
            payment_method=payment.type, payment_date=payment.payment_date,
            description=payment.description or f"Customer payment {payment.id}",
            customer_payment_type=CustomerPaymentType.CUSTOMER, customer_payment_id=payment.id,
        ),
    )


def get_customer_payment(ctx: Context, payment_id: int) -> CustomerPayment:
    return get_or_404(ctx.state.customer_payments, payment_id, "customer payment")


def _payments_received(ctx: Context, customer: Customer) -> list[tuple[date, Decimal]]:
    """(date, amount) of every payment received: direct invoice payments in hand, and customer payments."""
    received = [
        (p.payment_date, p.amount)
        for invoice in ctx.index.invoices_of(customer.id)
        for p in ctx.index.payments_of(invoice.id)
        if p.customer_payment_id is None and is_collected(p)
    ]
    received += [(c.payment_date, c.amount) for c in ctx.index.customer_payments_of(customer.id)]
    return received


def _method_summary(ctx: Context, customer: Customer) -> dict[str, object]:
    """Rule 4: the payment methods of the customer's live sites: NONE, SINGLE (with the method), MULTIPLE."""
    today = ctx.clock.today()
    sites = ctx.index.sites_of(customer.id)
    methods = {s.payment_method for s in sites if s.is_live(today) and s.payment_method is not None}
    if not methods:
        return {"summaryType": SummaryType.NONE}
    if len(methods) == 1:
        return {"paymentMethod": methods.pop(), "summaryType": SummaryType.SINGLE}
    return {"summaryType": SummaryType.MULTIPLE}


def customer_balance(ctx: Context, customer_id: int) -> dict[str, object]:
    """The CustomerOutstandingBalance object of one customer."""
    customer = customer_ref(ctx, customer_id)
    received = _payments_received(ctx, customer)
    last_invoice = max((i.invoice_date for i in ctx.index.invoices_of(customer.id)), default=None)
    return {
        "id": customer.id, "customerId": customer.id, "balance": customer.balance,
        "totalPayments": money_sum(amount for _, amount in received),
        "totalPaymentsSinceLastInvoice": money_sum(
            amount for day, amount in received if last_invoice is None or day > last_invoice
        ),
        "paymentMethodSummary": _method_summary(ctx, customer),
        # No repayment plans exist in the sandbox.
        "repaymentPlanSummary": {"summaryType": SummaryType.NONE},
    }


@takes(NewBalanceAdjustment)
def create_balance_adjustment(ctx: Context, **fields: Unpack[NewBalanceAdjustment]) -> BalanceAdjustment:
    """A manual adjustment: positive gives credit, negative adds debt."""
    customer = customer_ref(ctx, fields["customer_id"])
    amount = to_money(fields["amount"])
    require_nonzero(amount)
    adjustment = BalanceAdjustment(
        id=ctx.state.next_id("balance_adjustments"), customer_id=customer.id, amount=amount,
        created_at=ctx.clock.now(), description=fields.get("description"),
    )
    ctx.state.balance_adjustments[adjustment.id] = adjustment
    customer.balance += amount
    return adjustment


def credit_status(ctx: Context, customer: Customer) -> dict[str, object]:
    """Rule 12, with the sign convention of rule 3: the bill is what the customer owes."""
    threshold = customer.credit_threshold
    bill = max(-customer.balance, ZERO)
    percentage = (bill / threshold * 100).quantize(PENNY, ROUND_HALF_UP) if threshold != ZERO else ZERO
    open_value = money_sum(
        i.outstanding for i in ctx.index.invoices_of(customer.id) if i.payment_status in OPEN_BILL_STATUSES
    )
    return {
        "customerId": customer.id, "creditThreshold": threshold, "billAmount": bill,
        "valueDifference": threshold - bill, "percentageDifference": percentage,
        "openBillRunValue": open_value,
    }


def get_credit_status(ctx: Context, customer_id: int) -> dict[str, object]:
    """One customer's credit status, or NotFound (the list computes only the page it shows)."""
    return credit_status(ctx, get_or_404(ctx.state.customers, customer_id, "customer"))


def credit_statuses(ctx: Context) -> list[dict[str, object]]:
    """One credit status per customer, in id order."""
    return [credit_status(ctx, customer) for customer in ctx.state.customers.values()]
