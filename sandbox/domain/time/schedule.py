"""The timetable as data: which status follows which, after how many working days, per resource kind.

Working days are Monday to Friday (UTC); bank holidays are not modelled. A step of 0 working days is
taken the next time the clock moves. Forced outcomes (magic_values.py) replace the ordinary step from one status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from elevate_sandbox.domain.enums import (
    ForcedOutcome,
    MandateStatus,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
    ThirdPartyRefundStatus,
)


@dataclass(frozen=True, slots=True)
class Step:
    """The next status of a record and how many working days after entering the current one it comes."""

    to: StrEnum
    working_days: int
    # False: a person decides (a mandate flow the customer has not completed); only `immediate` and
    # simulations take the step, never the clock.
    by_clock: bool = True


_P = ThirdPartyPaymentStatus
PAYMENT_STEPS: dict[StrEnum, Step] = {
    _P.NEW: Step(_P.PENDING_SUBMISSION, 0),
    _P.CREATED: Step(_P.PENDING_SUBMISSION, 0),
    _P.PENDING_CUSTOMER_APPROVAL: Step(_P.CUSTOMER_APPROVAL_GRANTED, 1),
    _P.CUSTOMER_APPROVAL_GRANTED: Step(_P.PENDING_SUBMISSION, 0),
    _P.RESUBMISSION_REQUESTED: Step(_P.PENDING_SUBMISSION, 0),
    _P.UNSENT: Step(_P.PENDING_SUBMISSION, 1),
    _P.PENDING_SUBMISSION: Step(_P.SUBMITTED, 1),
    _P.SUBMITTED: Step(_P.CONFIRMED, 3),
    _P.FAILED_RETRYING: Step(_P.SUBMITTED, 3),
    _P.CONFIRMED: Step(_P.PAID_OUT, 2),
}
PAYMENT_OUTCOME_STEPS: dict[tuple[ForcedOutcome, StrEnum], Step] = {
    (ForcedOutcome.APPROVAL_DENIED, _P.PENDING_CUSTOMER_APPROVAL): Step(_P.CUSTOMER_APPROVAL_DENIED, 1),
    (ForcedOutcome.FAIL, _P.SUBMITTED): Step(_P.FAILED, 3),
    (ForcedOutcome.CHARGEBACK, _P.PAID_OUT): Step(_P.CHARGED_BACK, 3),
}

_R = ThirdPartyRefundStatus
REFUND_STEPS: dict[StrEnum, Step] = {
    _R.CREATED: Step(_R.PENDING_SUBMISSION, 0),
    _R.PENDING_SUBMISSION: Step(_R.SUBMITTED, 1),
    _R.SUBMITTED: Step(_R.PAID, 2),
    _R.PAID: Step(_R.REFUND_SETTLED, 1),
}
REFUND_OUTCOME_STEPS: dict[tuple[ForcedOutcome, StrEnum], Step] = {
    (ForcedOutcome.BOUNCE, _R.SUBMITTED): Step(_R.BOUNCED, 2),
}

_M = MandateStatus
MANDATE_STEPS: dict[StrEnum, Step] = {
    # A new mandate waits for the customer to complete the flow (the hosted mandate page).
    _M.NEW: Step(_M.PENDING_SUBMISSION, 0, by_clock=False),
    _M.CREATED: Step(_M.PENDING_SUBMISSION, 0, by_clock=False),
    _M.CUSTOMER_APPROVAL_GRANTED: Step(_M.PENDING_SUBMISSION, 0),
    _M.CUSTOMER_APPROVAL_SKIPPED: Step(_M.PENDING_SUBMISSION, 0),
    _M.PENDING_SUBMISSION: Step(_M.SUBMITTED, 1),
    _M.SUBMITTED: Step(_M.ACTIVE, 2),
    _M.REINSTATED: Step(_M.ACTIVE, 1),
}

_O = ThirdPartyOutboundPaymentStatus
# SCHEDULED -> EXECUTING also waits for the executionDate; VERIFYING goes to PENDING_APPROVAL instead
# when the payout needs approval (magic reference APPROVE); EXECUTING fails instead when the credit it uses is short.
OUTBOUND_STEPS: dict[StrEnum, Step] = {
    _O.NEW: Step(_O.VERIFYING, 0),
    _O.VERIFYING: Step(_O.SCHEDULED, 1),
    _O.SCHEDULED: Step(_O.EXECUTING, 0),
    _O.EXECUTING: Step(_O.EXECUTED, 0),
}
OUTBOUND_OUTCOME_STEPS: dict[tuple[ForcedOutcome, StrEnum], Step] = {
    (ForcedOutcome.FAIL, _O.EXECUTING): Step(_O.FAILED, 0),
}


def is_working_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """The instant ``days`` working days after ``start``, at the same time of day (0: ``start`` itself)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current.date()):
            days -= 1
    return current


def first_working_instant(day: date) -> datetime:
    """Midnight UTC of ``day``, or of the next working day when ``day`` falls on a weekend."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=UTC)
