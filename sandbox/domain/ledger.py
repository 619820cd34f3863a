"""Bookkeeping: what each payment status does to the invoice and the customer's balance.

The customer's balance is a running total (negative = debt, rule 3). ``recompute_balance`` derives the
same figure from the records alone; the tests hold the two equal after every operation.
"""

from __future__ import annotations

from decimal import Decimal

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import InvoicePaymentStatus, ThirdPartyPaymentStatus
from elevate_sandbox.domain.lookups import payment_table
from elevate_sandbox.domain.models import Invoice, InvoicePayment
from elevate_sandbox.domain.money import ZERO, money_sum
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.domain.transitions import PAYMENT_CLASSES, RETURNED_REFUND_STATUSES, StatusClass


def status_class(status: ThirdPartyPaymentStatus | None) -> StatusClass:
    """A manual payment (no third-party status, rule 9) is collected the moment it is recorded."""
    return StatusClass.COLLECTED if status is None else PAYMENT_CLASSES[status]


def is_collected(payment: InvoicePayment) -> bool:
    return status_class(payment.third_party_payment_status) is StatusClass.COLLECTED


def invoice_payment_status(invoice: Invoice, payments: list[InvoicePayment]) -> InvoicePaymentStatus:
    """The one place an invoice's payment status is decided, from its collected, refunded, pending money."""
    if invoice.refunded > ZERO:
        fully = invoice.refunded >= invoice.collected
        return InvoicePaymentStatus.REFUNDED if fully else InvoicePaymentStatus.PART_REFUNDED
    if invoice.amount <= ZERO and invoice.collected == ZERO:
        # A zero or credit invoice asks for no payment.
        return InvoicePaymentStatus.NA
    if invoice.collected >= invoice.amount:
        return InvoicePaymentStatus.PAID
    if invoice.collected > ZERO:
        return InvoicePaymentStatus.PARTIALLY_PAID
    if any(status_class(p.third_party_payment_status) is StatusClass.PENDING for p in payments):
        return InvoicePaymentStatus.PENDING
    return InvoicePaymentStatus.UNPAID


def refresh_invoice(ctx: Context, invoice: Invoice) -> None:
    """Recompute an invoice's payment status after its money moved."""
    invoice.payment_status = invoice_payment_status(invoice, ctx.index.payments_of(invoice.id))


def _collect(ctx: Context, payment: InvoicePayment, sign: int) -> None:
    """Add (sign 1) or take back (sign -1) a payment's money on its invoice and its customer."""
    # Money paid through a customer payment reached the balance with that customer payment, so its
    # per-invoice settlements only move the invoice.
    ctx.state.invoices[payment.invoice_id].collected += sign * payment.amount
    if payment.customer_payment_id is None:
        ctx.state.customers[payment.customer_id].balance += sign * payment.amount


def record_payment(ctx: Context, payment: InvoicePayment) -> InvoicePayment:
    """Store a new invoice payment and book its money."""
    payment_table(ctx.state, payment.bill_run_type)[payment.id] = payment
    payment.status_since = payment.status_since or ctx.clock.now()
    ctx.index.payments_by_invoice.setdefault(payment.invoice_id, []).append(payment)
    if is_collected(payment):
        _collect(ctx, payment, 1)
    refresh_invoice(ctx, ctx.state.invoices[payment.invoice_id])
    return payment


def set_payment_status(ctx: Context, payment: InvoicePayment, status: ThirdPartyPaymentStatus) -> None:
    """Change a provider payment's status (already checked) and book entering or leaving collected."""
    was_collected = is_collected(payment)
    payment.third_party_payment_status = status
    now_collected = is_collected(payment)
    if now_collected != was_collected:
        _collect(ctx, payment, 1 if now_collected else -1)
    refresh_invoice(ctx, ctx.state.invoices[payment.invoice_id])


def credit_of(balance: Decimal) -> Decimal:
    """The credit a customer holds: a positive balance, else nothing."""
    return max(balance, ZERO)


def recompute_balance(state: TenantState, customer_id: int) -> Decimal:
    """A customer's balance derived from the records alone (the running total must always equal it)."""
    invoices = [i for i in state.invoices.values() if i.customer_id == customer_id]
    payments = [
        p
        for p in (*state.invoice_payments.values(), *state.adhoc_invoice_payments.values())
        if p.customer_id == customer_id and p.customer_payment_id is None and is_collected(p)
    ]
    refunds = [
        r for r in state.refunds.values()
        if r.customer_id == customer_id and r.third_party_refund_status not in RETURNED_REFUND_STATUSES
    ]
    payouts = [
        payout for payout in state.outbound_payments.values()
        if payout.customer_id == customer_id and payout.credit_applied
    ]
    upfront = [
        ibp.amount
        for ibp in state.instant_bank_payments.values()
        if ibp.upfront_credit
        and state.provider_mandates[(ibp.payment_method, ibp.mandate_reference)].customer_id == customer_id
    ]
    return (
        -money_sum(i.amount for i in invoices)
        + money_sum(p.amount for p in payments)
        + money_sum(c.amount for c in state.customer_payments.values() if c.customer_id == customer_id)
        + money_sum(a.amount for a in state.balance_adjustments.values() if a.customer_id == customer_id)
        - money_sum(r.amount for r in refunds)
        - money_sum(o.amount for o in payouts)
        + money_sum(upfront)
    )
