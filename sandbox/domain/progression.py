"""Time drives state: the records whose next step (timetable.py) is due move, oldest due first.

Every move goes through the Backend's move_* methods, so the ledger books exactly what the real event
would; the record's ``status_since`` is then set to the instant the step fell due, so that a long
advance chains the steps as they would have happened one after the other.
"""

from __future__ import annotations

import heapq
import itertools
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from elevate_sandbox.domain import magic
from elevate_sandbox.domain.enums import BillRunType, ForcedOutcome, ThirdPartyOutboundPaymentStatus
from elevate_sandbox.domain.errors import VALIDATION_ERROR, FieldProblem, InvalidRequest
from elevate_sandbox.domain.ledger import credit_of
from elevate_sandbox.domain.models import InvoicePayment, OutboundPayment, ProviderMandate, Refund
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.domain.timetable import (
    MANDATE_STEPS,
    OUTBOUND_OUTCOME_STEPS,
    OUTBOUND_STEPS,
    PAYMENT_OUTCOME_STEPS,
    PAYMENT_STEPS,
    REFUND_OUTCOME_STEPS,
    REFUND_STEPS,
    Kind,
    Policy,
    Progression,
    Step,
    add_working_days,
    first_working_instant,
)

if TYPE_CHECKING:
    from elevate_sandbox.domain.backend import Backend

_O = ThirdPartyOutboundPaymentStatus
FORCED_ERROR_INFO = {
    ForcedOutcome.FAIL: magic.FAILED_INFO,
    ForcedOutcome.CHARGEBACK: magic.CHARGEBACK_INFO,
    ForcedOutcome.APPROVAL_DENIED: magic.APPROVAL_DENIED_INFO,
}


@dataclass(frozen=True, slots=True)
class Change:
    """One status change a progression or a simulation made."""

    resource: str
    id: int | str
    from_status: str
    to_status: str
    at: datetime

    def to_api(self) -> dict[str, object]:
        return {
            "resource": self.resource,
            "id": self.id,
            "from": self.from_status,
            "to": self.to_status,
            "at": self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


@dataclass(frozen=True, slots=True)
class Due:
    """The step a record takes next, when, and the errorInfo it leaves (failed payments)."""

    to: StrEnum
    at: datetime
    error_info: str | None = None


class Track(ABC):
    """How the engine reads and moves one kind of record; subclasses adapt each model."""

    kind: Kind
    # The record's attribute that holds its status.
    status_field: str = "status"
    steps: dict[StrEnum, Step]
    outcome_steps: Mapping[tuple[ForcedOutcome, StrEnum], Step] = MappingProxyType({})

    @abstractmethod
    def records(self, state: TenantState) -> Iterable[Any]:
        """Every record of this kind in the tenant's state."""

    def status(self, record: Any) -> StrEnum | None:
        return getattr(record, self.status_field)

    def entered(self, record: Any) -> datetime:
        return record.status_since or record.created_at

    def resource(self, record: Any) -> str:
        return str(self.kind)

    def ident(self, record: Any) -> int | str:
        return record.id

    @abstractmethod
    def move(self, backend: Backend, record: Any, due: Due) -> None:
        """Take the due step through the backend's own rules."""

    def adjust(self, backend: Backend, record: Any, step: Step, at: datetime, timed: bool) -> Due:
        """The due step, after any rule the timetable cannot state as data."""
        outcome = getattr(record, "forced_outcome", None)
        forced = self.outcome_steps.get((outcome, self.status(record))) is step
        return Due(step.to, at, FORCED_ERROR_INFO.get(outcome) if forced else None)


class PaymentTrack(Track):
    kind = Kind.INVOICE_PAYMENTS
    status_field = "third_party_payment_status"
    steps = PAYMENT_STEPS
    outcome_steps = PAYMENT_OUTCOME_STEPS

    def records(self, state: TenantState) -> Iterable[InvoicePayment]:
        return itertools.chain(state.invoice_payments.values(), state.adhoc_invoice_payments.values())

    def entered(self, record: InvoicePayment) -> datetime:
        return record.status_since or datetime.combine(record.payment_date, time(), tzinfo=UTC)

    def resource(self, record: InvoicePayment) -> str:
        return "invoicePayments" if record.bill_run_type is BillRunType.NORMAL else "adhocInvoicePayments"

    def move(self, backend: Backend, record: InvoicePayment, due: Due) -> None:
        backend.move_invoice_payment(record.bill_run_type, record.id, due.to, due.error_info)  # type: ignore[arg-type]


class RefundTrack(Track):
    kind = Kind.REFUNDS
    status_field = "third_party_refund_status"
    steps = REFUND_STEPS
    outcome_steps = REFUND_OUTCOME_STEPS

    def records(self, state: TenantState) -> Iterable[Refund]:
        return state.refunds.values()

    def move(self, backend: Backend, record: Refund, due: Due) -> None:
        backend.move_refund(record.id, due.to)  # type: ignore[arg-type]


class MandateTrack(Track):
    kind = Kind.MANDATES
    steps = MANDATE_STEPS

    def records(self, state: TenantState) -> Iterable[ProviderMandate]:
        return state.provider_mandates.values()

    def ident(self, record: ProviderMandate) -> str:
        return f"{record.payment_method.value}/{record.mandate_reference}"

    def move(self, backend: Backend, record: ProviderMandate, due: Due) -> None:
        backend.move_provider_mandate(record.payment_method, record.mandate_reference, due.to)  # type: ignore[arg-type]


class OutboundTrack(Track):
    kind = Kind.OUTBOUND_PAYMENTS
    steps = OUTBOUND_STEPS
    outcome_steps = OUTBOUND_OUTCOME_STEPS

    def records(self, state: TenantState) -> Iterable[OutboundPayment]:
        return state.outbound_payments.values()

    def move(self, backend: Backend, record: OutboundPayment, due: Due) -> None:
        backend.move_outbound_payment(record.id, due.to)  # type: ignore[arg-type]

    def adjust(self, backend: Backend, record: OutboundPayment, step: Step, at: datetime, timed: bool) -> Due:
        due = Track.adjust(self, backend, record, step, at, timed)
        if due.to is _O.SCHEDULED and record.forced_outcome is ForcedOutcome.NEEDS_APPROVAL:
            return Due(_O.PENDING_APPROVAL, at)
        if due.to is _O.EXECUTING and timed and record.execution_date is not None:
            return Due(_O.EXECUTING, max(at, first_working_instant(record.execution_date)))
        customer = backend.state.customers[record.customer_id]
        if due.to is _O.EXECUTED and record.use_customer_credit_balance and record.amount > credit_of(customer.balance):
            return Due(_O.FAILED, at)  # the payout uses credit the customer no longer has: the provider fails it
        return due


TRACKS: dict[Kind, Track] = {
    track.kind: track for track in (PaymentTrack(), RefundTrack(), MandateTrack(), OutboundTrack())
}


def step_of(track: Track, record: Any, *, forced: bool = True, by_person: bool = False) -> Step | None:
    """The record's next timetable step: its forced outcome's if it has one, else the ordinary one."""
    status = track.status(record)
    if status is None:
        return None
    outcome = getattr(record, "forced_outcome", None) if forced else None
    step = track.outcome_steps.get((outcome, status)) if outcome is not None else None
    step = step or track.steps.get(status)
    if step is None or (not step.by_clock and not by_person):
        return None
    return step


def due_step(backend: Backend, track: Track, record: Any, *, timed: bool = True, forced: bool = True) -> Due | None:
    """When and where the record moves next; ``timed=False`` ignores time (immediate, simulations)."""
    step = step_of(track, record, forced=forced, by_person=not timed)
    if step is None:
        return None
    if not timed:
        return track.adjust(backend, record, step, backend.clock.now(), timed)
    epoch = backend.progression.epoch
    start = track.entered(record) if epoch is None else max(track.entered(record), epoch)
    return track.adjust(backend, record, step, add_working_days(start, step.working_days), timed)


def apply(backend: Backend, track: Track, record: Any, due: Due) -> Change:
    """Take one step through the Backend, stamped with the instant it fell due."""
    before = track.status(record)
    track.move(backend, record, due)
    record.status_since = due.at
    return Change(track.resource(record), track.ident(record), str(before), str(due.to), due.at)


def _clock_driven(backend: Backend) -> Iterator[Track]:
    return (track for kind, track in TRACKS.items() if backend.progression.policy(kind) is not Policy.MANUAL)


def run_due(backend: Backend, now: datetime | None = None) -> list[Change]:
    """Move every record whose next step is due by ``now`` (default: the clock's now), in the order due."""
    now = now or backend.clock.now()
    order = itertools.count()
    heap: list[tuple[datetime, int, Track, Any]] = []
    for track in _clock_driven(backend):
        for record in track.records(backend.state):
            due = due_step(backend, track, record)
            if due is not None and due.at <= now:
                heap.append((due.at, next(order), track, record))
    heapq.heapify(heap)
    changes: list[Change] = []
    while heap:
        _, _, track, record = heapq.heappop(heap)
        # Recomputed: what a step leads to may depend on what moved before it (credit for payouts).
        due = due_step(backend, track, record)
        if due is None or due.at > now:
            continue
        changes.append(apply(backend, track, record, due))
        following = due_step(backend, track, record)
        if following is not None and following.at <= now:
            heapq.heappush(heap, (following.at, next(order), track, record))
    return changes


def settle_created(backend: Backend, kind: Kind, record: Any) -> list[Change]:
    """Under the `immediate` policy, a new record takes every step of its timetable at once."""
    if backend.progression.policy(kind) is not Policy.IMMEDIATE:
        return []
    track = TRACKS[kind]
    changes = []
    while (due := due_step(backend, track, record, timed=False)) is not None:
        changes.append(apply(backend, track, record, due))
    return changes


def policies_view(settings: Progression) -> dict[str, str]:
    """The policy of every kind, as the control API shows it."""
    return {str(kind): str(settings.policy(kind)) for kind in Kind}


def set_policies(settings: Progression, changes: Mapping[str, Any]) -> None:
    """Change the policy of some kinds; an unknown kind or policy refuses the whole update."""
    parsed: dict[Kind, Policy] = {}
    problems = []
    for key, value in changes.items():
        if key not in Kind.__members__.values():
            problems.append(FieldProblem(key, f"unknown resource kind; one of {', '.join(Kind)}"))
        elif value not in Policy.__members__.values():
            problems.append(FieldProblem(key, f"unknown policy {value!r}; one of {', '.join(Policy)}"))
        else:
            parsed[Kind(key)] = Policy(value)
    if problems:
        raise InvalidRequest(
            f"Invalid progression policy: {problems[0].field}: {problems[0].message}", VALIDATION_ERROR, problems
        )
    settings.policies.update(parsed)
