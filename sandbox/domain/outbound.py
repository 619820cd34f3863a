"""outbound-payments (1.39, rule 13): GoCardless payouts, their limits, approval and use of credit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, Unpack

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import ForcedOutcome, PaymentMethod, ThirdPartyOutboundPaymentStatus
from elevate_sandbox.domain.errors import (
    AMOUNT_OVER_LIMIT,
    EXECUTION_DATE_NOT_IN_FUTURE,
    INSUFFICIENT_CREDIT,
    INVALID_STATUS_TRANSITION,
    PAYMENT_METHOD_NOT_SUPPORTED,
    PAYMENT_NOT_OPEN,
    ApprovalRequired,
    FieldProblem,
    InvalidRequest,
)
from elevate_sandbox.domain.hosted import APPROVAL_PAGE, hosted_url
from elevate_sandbox.domain.inputs import NewOutboundPayment, takes
from elevate_sandbox.domain.ledger import credit_of
from elevate_sandbox.domain.lookups import customer_ref, get_or_404, require_positive
from elevate_sandbox.domain.mandates import mandate_provider
from elevate_sandbox.domain.models import Customer, OutboundPayment
from elevate_sandbox.domain.money import to_money
from elevate_sandbox.domain.patching import patched_values
from elevate_sandbox.domain.resources import OUTBOUND_PAYMENT
from elevate_sandbox.domain.time import magic_values
from elevate_sandbox.domain.transitions import OPEN_OUTBOUND_STATUSES, OUTBOUND_TRANSITIONS, check_transition

# Rule 13: at most 25K GBP. The documented 403 says only that a payout *may* need approval at the
# provider: the approval step is opt-in, by the magic reference prefix APPROVE (magic_values.py).
MAX_OUTBOUND_AMOUNT = Decimal("25000.00")
APPROVAL_MESSAGE = "Payment requires approval through payment provider"
OUTBOUND_METHOD = PaymentMethod.GO_CARDLESS
PENDING_APPROVAL = ThirdPartyOutboundPaymentStatus.PENDING_APPROVAL

# Record fields an edit may change (the status has its own lifecycle rules).
EDITABLE_FIELDS = ("amount", "reference", "description", "execution_date", "use_customer_credit_balance")


def _check_amount(amount: Decimal) -> None:
    require_positive(amount)
    if amount > MAX_OUTBOUND_AMOUNT:
        raise InvalidRequest(
            f"An outbound payment is at most {MAX_OUTBOUND_AMOUNT} GBP, not {amount}", AMOUNT_OVER_LIMIT,
            [FieldProblem("amountInMajorCurrency", f"at most {MAX_OUTBOUND_AMOUNT}")],
        )


def _check_execution_date(ctx: Context, execution_date: date | None) -> None:
    if execution_date is not None and execution_date <= ctx.clock.today():
        raise InvalidRequest(
            f"executionDate {execution_date} must be in the future (after {ctx.clock.today()})",
            EXECUTION_DATE_NOT_IN_FUTURE, [FieldProblem("executionDate", "must be in the future")],
        )


def _check_credit(customer: Customer, amount: Decimal) -> None:
    credit = credit_of(customer.balance)
    if amount > credit:
        raise InvalidRequest(
            f"Customer {customer.id} has {credit} of credit, less than the {amount} to pay out",
            INSUFFICIENT_CREDIT,
        )


@takes(NewOutboundPayment)
def create_outbound_payment(
    ctx: Context, *, strict: bool = False, **fields: Unpack[NewOutboundPayment]
) -> OutboundPayment:
    """Create a payout; one that needs approval is kept, and answered with ApprovalRequired (403).

    A status sent on create is taken as given (the docs define no lifecycle for it); with ``strict``
    (--strict-inferred) only NEW, where the sandbox's inferred lifecycle starts, is accepted.
    """
    customer = customer_ref(ctx, fields["customer_id"])
    if mandate_provider(ctx, customer.contract_owner_id, (OUTBOUND_METHOD,)) is None:
        raise InvalidRequest(
            f"No active GO_CARDLESS provider serves customer {customer.id}: only GO_CARDLESS is supported",
            PAYMENT_METHOD_NOT_SUPPORTED,
        )
    amount = to_money(fields["amount"])
    _check_amount(amount)
    execution_date = fields.get("execution_date")
    _check_execution_date(ctx, execution_date)
    use_customer_credit_balance, status = fields.get("use_customer_credit_balance", False), fields.get("status")
    if use_customer_credit_balance:
        _check_credit(customer, amount)
    if strict and status not in (None, ThirdPartyOutboundPaymentStatus.NEW):
        raise InvalidRequest(
            f"A new outbound payment starts NEW, not {status.value} (--strict-inferred)", INVALID_STATUS_TRANSITION,
            [FieldProblem("thirdPartyOutboundPaymentStatus", "must be NEW or absent")],
        )
    reference = fields["reference"]
    outcome = magic_values.outbound_outcome(ctx, reference)
    needs_approval = outcome is ForcedOutcome.NEEDS_APPROVAL
    payment = OutboundPayment(
        id=ctx.state.next_id("outbound_payments"), customer_id=customer.id, amount=amount,
        reference=reference,
        status=PENDING_APPROVAL if needs_approval else ThirdPartyOutboundPaymentStatus.NEW,
        created_at=ctx.clock.now(), description=fields.get("description"), execution_date=execution_date,
        use_customer_credit_balance=use_customer_credit_balance, forced_outcome=outcome,
    )
    payment.status_since = payment.created_at
    ctx.state.outbound_payments[payment.id] = payment
    if status is not None and not needs_approval and status is not payment.status:
        _check_status(ctx, payment, status, strict=False)
        _enter_status(ctx, payment, status)
    if needs_approval:
        # The one refusal that keeps what it created: the payout exists and waits for approval.
        raise ApprovalRequired(
            message=APPROVAL_MESSAGE,
            authorisation_url=hosted_url(ctx, APPROVAL_PAGE, payment.id),
            outbound_payment_id=payment.id,
        )
    return payment


def get_outbound_payment(ctx: Context, payment_id: int) -> OutboundPayment:
    return get_or_404(ctx.state.outbound_payments, payment_id, "outbound payment")


def _check_status(
    ctx: Context, payment: OutboundPayment, status: ThirdPartyOutboundPaymentStatus, *, strict: bool = True
) -> bool:
    """Check a status change (and the credit that executing it uses); False when there is none.

    The docs define no lifecycle for thirdPartyOutboundPaymentStatus: the sandbox's (transitions.py) is
    enforced only when ``strict``; otherwise any documented status may be set.
    """
    if not strict:
        if status is payment.status:
            return False
    elif not check_transition(OUTBOUND_TRANSITIONS, "outbound payment", payment.status, status):
        return False
    if status is ThirdPartyOutboundPaymentStatus.EXECUTED and payment.use_customer_credit_balance:
        _check_credit(ctx.state.customers[payment.customer_id], payment.amount)
    return True


def _enter_status(ctx: Context, payment: OutboundPayment, status: ThirdPartyOutboundPaymentStatus) -> None:
    """Rule 13: a payout that completes using credit reduces the customer's credit balance, once."""
    payment.status = status
    payment.status_since = ctx.clock.now()
    executed = status is ThirdPartyOutboundPaymentStatus.EXECUTED
    if executed and payment.use_customer_credit_balance and not payment.credit_applied:
        ctx.state.customers[payment.customer_id].balance -= payment.amount
        payment.credit_applied = True


def move_outbound_payment(
    ctx: Context, payment_id: int, status: ThirdPartyOutboundPaymentStatus
) -> OutboundPayment:
    """The one place a payout's status changes."""
    payment = get_outbound_payment(ctx, payment_id)
    if _check_status(ctx, payment, status):
        _enter_status(ctx, payment, status)
    return payment


def decide_approval(ctx: Context, payment_id: int, *, approve: bool) -> OutboundPayment:
    """The approver's answer at the provider: approved payouts are SCHEDULED, rejected ones CANCELLED."""
    payment = get_outbound_payment(ctx, payment_id)
    if payment.status is not PENDING_APPROVAL:
        raise InvalidRequest(
            f"Outbound payment {payment.id} is {payment.status.value}: it is not waiting for approval",
            INVALID_STATUS_TRANSITION,
        )
    status = ThirdPartyOutboundPaymentStatus.SCHEDULED if approve else ThirdPartyOutboundPaymentStatus.CANCELLED
    return move_outbound_payment(ctx, payment.id, status)


def update_outbound_payment(
    ctx: Context,
    payment_id: int,
    operations: list[dict[str, Any]],
    validate: Callable[[dict[str, Any]], None],
    *,
    strict: bool = False,
) -> OutboundPayment:
    """Apply a JSON Patch: edits only while the payout is open; with ``strict``, status along the lifecycle."""
    payment = get_outbound_payment(ctx, payment_id)
    fields = patched_values(payment, operations, OUTBOUND_PAYMENT, validate)
    status = fields.pop("status")
    edited = {name for name in EDITABLE_FIELDS if fields[name] != getattr(payment, name)}
    if edited and payment.status not in OPEN_OUTBOUND_STATUSES:
        raise InvalidRequest(
            f"Outbound payment {payment.id} is {payment.status.value}: it can no longer be edited",
            PAYMENT_NOT_OPEN,
        )
    _check_amount(fields["amount"])
    if "execution_date" in edited:
        _check_execution_date(ctx, fields["execution_date"])
    customer = ctx.state.customers[payment.customer_id]
    if fields["use_customer_credit_balance"] and edited & {"amount", "use_customer_credit_balance"}:
        _check_credit(customer, fields["amount"])
    # The status is checked against the payout as edited (e.g. the credit of its new amount).
    changes_status = _check_status(ctx, replace(payment, **fields), status, strict=strict)
    for name, value in fields.items():
        setattr(payment, name, value)
    if changes_status:
        _enter_status(ctx, payment, status)
    return payment
