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


def _path(start: StrEnum, *legs: tuple[int, StrEnum], by_clock: bool = True) -> dict[StrEnum, Step]:
    """The steps along one path: from ``start``, each leg's status after its number of working days."""
    steps: dict[StrEnum, Step] = {}
    for days, to in legs:
        steps[start] = Step(to, days, by_clock)
        start = to
    return steps


def _into(to: StrEnum, days: int, *sources: StrEnum, by_clock: bool = True) -> dict[StrEnum, Step]:
    """The same step from each of ``sources``: several statuses that lead on to one."""
    return {source: Step(to, days, by_clock) for source in sources}


_P = ThirdPartyPaymentStatus
PAYMENT_STEPS: dict[StrEnum, Step] = {
    **_into(_P.PENDING_SUBMISSION, 0, _P.NEW, _P.CREATED, _P.CUSTOMER_APPROVAL_GRANTED, _P.RESUBMISSION_REQUESTED),
    **_into(_P.CUSTOMER_APPROVAL_GRANTED, 1, _P.PENDING_CUSTOMER_APPROVAL),
    **_path(_P.UNSENT, (1, _P.PENDING_SUBMISSION), (1, _P.SUBMITTED), (3, _P.CONFIRMED), (2, _P.PAID_OUT)),
    **_into(_P.SUBMITTED, 3, _P.FAILED_RETRYING),
}
PAYMENT_OUTCOME_STEPS: dict[tuple[ForcedOutcome, StrEnum], Step] = {
    (ForcedOutcome.APPROVAL_DENIED, _P.PENDING_CUSTOMER_APPROVAL): Step(_P.CUSTOMER_APPROVAL_DENIED, 1),
    (ForcedOutcome.FAIL, _P.SUBMITTED): Step(_P.FAILED, 3),
    (ForcedOutcome.CHARGEBACK, _P.PAID_OUT): Step(_P.CHARGED_BACK, 3),
}

_R = ThirdPartyRefundStatus
REFUND_STEPS: dict[StrEnum, Step] = _path(
    _R.CREATED, (0, _R.PENDING_SUBMISSION), (1, _R.SUBMITTED), (2, _R.PAID), (1, _R.REFUND_SETTLED)
)
REFUND_OUTCOME_STEPS: dict[tuple[ForcedOutcome, StrEnum], Step] = {
    (ForcedOutcome.BOUNCE, _R.SUBMITTED): Step(_R.BOUNCED, 2)
}

_M = MandateStatus
MANDATE_STEPS: dict[StrEnum, Step] = {
    # A new mandate waits for the customer to complete the flow (the hosted mandate page).
    **_into(_M.PENDING_SUBMISSION, 0, _M.NEW, _M.CREATED, by_clock=False),
    **_into(_M.PENDING_SUBMISSION, 0, _M.CUSTOMER_APPROVAL_GRANTED, _M.CUSTOMER_APPROVAL_SKIPPED),
    **_path(_M.PENDING_SUBMISSION, (1, _M.SUBMITTED), (2, _M.ACTIVE)),
    **_into(_M.ACTIVE, 1, _M.REINSTATED),
}

_O = ThirdPartyOutboundPaymentStatus
# SCHEDULED -> EXECUTING also waits for the executionDate; VERIFYING goes to PENDING_APPROVAL instead
# when the payout needs approval (magic reference APPROVE); EXECUTING fails instead when the credit it uses is short.
OUTBOUND_STEPS: dict[StrEnum, Step] = _path(
    _O.NEW, (0, _O.VERIFYING), (1, _O.SCHEDULED), (0, _O.EXECUTING), (0, _O.EXECUTED)
)
OUTBOUND_OUTCOME_STEPS: dict[tuple[ForcedOutcome, StrEnum], Step] = {
    (ForcedOutcome.FAIL, _O.EXECUTING): Step(_O.FAILED, 0)
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
