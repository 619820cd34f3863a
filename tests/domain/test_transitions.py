"""The lifecycles as data (transitions.py): classes partition the statuses, all are reachable, finals are final."""

from __future__ import annotations

from collections import deque
from enum import StrEnum

import pytest

from elevate_sandbox.domain import transitions
from elevate_sandbox.domain.enums import (
    MandateStatus,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
    ThirdPartyRefundStatus,
)
from elevate_sandbox.domain.errors import INVALID_STATUS_TRANSITION, InvalidRequest

O = ThirdPartyOutboundPaymentStatus  # noqa: E741
P = ThirdPartyPaymentStatus
R = ThirdPartyRefundStatus


def reachable(allowed: frozenset, start: StrEnum) -> set:
    seen, queue = {start}, deque([start])
    while queue:
        current = queue.popleft()
        for source, target in allowed:
            if source == current and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_given_the_payment_classes_then_every_status_is_in_exactly_one() -> None:
    classes = (
        transitions.PENDING_PAYMENT_STATUSES, transitions.COLLECTED_PAYMENT_STATUSES,
        transitions.FAILED_PAYMENT_STATUSES,
    )
    assert sum(len(c) for c in classes) == len(P)
    assert set().union(*classes) == set(P)


@pytest.mark.parametrize(
    ("allowed", "start", "every", "unreachable"),
    [
        (transitions.PAYMENT_TRANSITIONS, P.NEW, P, set()),
        # A manual refund is created MANUALLY_REFUNDED; no provider refund becomes one.
        (transitions.REFUND_TRANSITIONS, R.CREATED, R, {R.MANUALLY_REFUNDED}),
        (transitions.MANDATE_TRANSITIONS, MandateStatus.NEW, MandateStatus, set()),
        (transitions.OUTBOUND_TRANSITIONS, O.NEW, O, set()),
    ],
    ids=["payment", "refund", "mandate", "outbound"],
)
def test_given_a_lifecycle_then_every_status_is_reachable_from_its_start(
    allowed: frozenset, start: StrEnum, every: type[StrEnum], unreachable: set
) -> None:
    assert set(every) - reachable(allowed, start) == unreachable


@pytest.mark.parametrize(
    ("allowed", "every", "finals"),
    [
        (transitions.OUTBOUND_TRANSITIONS, O, {O.EXECUTED, O.CANCELLED, O.FAILED}),
        (
            transitions.REFUND_TRANSITIONS, R,
            {R.CANCELLED, R.BOUNCED, R.FUNDS_RETURNED, R.MANUALLY_REFUNDED, R.REFUND_SETTLED},
        ),
        (
            transitions.PAYMENT_TRANSITIONS, P,
            {P.CANCELLED, P.CUSTOMER_APPROVAL_DENIED, P.CUSTOMER_APPROVAL_MISSING, P.LATE_FAILURE_SETTLED,
             P.CHARGEBACK_SETTLED, P.MANUALLY_PAID, P.REFUNDED},
        ),
    ],
    ids=["outbound", "refund", "payment"],
)
def test_given_a_lifecycle_then_its_final_statuses_are_the_documented_ones(
    allowed: frozenset, every: type[StrEnum], finals: set
) -> None:
    assert transitions.final_statuses(allowed, every) == finals


def test_every_pending_payment_can_be_cancelled_and_every_reprocessable_one_resubmitted() -> None:
    for status in transitions.PENDING_PAYMENT_STATUSES:
        assert (status, P.CANCELLED) in transitions.PAYMENT_TRANSITIONS
    for status in transitions.REPROCESSABLE_PAYMENT_STATUSES | transitions.PROVIDER_REPROCESS_STATUSES:
        assert (status, P.PENDING_SUBMISSION) in transitions.PAYMENT_TRANSITIONS
    assert P.CUSTOMER_APPROVAL_DENIED not in transitions.REPROCESSABLE_PAYMENT_STATUSES


def test_an_executing_payout_cannot_be_cancelled_and_a_new_one_cannot_fail() -> None:
    assert (O.EXECUTING, O.CANCELLED) not in transitions.OUTBOUND_TRANSITIONS
    assert (O.NEW, O.FAILED) not in transitions.OUTBOUND_TRANSITIONS


def test_when_checking_a_transition_then_same_status_is_a_no_op_and_an_illegal_one_names_both() -> None:
    assert transitions.check_transition(transitions.REFUND_TRANSITIONS, "refund", R.PAID, R.PAID) is False
    assert transitions.check_transition(transitions.REFUND_TRANSITIONS, "refund", R.SUBMITTED, R.PAID) is True
    with pytest.raises(InvalidRequest) as caught:
        transitions.check_transition(transitions.REFUND_TRANSITIONS, "refund", R.PAID, R.SUBMITTED)
    assert caught.value.code == INVALID_STATUS_TRANSITION
    assert "PAID" in caught.value.message and "SUBMITTED" in caught.value.message
