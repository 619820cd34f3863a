"""refunds: money given back against what an invoice collected, and the refund lifecycle."""

from __future__ import annotations

from typing import Unpack

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import PROVIDER_METHODS, PaymentMethod, ThirdPartyRefundStatus
from elevate_sandbox.domain.errors import NOTHING_TO_REFUND, REFUND_EXCEEDS_COLLECTED, FieldProblem, InvalidRequest
from elevate_sandbox.domain.inputs import NewRefund, takes
from elevate_sandbox.domain.ledger import is_collected, refresh_invoice
from elevate_sandbox.domain.lookups import get_or_404, invoice_any, invoice_ref, require_positive
from elevate_sandbox.domain.models import Invoice, InvoicePayment, Refund
from elevate_sandbox.domain.money import ZERO, to_money
from elevate_sandbox.domain.time import magic_values
from elevate_sandbox.domain.transitions import REFUND_TRANSITIONS, RETURNED_REFUND_STATUSES, check_transition

# A manual refund is done as soon as it is recorded; a provider refund is submitted to the provider.
MANUAL_REFUND_STATUS = ThirdPartyRefundStatus.MANUALLY_REFUNDED
PROVIDER_REFUND_STATUS = ThirdPartyRefundStatus.SUBMITTED


def _last_collected(ctx: Context, invoice: Invoice) -> InvoicePayment | None:
    """The invoice's most recent payment whose money is in (the "last successful payment")."""
    return next((p for p in reversed(ctx.index.payments_of(invoice.id)) if is_collected(p)), None)


def _refund_method(ctx: Context, invoice: Invoice, requested: PaymentMethod | None) -> PaymentMethod:
    """Rule 1: with no method, or on an auto-collected invoice, refund by the last successful payment's."""
    last = _last_collected(ctx, invoice)
    if last is not None and (requested is None or last.payment_method in PROVIDER_METHODS):
        return last.payment_method
    if requested is None:
        raise InvalidRequest(f"Invoice {invoice.id} has no collected payment to refund", NOTHING_TO_REFUND)
    return requested


@takes(NewRefund)
def create_refund(ctx: Context, **fields: Unpack[NewRefund]) -> Refund:
    """Give back part or all of what an invoice collected and has not yet refunded.

    The docs mark no field of the request required. Without an invoice there is nothing to refund
    (409); without a billRunType the invoice's own is used; without an amount, everything refundable.
    """
    invoice_id, bill_run_type, amount = fields.get("invoice_id"), fields.get("bill_run_type"), fields.get("amount")
    if invoice_id is None:
        raise InvalidRequest(
            "A refund needs the invoiceId whose payment it gives back", NOTHING_TO_REFUND,
            [FieldProblem("invoiceId", "required to know what to refund")],
        )
    invoice = invoice_ref(ctx, invoice_id, bill_run_type) if bill_run_type else invoice_any(ctx, invoice_id)
    refundable = invoice.collected - invoice.refunded
    if refundable <= ZERO:
        raise InvalidRequest(f"Invoice {invoice.id} has nothing left to refund", NOTHING_TO_REFUND)
    amount = refundable if amount is None else to_money(amount)
    require_positive(amount)
    if amount > refundable:
        raise InvalidRequest(
            f"Refund of {amount} exceeds the {refundable} collected and not yet refunded on invoice "
            f"{invoice.id}",
            REFUND_EXCEEDS_COLLECTED,
            [FieldProblem("amountInMajorCurrency", f"at most {refundable}")],
        )
    method = _refund_method(ctx, invoice, fields.get("payment_method"))
    manual = method not in PROVIDER_METHODS
    refund = Refund(
        id=ctx.state.next_id("refunds"), invoice_id=invoice.id, bill_run_type=invoice.bill_run_type,
        customer_id=invoice.customer_id, amount=amount, payment_method=method,
        third_party_refund_status=MANUAL_REFUND_STATUS if manual else PROVIDER_REFUND_STATUS,
        created_at=ctx.clock.now(), description=fields.get("description"),
        forced_outcome=None if manual else magic_values.refund_outcome(ctx, amount),
    )
    refund.status_since = refund.created_at
    ctx.state.refunds[refund.id] = refund
    ctx.index.refunds_by_customer.setdefault(refund.customer_id, []).append(refund)
    _book(ctx, refund, 1)
    return refund


def _book(ctx: Context, refund: Refund, sign: int) -> None:
    """Count (sign 1) or uncount (sign -1) a refund; money out lowers the balance."""
    invoice = ctx.state.invoices[refund.invoice_id]
    invoice.refunded += sign * refund.amount
    ctx.state.customers[refund.customer_id].balance -= sign * refund.amount
    refresh_invoice(ctx, invoice)


def get_refund(ctx: Context, refund_id: int) -> Refund:
    return get_or_404(ctx.state.refunds, refund_id, "refund")


def move_refund(ctx: Context, refund_id: int, status: ThirdPartyRefundStatus) -> Refund:
    """Move a refund on; money that comes back (bounced, cancelled, returned) is uncounted."""
    refund = get_refund(ctx, refund_id)
    if not check_transition(REFUND_TRANSITIONS, "refund", refund.third_party_refund_status, status):
        return refund
    refund.third_party_refund_status = status
    refund.status_since = ctx.clock.now()
    if status in RETURNED_REFUND_STATUSES:
        _book(ctx, refund, -1)
    return refund
