"""invoice-payments and adhoc-invoice-payments: payment events, their lifecycle, cancel and reprocess."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple, Unpack

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import PROVIDER_METHODS, BillRunType, PaymentMethod, ThirdPartyPaymentStatus
from elevate_sandbox.domain.errors import NO_FAILED_PAYMENT, NO_PENDING_PAYMENT, STATUS_NOT_APPLICABLE, InvalidRequest
from elevate_sandbox.domain.inputs import LatestPayment, NewInvoicePayment, takes
from elevate_sandbox.domain.ledger import record_payment, set_payment_status, status_class
from elevate_sandbox.domain.lookups import (
    get_or_404,
    invoice_ref,
    payment_label,
    payment_sequence,
    payment_table,
    require_nonzero,
)
from elevate_sandbox.domain.models import Invoice, InvoicePayment
from elevate_sandbox.domain.money import to_money
from elevate_sandbox.domain.time import magic_values
from elevate_sandbox.domain.transitions import (
    PAYMENT_TRANSITIONS,
    REPROCESSABLE_PAYMENT_STATUSES,
    StatusClass,
    check_transition,
)

# A provider payment reported with no status is a successful submission to the provider.
SUBMISSION_STATUS = ThirdPartyPaymentStatus.SUBMITTED


def _open_match(
    ctx: Context, invoice: Invoice, method: PaymentMethod, amount: Decimal
) -> InvoicePayment | None:
    """The latest pending payment of this invoice with the same method and amount, if any."""
    for payment in reversed(ctx.index.payments_of(invoice.id)):
        pending = status_class(payment.third_party_payment_status) is StatusClass.PENDING
        if pending and payment.payment_method is method and payment.amount == amount:
            return payment
    return None


@takes(NewInvoicePayment)
def create_invoice_payment(ctx: Context, **fields: Unpack[NewInvoicePayment]) -> tuple[InvoicePayment, bool]:
    """Record a payment event: a new payment (True), or an update of an open one coming back (False)."""
    bill_run_type, payment_method = fields["bill_run_type"], fields["payment_method"]
    invoice = invoice_ref(ctx, fields["invoice_id"], bill_run_type)
    amount = to_money(fields["amount"])
    require_nonzero(amount)
    status = fields.get("third_party_payment_status")
    outcome = magic_values.payment_outcome(ctx, invoice, amount) if payment_method in PROVIDER_METHODS else None
    if payment_method not in PROVIDER_METHODS:
        # "Not applicable for manual payments" (every doc version): a status sent with one is ignored.
        status = None
    elif status is None:
        status = magic_values.initial_payment_status(outcome, SUBMISSION_STATUS)
    elif (existing := _open_match(ctx, invoice, payment_method, amount)) is not None:
        move_payment(ctx, existing, status)
        return existing, False
    payment = InvoicePayment(
        id=ctx.state.next_id(payment_sequence(bill_run_type)),
        bill_run_type=bill_run_type, invoice_id=invoice.id, customer_id=invoice.customer_id, amount=amount,
        payment_method=payment_method, payment_date=ctx.clock.today(), description=fields["description"],
        third_party_payment_status=status, forced_outcome=outcome,
    )
    return record_payment(ctx, payment), True


def move_payment(
    ctx: Context, payment: InvoicePayment, status: ThirdPartyPaymentStatus, error_info: str | None = None
) -> InvoicePayment:
    """Move a provider payment along its lifecycle and book what that does to the money."""
    current = payment.third_party_payment_status
    if current is None:
        raise InvalidRequest(
            f"A manual {payment.payment_method.value} payment has no third-party status to change",
            STATUS_NOT_APPLICABLE,
        )
    if not check_transition(PAYMENT_TRANSITIONS, "payment", current, status):
        return payment
    set_payment_status(ctx, payment, status)
    payment.status_since = ctx.clock.now()
    if status_class(status) is StatusClass.FAILED:
        payment.error_info = error_info or payment.error_info
    else:
        # Back on its way or collected: an earlier failure no longer describes the payment.
        payment.error_info = error_info
    return payment


def get_invoice_payment(ctx: Context, bill_run_type: BillRunType, payment_id: int) -> InvoicePayment:
    """The (adhoc) invoice payment, or NotFound."""
    return get_or_404(payment_table(ctx.state, bill_run_type), payment_id, payment_label(bill_run_type))


def move_invoice_payment(
    ctx: Context,
    bill_run_type: BillRunType,
    payment_id: int,
    status: ThirdPartyPaymentStatus,
    error_info: str | None = None,
) -> InvoicePayment:
    """move_payment for the (adhoc) invoice payment with this id, or NotFound."""
    return move_payment(ctx, get_invoice_payment(ctx, bill_run_type, payment_id), status, error_info)


def _latest_provider_payment(ctx: Context, invoice: Invoice) -> InvoicePayment | None:
    """The invoice's most recent payment that has a third-party status (manual ones never do)."""
    for payment in reversed(ctx.index.payments_of(invoice.id)):
        if payment.third_party_payment_status is not None:
            return payment
    return None


class _Wanted(NamedTuple):
    """Which of an invoice's payments cancel or reprocess acts on, the refusal when it has none, and the move."""

    fits: Callable[[InvoicePayment], bool]
    missing: str  # "Invoice 7 has no <missing>"
    code: str
    status: ThirdPartyPaymentStatus


_CANCELLABLE = _Wanted(
    lambda p: status_class(p.third_party_payment_status) is StatusClass.PENDING,
    "pending payment to cancel", NO_PENDING_PAYMENT, ThirdPartyPaymentStatus.CANCELLED,
)
_REPROCESSABLE = _Wanted(
    lambda p: p.third_party_payment_status in REPROCESSABLE_PAYMENT_STATUSES,
    "failed payment to reprocess", NO_FAILED_PAYMENT, ThirdPartyPaymentStatus.PENDING_SUBMISSION,
)


def _move_latest(ctx: Context, wanted: _Wanted, target: LatestPayment) -> InvoicePayment:
    """Move the invoice's latest provider payment when ``wanted`` fits it, keeping the caller's notes."""
    invoice = invoice_ref(ctx, target["invoice_id"], target["bill_run_type"])
    payment = _latest_provider_payment(ctx, invoice)
    if payment is None or not wanted.fits(payment):
        raise InvalidRequest(f"Invoice {invoice.id} has no {wanted.missing}", wanted.code)
    _move_noting(ctx, payment, wanted.status, target.get("notes"))
    return payment


@takes(LatestPayment)
def cancel_invoice_payment(ctx: Context, **target: Unpack[LatestPayment]) -> InvoicePayment:
    """Rule 10: cancel the invoice's latest payment, which must still be pending."""
    return _move_latest(ctx, _CANCELLABLE, target)


@takes(LatestPayment)
def reprocess_invoice_payment(ctx: Context, **target: Unpack[LatestPayment]) -> InvoicePayment:
    """Resubmit the invoice's latest provider payment, which must have failed in a resubmittable way."""
    return _move_latest(ctx, _REPROCESSABLE, target)


def _move_noting(ctx: Context, payment: InvoicePayment, status: ThirdPartyPaymentStatus, notes: str | None) -> None:
    """Move a payment; the caller's notes, when given, replace its metaData."""
    move_payment(ctx, payment, status)
    payment.meta_data = notes or payment.meta_data


def resubmit(ctx: Context, payment: InvoicePayment, notes: str | None) -> None:
    """Send a failed payment to the provider again (PENDING_SUBMISSION), forgetting the old error."""
    _move_noting(ctx, payment, ThirdPartyPaymentStatus.PENDING_SUBMISSION, notes)
