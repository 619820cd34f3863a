"""Magic values: inputs that force an outcome through the public API alone, like a provider's test cards.

Each is decided once, when the record is created by a request, and kept on the record as its
``forced_outcome``; the clock (schedule.py) then takes the forced step instead of the ordinary one.
Seeded records never carry one (magic values are switched on after a dataset is built).
"""

from __future__ import annotations

from decimal import Decimal

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import ForcedOutcome, ThirdPartyPaymentStatus
from elevate_sandbox.domain.models import Invoice

# The pennies of an amount that force an outcome (an amount ending in .91 fails, ...).
PAYMENT_PENNIES = {
    Decimal("0.91"): ForcedOutcome.FAIL,
    Decimal("0.92"): ForcedOutcome.CHARGEBACK,
    Decimal("0.93"): ForcedOutcome.APPROVAL_DENIED,
}
REFUND_BOUNCE_PENNIES = Decimal("0.94")
# Every provider payment of a customer whose name starts with this is charged back after paying out.
CHARGEBACK_CUSTOMER_PREFIX = "chargeback"
# An outbound payment whose reference starts with this fails when it executes.
FAILING_REFERENCE_PREFIX = "FAIL"
# An outbound payment whose reference starts with this needs approval at the provider (the documented
# 403 with an authorisationUrl). Opt-in: the docs say only that some payouts may need approval.
APPROVAL_REFERENCE_PREFIX = "APPROVE"

# The errorInfo a forced failure leaves on the payment (GoCardless's cause codes, for realism).
FAILED_INFO = "insufficient_funds: the payer's bank refused the collection (magic amount .91)"
CHARGEBACK_INFO = "refund_requested: the payer disputed the payment with their bank"
APPROVAL_DENIED_INFO = "customer_approval_denied: the payer did not approve the payment"


def pennies(amount: Decimal) -> Decimal:
    """The fractional part of an amount, sign ignored: 120.91 -> 0.91."""
    return abs(amount) % 1


def payment_outcome(ctx: Context, invoice: Invoice, amount: Decimal) -> ForcedOutcome | None:
    """The outcome a new provider payment of ``amount`` on ``invoice`` is forced to, if any."""
    if not ctx.progression.magic_values:
        return None
    outcome = PAYMENT_PENNIES.get(pennies(amount))
    if outcome is not None:
        return outcome
    customer = ctx.state.customers[invoice.customer_id]
    return ForcedOutcome.CHARGEBACK if customer.name.lower().startswith(CHARGEBACK_CUSTOMER_PREFIX) else None


def initial_payment_status(outcome: ForcedOutcome | None, default: ThirdPartyPaymentStatus) -> ThirdPartyPaymentStatus:
    """A payment whose approval will be denied first waits for that approval."""
    if outcome is ForcedOutcome.APPROVAL_DENIED:
        return ThirdPartyPaymentStatus.PENDING_CUSTOMER_APPROVAL
    return default


def refund_outcome(ctx: Context, amount: Decimal) -> ForcedOutcome | None:
    """A provider refund whose amount ends in .94 bounces."""
    if ctx.progression.magic_values and pennies(amount) == REFUND_BOUNCE_PENNIES:
        return ForcedOutcome.BOUNCE
    return None


def outbound_outcome(ctx: Context, reference: str) -> ForcedOutcome | None:
    """A payout whose reference starts with FAIL fails at execution; one starting APPROVE needs approval."""
    if not ctx.progression.magic_values:
        return None
    if reference.upper().startswith(FAILING_REFERENCE_PREFIX):
        return ForcedOutcome.FAIL
    if reference.upper().startswith(APPROVAL_REFERENCE_PREFIX):
        return ForcedOutcome.NEEDS_APPROVAL
    return None
