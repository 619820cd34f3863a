"""The timetable (time/schedule.py): working-day arithmetic, steps the transitions allow, and run_due on a tenant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from elevate_sandbox.clock import FrozenClock
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import (
    BillRunType,
    ForcedOutcome,
    MandateStatus,
    PaymentMethod,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
    ThirdPartyRefundStatus,
)
from elevate_sandbox.domain.time.advance import run_due
from elevate_sandbox.domain.time.policy import Kind, Policy
from elevate_sandbox.domain.time.schedule import (
    MANDATE_STEPS,
    OUTBOUND_OUTCOME_STEPS,
    OUTBOUND_STEPS,
    PAYMENT_OUTCOME_STEPS,
    PAYMENT_STEPS,
    REFUND_OUTCOME_STEPS,
    REFUND_STEPS,
    add_working_days,
    first_working_instant,
)
from elevate_sandbox.domain.transitions import (
    MANDATE_TRANSITIONS,
    OUTBOUND_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
)
from tests.domain.conftest import NOW, World

_P, _O = ThirdPartyPaymentStatus, ThirdPartyOutboundPaymentStatus


def at(day: str, hour: int = 9) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-11-25", 0, "2026-11-25"),  # Wednesday, nothing to add
        ("2026-11-25", 3, "2026-11-30"),  # Wednesday + 3 skips the weekend to Monday
        ("2026-11-27", 1, "2026-11-30"),  # Friday + 1 is Monday
        ("2026-11-28", 1, "2026-11-30"),  # Saturday + 1 is Monday
        ("2026-11-29", 2, "2026-12-01"),  # Sunday + 2 is Tuesday
        ("2026-11-23", 10, "2026-12-07"),  # two whole weeks
        ("2026-11-28", 0, "2026-11-28"),  # a 0-day step on a weekend is taken at once
    ],
)
def test_working_days_skip_weekends_and_keep_the_time_of_day(start: str, days: int, expected: str) -> None:
    assert add_working_days(at(start, 17), days) == at(expected, 17)


def test_an_execution_date_on_a_weekend_waits_for_monday() -> None:
    assert first_working_instant(date(2026, 11, 28)) == at("2026-11-30", 0)
    assert first_working_instant(date(2026, 11, 27)) == at("2026-11-27", 0)


@pytest.mark.parametrize(
    ("steps", "transitions"),
    [
        (PAYMENT_STEPS, PAYMENT_TRANSITIONS),
        (PAYMENT_OUTCOME_STEPS, PAYMENT_TRANSITIONS),
        (REFUND_STEPS, REFUND_TRANSITIONS),
        (REFUND_OUTCOME_STEPS, REFUND_TRANSITIONS),
        (MANDATE_STEPS, MANDATE_TRANSITIONS),
        (OUTBOUND_STEPS, OUTBOUND_TRANSITIONS),
        (OUTBOUND_OUTCOME_STEPS, OUTBOUND_TRANSITIONS),
    ],
    ids=["payments", "payment outcomes", "refunds", "refund outcomes", "mandates", "outbound", "outbound outcomes"],
)
def test_every_step_of_the_timetable_is_a_transition_its_lifecycle_allows(steps: dict, transitions: frozenset) -> None:
    for source, step in steps.items():
        status = source[1] if isinstance(source, tuple) else source
        assert (status, step.to) in transitions, (status, step.to)
    # The rules the data cannot state: approval instead of scheduling, failure instead of execution.
    assert {(_O.VERIFYING, _O.PENDING_APPROVAL), (_O.EXECUTING, _O.FAILED)} <= OUTBOUND_TRANSITIONS


def _submitted(world: World, amount: str = "100.00") -> object:
    return world.pay(world.invoice(amount), amount, PaymentMethod.GO_CARDLESS)


def test_a_payment_submitted_on_friday_evening_confirms_on_wednesday_and_pays_out_on_friday(
    backend: Backend, world: World
) -> None:
    backend.clock = FrozenClock(at("2026-11-27", 17))
    payment = _submitted(world)
    assert run_due(backend.context, at("2026-12-02", 16)) == []
    confirmed = run_due(backend.context, at("2026-12-02", 17))
    assert [(c.to_status, c.at) for c in confirmed] == [("CONFIRMED", at("2026-12-02", 17))]
    assert world.balance == Decimal("0.00") and payment.status_since == at("2026-12-02", 17)
    paid_out = run_due(backend.context, at("2026-12-31", 0))
    assert [(c.to_status, c.at) for c in paid_out] == [("PAID_OUT", at("2026-12-04", 17))]


def test_history_before_the_epoch_counts_from_the_epoch(backend: Backend, world: World) -> None:
    backend.clock = FrozenClock(at("2026-06-01"))
    _submitted(world)  # seeded months ago
    backend.progression.epoch = NOW  # the tenant started on Wednesday 2026-11-25 09:00
    assert run_due(backend.context, at("2026-11-30", 8)) == []
    assert [c.to_status for c in run_due(backend.context, at("2026-11-30"))] == ["CONFIRMED"]


def test_a_pending_mandate_becomes_active_three_working_days_later_and_the_site_follows(
    backend: Backend, world: World
) -> None:
    site = backend.create_site(customer_id=world.customer.id)
    started = backend.create_site_payment_mandate(site_id=site.id, return_url="https://example.co.uk/done")
    for status in (MandateStatus.CUSTOMER_APPROVAL_GRANTED, MandateStatus.PENDING_SUBMISSION):
        backend.move_provider_mandate(PaymentMethod.GO_CARDLESS, started.mandate_reference, status)
    changes = run_due(backend.context, at("2026-12-31"))
    assert [(c.to_status, c.at) for c in changes] == [("SUBMITTED", at("2026-11-26")), ("ACTIVE", at("2026-11-30"))]
    assert site.mandate_status is MandateStatus.ACTIVE


def test_a_manual_kind_is_left_alone_while_the_others_move(backend: Backend, world: World) -> None:
    backend.progression.policies[Kind.INVOICE_PAYMENTS] = Policy.MANUAL
    payment = _submitted(world)
    refund_invoice = world.invoice("50.00")
    world.pay(refund_invoice, "50.00", PaymentMethod.GO_CARDLESS, ThirdPartyPaymentStatus.CONFIRMED)
    refund = backend.create_refund(invoice_id=refund_invoice.id, bill_run_type=BillRunType.NORMAL, amount=Decimal("5"))
    run_due(backend.context, at("2027-01-01"))
    assert payment.third_party_payment_status is _P.SUBMITTED
    assert refund.third_party_refund_status is ThirdPartyRefundStatus.REFUND_SETTLED


def test_a_forced_outcome_replaces_the_ordinary_step(backend: Backend, world: World) -> None:
    failing, charged = _submitted(world), _submitted(world, "60.00")
    failing.forced_outcome, charged.forced_outcome = ForcedOutcome.FAIL, ForcedOutcome.CHARGEBACK
    run_due(backend.context, at("2027-01-01"))
    assert failing.third_party_payment_status is _P.FAILED and failing.error_info
    assert charged.third_party_payment_status is _P.CHARGED_BACK
    assert world.balance == Decimal("-160.00")


def test_a_payout_needing_approval_waits_for_it_after_verification(backend: Backend, world: World) -> None:
    backend.create_balance_adjustment(customer_id=world.customer.id, amount=Decimal("20000"))
    payout = backend.create_outbound_payment(customer_id=world.customer.id, amount=Decimal("500"), reference="P-1")
    payout.forced_outcome = ForcedOutcome.NEEDS_APPROVAL  # what the magic reference prefix APPROVE decides
    run_due(backend.context, at("2027-01-01"))
    assert payout.status is _O.PENDING_APPROVAL
