"""Outcome simulators: the provider events a test can trigger on one record, with the real event's effects.

A scenario either moves the record one step (``moves``: the status it applies to -> the status it leads
to) or walks it along the ordinary timetable to a ``goal`` (payment paid, mandate activated, ...). Every
step goes through the domain's move rules (advance.py), so statuses, invoice payment status, balance and credit
change exactly as for the real event. A record in any other status is refused, and nothing changes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from elevate_sandbox.domain import enums, outbound, payments
from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.errors import (
    INSUFFICIENT_CREDIT,
    SCENARIO_NOT_APPLICABLE,
    VALIDATION_ERROR,
    FieldProblem,
    InvalidRequest,
    NotFound,
)
from elevate_sandbox.domain.ledger import credit_of
from elevate_sandbox.domain.lookups import get_or_404
from elevate_sandbox.domain.time import magic_values
from elevate_sandbox.domain.time.advance import TRACKS, Change, Due, Track, apply, due_step
from elevate_sandbox.domain.time.policy import Kind

_P, _R, _M = enums.ThirdPartyPaymentStatus, enums.ThirdPartyRefundStatus, enums.MandateStatus
_O = enums.ThirdPartyOutboundPaymentStatus
FAILED_INFO = "insufficient_funds: the payer's account had insufficient funds (simulated)"
LATE_FAILURE_INFO = "late_failure: the payment failed after the provider had confirmed it (simulated)"
# Where a walk may go at most: the longest ordinary path in the timetable is shorter.
MAX_WALK = 12


@dataclass(frozen=True, slots=True)
class Scenario:
    """A provider event that can be simulated on one record."""

    name: str
    kind: Kind
    description: str
    moves: Mapping[StrEnum, StrEnum] = field(default_factory=dict)
    goal: StrEnum | None = None
    error_info: str | None = None

    def preconditions(self) -> list[str]:
        """The statuses the scenario applies to."""
        if self.goal is None:
            return sorted(str(status) for status in self.moves)
        return sorted(str(status) for status in TRACKS[self.kind].steps if _reaches(self.kind, status, self.goal))

    def results(self) -> list[str]:
        return [str(self.goal)] if self.goal is not None else sorted({str(s) for s in self.moves.values()})


def _reaches(kind: Kind, status: StrEnum, goal: StrEnum) -> bool:
    """Whether the ordinary timetable leads from ``status`` to ``goal`` (ignoring record-specific rules)."""
    steps = TRACKS[kind].steps
    for _ in range(MAX_WALK):
        step = steps.get(status)
        if step is None:
            return False
        status = step.to
        if status == goal:
            return True
    return False


def _to(target: StrEnum, *sources: StrEnum) -> dict[StrEnum, StrEnum]:
    return dict.fromkeys(sources, target)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "payment_paid", Kind.INVOICE_PAYMENTS, "The provider collects the payment and pays it out", goal=_P.PAID_OUT
        ),
        Scenario(
            "payment_failed",
            Kind.INVOICE_PAYMENTS,
            "The collection fails at the payer's bank",
            _to(_P.FAILED, _P.SUBMITTED, _P.FAILED_RETRYING),
            error_info=FAILED_INFO,
        ),
        Scenario(
            "payment_charged_back",
            Kind.INVOICE_PAYMENTS,
            "The payer disputes a collected payment",
            _to(
                _P.CHARGED_BACK,
                _P.CONFIRMED,
                _P.PAID_OUT,
                _P.SURCHARGE_FEE_DEBITED,
                _P.SURCHARGE_FEE_CREDITED,
                _P.CHARGEBACK_CANCELLED,
            ),
            error_info=magic_values.CHARGEBACK_INFO,
        ),
        Scenario(
            "payment_late_failure",
            Kind.INVOICE_PAYMENTS,
            "A confirmed payment fails late (FAILED), a paid-out one is clawed back (LATE_FAILURE_SETTLED)",
            {_P.CONFIRMED: _P.FAILED, _P.PAID_OUT: _P.LATE_FAILURE_SETTLED},
            error_info=LATE_FAILURE_INFO,
        ),
        Scenario(
            "payment_customer_approval_denied",
            Kind.INVOICE_PAYMENTS,
            "The payer refuses to approve",
            _to(_P.CUSTOMER_APPROVAL_DENIED, _P.PENDING_CUSTOMER_APPROVAL),
            error_info=magic_values.APPROVAL_DENIED_INFO,
        ),
        Scenario("mandate_activated", Kind.MANDATES, "The bank accepts the mandate", goal=_M.ACTIVE),
        Scenario(
            "mandate_failed",
            Kind.MANDATES,
            "The bank refuses the mandate",
            _to(_M.FAILED, _M.NEW, _M.CREATED, _M.PENDING_SUBMISSION, _M.SUBMITTED),
        ),
        Scenario(
            "mandate_cancelled",
            Kind.MANDATES,
            "The payer or their bank cancels the mandate",
            _to(
                _M.CANCELLED,
                _M.NEW,
                _M.CREATED,
                _M.CUSTOMER_APPROVAL_GRANTED,
                _M.CUSTOMER_APPROVAL_SKIPPED,
                _M.PENDING_SUBMISSION,
                _M.SUBMITTED,
                _M.ACTIVE,
                _M.SUSPENDED_BY_PAYER,
                _M.INACTIVE,
                _M.REINSTATED,
            ),
        ),
        Scenario("mandate_expired", Kind.MANDATES, "The mandate expires unused", _to(_M.EXPIRED, _M.ACTIVE)),
        Scenario("refund_paid", Kind.REFUNDS, "The provider pays the refund to the customer", goal=_R.PAID),
        Scenario(
            "refund_bounced", Kind.REFUNDS, "The customer's bank returns the refund", _to(_R.BOUNCED, _R.SUBMITTED)
        ),
        Scenario(
            "refund_funds_returned",
            Kind.REFUNDS,
            "The refunded money comes back after it was paid",
            _to(_R.FUNDS_RETURNED, _R.PAID),
        ),
        Scenario(
            "outbound_approved",
            Kind.OUTBOUND_PAYMENTS,
            "The approver approves the payout at the provider",
            _to(_O.SCHEDULED, _O.PENDING_APPROVAL),
        ),
        Scenario(
            "outbound_executed",
            Kind.OUTBOUND_PAYMENTS,
            "The payout is executed now, whatever its date",
            goal=_O.EXECUTED,
        ),
        Scenario(
            "outbound_failed",
            Kind.OUTBOUND_PAYMENTS,
            "The provider fails the payout",
            _to(_O.FAILED, _O.VERIFYING, _O.PENDING_APPROVAL, _O.SCHEDULED, _O.EXECUTING),
        ),
    )
}


def catalogue() -> list[dict[str, Any]]:
    """Every scenario with its resource kind, what identifies the record, preconditions and result."""
    identified_by = {
        Kind.MANDATES: ["paymentMethod", "mandateReference"],
        Kind.INVOICE_PAYMENTS: ["resourceId", "billRunType"],
    }
    return [
        {
            "scenario": s.name,
            "resource": str(s.kind),
            "description": s.description,
            "identifiedBy": identified_by.get(s.kind, ["resourceId"]),
            "preconditions": s.preconditions(),
            "results": s.results(),
        }
        for s in SCENARIOS.values()
    ]


def _required(value: Any, name: str, scenario: str) -> Any:
    if value is None:
        raise InvalidRequest(
            f"{name} is required by scenario {scenario}", VALIDATION_ERROR, [FieldProblem(name, "required")]
        )
    return value


def find_record(ctx: Context, scenario: Scenario, ids: Mapping[str, Any]) -> Any:
    """The record a scenario names, or NotFound (a 404, like an unknown id in a URL)."""
    if scenario.kind is Kind.MANDATES:
        method = enums.PaymentMethod(_required(ids.get("paymentMethod"), "paymentMethod", scenario.name))
        reference = _required(ids.get("mandateReference"), "mandateReference", scenario.name)
        mandate = ctx.state.provider_mandates.get((method, reference))
        if mandate is None:
            raise NotFound(f"No {method.value} mandate with reference {reference}")
        return mandate
    record_id = _required(ids.get("resourceId"), "resourceId", scenario.name)
    if scenario.kind is Kind.INVOICE_PAYMENTS:
        return payments.get_invoice_payment(ctx, enums.BillRunType(ids.get("billRunType") or "NORMAL"), record_id)
    if scenario.kind is Kind.REFUNDS:
        return get_or_404(ctx.state.refunds, record_id, "refund")
    return outbound.get_outbound_payment(ctx, record_id)


def _not_applicable(scenario: Scenario, track: Track, record: Any) -> InvalidRequest:
    status = track.status(record)
    shown = "no third-party status (a manual payment)" if status is None else status
    return InvalidRequest(
        f"Scenario {scenario.name} does not apply to {track.resource(record)} {track.ident(record)}: it is "
        f"{shown}; it applies to {', '.join(scenario.preconditions())}",
        SCENARIO_NOT_APPLICABLE,
    )


def _walk(ctx: Context, scenario: Scenario, track: Track, record: Any) -> list[Due]:
    """The ordinary steps from the record's status to the scenario's goal, planned on a copy."""
    probe, plan = copy.copy(record), list[Due]()
    for _ in range(MAX_WALK):
        if track.status(probe) == scenario.goal:
            return plan
        due = due_step(ctx, track, probe, timed=False, forced=False)
        if due is None:
            break
        plan.append(due)
        setattr(probe, track.status_field, due.to)
    raise _not_applicable(scenario, track, record)


def _check_credit(ctx: Context, scenario: Scenario, record: Any) -> None:
    """An executed payout that uses credit needs that credit now (the real execution would fail)."""
    if scenario.goal is _O.EXECUTED and record.use_customer_credit_balance:
        credit = credit_of(ctx.state.customers[record.customer_id].balance)
        if record.amount > credit:
            raise InvalidRequest(
                f"Customer {record.customer_id} has {credit} of credit, less than the {record.amount} this payout "
                "uses: simulate outbound_failed instead",
                INSUFFICIENT_CREDIT,
            )


def simulate(ctx: Context, name: str, ids: Mapping[str, Any]) -> tuple[Any, list[Change]]:
    """Apply scenario ``name`` to the record ``ids`` name; returns the record and what changed."""
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise InvalidRequest(
            f"Unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}",
            VALIDATION_ERROR,
            [FieldProblem("scenario", "unknown scenario")],
        )
    track = TRACKS[scenario.kind]
    record = find_record(ctx, scenario, ids)
    now = ctx.clock.now()
    if scenario.goal is not None and str(track.status(record)) in scenario.preconditions():
        _check_credit(ctx, scenario, record)
        plan = _walk(ctx, scenario, track, record)
    elif (status := track.status(record)) is not None and status in scenario.moves:
        plan = [Due(scenario.moves[status], now, scenario.error_info)]
    else:
        raise _not_applicable(scenario, track, record)
    changes = [apply(ctx, track, record, Due(due.to, now, due.error_info)) for due in plan]
    return record, changes
