"""Status lifecycles as data: the allowed (from, to) transitions and the class of every status.

Modelled on GoCardless's payment, mandate, refund and payout lifecycles (the providers Elevate drives),
adapted where Elevate's own statuses or operations need it; each unusual edge says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from elevate_sandbox.domain.enums import (
    MandateStatus,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
    ThirdPartyRefundStatus,
)
from elevate_sandbox.domain.errors import INVALID_STATUS_TRANSITION, InvalidRequest

S = TypeVar("S", bound=StrEnum)


def _fan(starts: Iterable[S], targets: Iterable[S]) -> set[tuple[S, S]]:
    """Every (start, target) pair: many statuses sharing the same ways out."""
    targets = tuple(targets)
    return {(start, target) for start in starts for target in targets}


class StatusClass(StrEnum):
    """What a payment status means for the money: still on its way, collected, or not coming."""

    PENDING = "PENDING"
    COLLECTED = "COLLECTED"
    FAILED = "FAILED"


# --- invoice payments (ThirdPartyPaymentStatus, reference 4.3) -------------------------------------------

_P = ThirdPartyPaymentStatus

PENDING_PAYMENT_STATUSES = frozenset(
    {
        _P.NEW, _P.CREATED, _P.PENDING_CUSTOMER_APPROVAL, _P.PENDING_SUBMISSION, _P.SUBMITTED,
        _P.CUSTOMER_APPROVAL_GRANTED, _P.RESUBMISSION_REQUESTED, _P.UNSENT, _P.FAILED_RETRYING,
    }
)
COLLECTED_PAYMENT_STATUSES = frozenset(
    {
        _P.CONFIRMED, _P.PAID_OUT, _P.MANUALLY_PAID, _P.CHARGEBACK_CANCELLED, _P.SURCHARGE_FEE_DEBITED,
        _P.SURCHARGE_FEE_CREDITED, _P.REFUNDED, _P.PARTIALLY_REFUNDED, _P.REFUND_PENDING,
    }
)
FAILED_PAYMENT_STATUSES = frozenset(
    {
        _P.CANCELLED, _P.FAILED, _P.CHARGED_BACK, _P.CUSTOMER_APPROVAL_DENIED, _P.LATE_FAILURE_SETTLED,
        _P.CHARGEBACK_SETTLED, _P.UNSUPPORTED_PAYMENT_TYPE, _P.UNAUTHORISED_PAYMENT_TYPE,
        _P.CUSTOMER_APPROVAL_MISSING,
    }
)
PAYMENT_CLASSES: dict[ThirdPartyPaymentStatus, StatusClass] = {
    **dict.fromkeys(PENDING_PAYMENT_STATUSES, StatusClass.PENDING),
    **dict.fromkeys(COLLECTED_PAYMENT_STATUSES, StatusClass.COLLECTED),
    **dict.fromkeys(FAILED_PAYMENT_STATUSES, StatusClass.FAILED),
}

# Statuses a reprocess may resubmit. The *_PAYMENT_TYPE refusals can be resubmitted once the provider's
# set-up is fixed; approval refusals are left out on purpose (resubmitting would skip the approval).
REPROCESSABLE_PAYMENT_STATUSES = frozenset(
    {_P.FAILED, _P.FAILED_RETRYING, _P.UNSUPPORTED_PAYMENT_TYPE, _P.UNAUTHORISED_PAYMENT_TYPE}
)
# payment-provider-reprocess resubmits only what failed at the provider (inferred operation).
PROVIDER_REPROCESS_STATUSES = frozenset({_P.FAILED, _P.FAILED_RETRYING})

_REFUND_STEPS = (_P.REFUND_PENDING, _P.PARTIALLY_REFUNDED, _P.REFUNDED)

PAYMENT_TRANSITIONS: frozenset[tuple[ThirdPartyPaymentStatus, ThirdPartyPaymentStatus]] = frozenset(
    {
        # Before submission. UNSENT: Elevate holds the payment back (e.g. outside the submission window);
        # the two *_PAYMENT_TYPE refusals come from Elevate or the provider before anything is sent.
        (_P.NEW, _P.CREATED),
        *_fan(
            (_P.NEW, _P.CREATED),
            (_P.PENDING_CUSTOMER_APPROVAL, _P.PENDING_SUBMISSION, _P.UNSENT, _P.UNSUPPORTED_PAYMENT_TYPE,
             _P.UNAUTHORISED_PAYMENT_TYPE),
        ),
        (_P.UNSENT, _P.PENDING_SUBMISSION),
        # CUSTOMER_APPROVAL_MISSING: the approval window closed without an answer.
        *_fan(
            (_P.PENDING_CUSTOMER_APPROVAL,),
            (_P.CUSTOMER_APPROVAL_GRANTED, _P.CUSTOMER_APPROVAL_DENIED, _P.CUSTOMER_APPROVAL_MISSING),
        ),
        (_P.CUSTOMER_APPROVAL_GRANTED, _P.PENDING_SUBMISSION),
        (_P.PENDING_SUBMISSION, _P.SUBMITTED),
        *_fan((_P.SUBMITTED,), (_P.CONFIRMED, _P.FAILED, _P.FAILED_RETRYING)),
        *_fan((_P.FAILED_RETRYING,), (_P.SUBMITTED, _P.FAILED)),
        # Confirmed money may still fail late (CONFIRMED -> FAILED) or be charged back.
        *_fan((_P.CONFIRMED,), (_P.PAID_OUT, _P.CHARGED_BACK, _P.FAILED)),
        *_fan(
            (_P.PAID_OUT,),
            (_P.CHARGED_BACK, _P.LATE_FAILURE_SETTLED, _P.SURCHARGE_FEE_DEBITED, _P.SURCHARGE_FEE_CREDITED,
             *_REFUND_STEPS),
        ),
        # After a surcharge or a cancelled chargeback the payment is paid out again in all but name.
        *_fan(
            (_P.SURCHARGE_FEE_DEBITED, _P.SURCHARGE_FEE_CREDITED, _P.CHARGEBACK_CANCELLED),
            (_P.CHARGED_BACK, *_REFUND_STEPS),
        ),
        # A refund at the provider: a pending one may be withdrawn (back to PAID_OUT) or completed.
        *_fan((_P.REFUND_PENDING,), (_P.PAID_OUT, _P.PARTIALLY_REFUNDED, _P.REFUNDED)),
        *_fan((_P.PARTIALLY_REFUNDED,), (_P.REFUND_PENDING, _P.REFUNDED)),
        *_fan((_P.CHARGED_BACK,), (_P.CHARGEBACK_CANCELLED, _P.CHARGEBACK_SETTLED)),
        (_P.FAILED, _P.RESUBMISSION_REQUESTED),
        (_P.RESUBMISSION_REQUESTED, _P.PENDING_SUBMISSION),
        # A failed collection that the customer then paid by other means (Elevate's own status).
        (_P.FAILED, _P.MANUALLY_PAID),
        # Reprocess (invoice-payment-reprocess, payment-provider-reprocess) resubmits these directly.
        *_fan(REPROCESSABLE_PAYMENT_STATUSES, (_P.PENDING_SUBMISSION,)),
        # Elevate's cancel works on every pending payment (rule 10), even one already submitted,
        # where GoCardless itself could no longer cancel.
        *_fan(PENDING_PAYMENT_STATUSES, (_P.CANCELLED,)),
    }
)

# --- refunds (reference 4.5) ----------------------------------------------------------------------------

_R = ThirdPartyRefundStatus

REFUND_TRANSITIONS: frozenset[tuple[ThirdPartyRefundStatus, ThirdPartyRefundStatus]] = frozenset(
    {
        (_R.CREATED, _R.PENDING_SUBMISSION),
        (_R.PENDING_SUBMISSION, _R.SUBMITTED),
        (_R.SUBMITTED, _R.PAID),
        (_R.PAID, _R.REFUND_SETTLED),
        (_R.SUBMITTED, _R.BOUNCED),
        (_R.PAID, _R.FUNDS_RETURNED),
        *_fan((_R.CREATED, _R.PENDING_SUBMISSION, _R.SUBMITTED), (_R.CANCELLED,)),
    }
)
# The money of a refund in one of these came back: the refund no longer counts.
RETURNED_REFUND_STATUSES = frozenset({_R.BOUNCED, _R.CANCELLED, _R.FUNDS_RETURNED})

# --- mandates (reference 4.6) ---------------------------------------------------------------------------

_M = MandateStatus

MANDATE_TRANSITIONS: frozenset[tuple[MandateStatus, MandateStatus]] = frozenset(
    {
        *_fan(
            (_M.NEW,),
            (_M.CREATED, _M.CUSTOMER_APPROVAL_GRANTED, _M.CUSTOMER_APPROVAL_SKIPPED, _M.PENDING_SUBMISSION,
             _M.CANCELLED, _M.FAILED),
        ),
        *_fan(
            (_M.CREATED,),
            (_M.CUSTOMER_APPROVAL_GRANTED, _M.CUSTOMER_APPROVAL_SKIPPED, _M.CUSTOMER_APPROVAL_DENIED,
             _M.PENDING_SUBMISSION, _M.CANCELLED, _M.FAILED),
        ),
        *_fan(
            (_M.CUSTOMER_APPROVAL_GRANTED, _M.CUSTOMER_APPROVAL_SKIPPED),
            (_M.PENDING_SUBMISSION, _M.CANCELLED),
        ),
        *_fan((_M.PENDING_SUBMISSION,), (_M.SUBMITTED, _M.FAILED, _M.CANCELLED)),
        *_fan((_M.SUBMITTED,), (_M.ACTIVE, _M.FAILED, _M.CANCELLED)),
        *_fan(
            (_M.ACTIVE,),
            (_M.CANCELLED, _M.EXPIRED, _M.SUSPENDED_BY_PAYER, _M.BLOCKED, _M.CONSUMED, _M.INACTIVE),
        ),
        # The payer resumes a suspended mandate. INACTIVE is Elevate's own status: the site stopped
        # using the mandate, and may use it again.
        *_fan((_M.SUSPENDED_BY_PAYER, _M.INACTIVE), (_M.ACTIVE, _M.CANCELLED)),
        *_fan((_M.CANCELLED, _M.EXPIRED), (_M.REINSTATED,)),
        *_fan((_M.REINSTATED,), (_M.ACTIVE, _M.CANCELLED)),
    }
)

# --- outbound payments (1.39, reference 4.4) ---------------------------------------------------------

_O = ThirdPartyOutboundPaymentStatus

# A payout may still be edited or cancelled while it is in one of these.
OPEN_OUTBOUND_STATUSES = frozenset({_O.NEW, _O.VERIFYING, _O.PENDING_APPROVAL, _O.SCHEDULED})
OUTBOUND_TRANSITIONS: frozenset[tuple[_O, _O]] = frozenset(
    {
        (_O.NEW, _O.VERIFYING),
        *_fan((_O.VERIFYING,), (_O.PENDING_APPROVAL, _O.SCHEDULED)),
        (_O.PENDING_APPROVAL, _O.SCHEDULED),
        (_O.SCHEDULED, _O.EXECUTING),
        (_O.EXECUTING, _O.EXECUTED),
        # Cancel while nothing has left the account; a payout already executing can only fail.
        *_fan(OPEN_OUTBOUND_STATUSES, (_O.CANCELLED,)),
        # A NEW payout has not been looked at yet, so it cannot have failed.
        *_fan((_O.VERIFYING, _O.PENDING_APPROVAL, _O.SCHEDULED, _O.EXECUTING), (_O.FAILED,)),
    }
)


def final_statuses(transitions: Iterable[tuple[S, S]], every: Iterable[S]) -> frozenset[S]:
    """The statuses with no way out."""
    sources = {start for start, _ in transitions}
    return frozenset(status for status in every if status not in sources)


def check_transition(transitions: frozenset[tuple[S, S]], kind: str, current: S, new: S) -> bool:
    """Raise unless ``current -> new`` is allowed; False when there is nothing to do (same status)."""
    if current == new:
        # Providers repeat their events: the status a record already has changes nothing.
        return False
    if (current, new) not in transitions:
        message = f"A {kind} cannot move from {current.value} to {new.value}"
        raise InvalidRequest(message, INVALID_STATUS_TRANSITION)
    return True
