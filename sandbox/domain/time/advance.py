"""Time drives state: the records whose next step (schedule.py) is due move, oldest due first.

Every move goes through the domain's own move rules (payments.move_payment, refunds.move_refund, ...), so
the ledger books exactly what the real event would; the record's ``status_since`` is then set to the instant
the step fell due, so that a long advance chains the steps as they would have happened one after the other.
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
from typing import Any

from elevate_sandbox.clock import format_instant
from elevate_sandbox.domain import mandates, outbound, payments, refunds
from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import (
    BillRunType,
    ForcedOutcome,
    MandateStatus,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
    ThirdPartyRefundStatus,
)
from elevate_sandbox.domain.ledger import credit_of
from elevate_sandbox.domain.models import InvoicePayment, OutboundPayment, ProviderMandate, Refund
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.domain.time import magic_values, schedule
from elevate_sandbox.domain.time.policy import Kind, Policy
from elevate_sandbox.domain.time.schedule import Step, add_working_days, first_working_instant

_O = ThirdPartyOutboundPaymentStatus
FORCED_ERROR_INFO = {
    ForcedOutcome.FAIL: magic_values.FAILED_INFO,
    ForcedOutcome.CHARGEBACK: magic_values.CHARGEBACK_INFO,
    ForcedOutcome.APPROVAL_DENIED: magic_values.APPROVAL_DENIED_INFO,
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
        at = format_instant(self.at)
        return {"resource": self.resource, "id": self.id, "from": self.from_status, "to": self.to_status, "at": at}


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

    # The TenantState tables that hold this kind's records.
    tables: tuple[str, ...]

    def records(self, state: TenantState) -> Iterable[Any]:
        """Every record of this kind in the tenant's state."""
        return itertools.chain.from_iterable(getattr(state, table).values() for table in self.tables)

    def status(self, record: Any) -> StrEnum | None:
        status: StrEnum | None = getattr(record, self.status_field)
        return status

    def entered(self, record: Any) -> datetime:
        entered: datetime = record.status_since or record.created_at
        return entered

    def resource(self, record: Any) -> str:
        return str(self.kind)

    def ident(self, record: Any) -> int | str:
        ident: int | str = record.id
        return ident

    @abstractmethod
    def move(self, ctx: Context, record: Any, due: Due) -> None:
        """Take the due step through the domain's own rule for this kind."""

    def adjust(self, ctx: Context, record: Any, step: Step, at: datetime, timed: bool) -> Due:
        """The due step, after any rule the timetable cannot state as data."""
        outcome: ForcedOutcome | None = getattr(record, "forced_outcome", None)
        status = self.status(record)
        if outcome is None or status is None or self.outcome_steps.get((outcome, status)) is not step:
            return Due(step.to, at)
        return Due(step.to, at, FORCED_ERROR_INFO.get(outcome))


class PaymentTrack(Track):
    kind = Kind.INVOICE_PAYMENTS
    status_field = "third_party_payment_status"
    steps = schedule.PAYMENT_STEPS
    outcome_steps = schedule.PAYMENT_OUTCOME_STEPS
    tables = ("invoice_payments", "adhoc_invoice_payments")

    def entered(self, record: InvoicePayment) -> datetime:
        return record.status_since or datetime.combine(record.payment_date, time(), tzinfo=UTC)

    def resource(self, record: InvoicePayment) -> str:
        return "invoicePayments" if record.bill_run_type is BillRunType.NORMAL else "adhocInvoicePayments"

    def move(self, ctx: Context, record: InvoicePayment, due: Due) -> None:
        payments.move_payment(ctx, record, ThirdPartyPaymentStatus(due.to), due.error_info)


class RefundTrack(Track):
    kind = Kind.REFUNDS
    status_field = "third_party_refund_status"
    steps = schedule.REFUND_STEPS
    outcome_steps = schedule.REFUND_OUTCOME_STEPS
    tables = ("refunds",)

    def move(self, ctx: Context, record: Refund, due: Due) -> None:
        refunds.move_refund(ctx, record.id, ThirdPartyRefundStatus(due.to))


class MandateTrack(Track):
    kind = Kind.MANDATES
    steps = schedule.MANDATE_STEPS
    tables = ("provider_mandates",)

    def ident(self, record: ProviderMandate) -> str:
        return f"{record.payment_method.value}/{record.mandate_reference}"

    def move(self, ctx: Context, record: ProviderMandate, due: Due) -> None:
        mandates.move_provider_mandate(ctx, record.payment_method, record.mandate_reference, MandateStatus(due.to))


class OutboundTrack(Track):
    kind = Kind.OUTBOUND_PAYMENTS
    steps = schedule.OUTBOUND_STEPS
    outcome_steps = schedule.OUTBOUND_OUTCOME_STEPS
    tables = ("outbound_payments",)

    def move(self, ctx: Context, record: OutboundPayment, due: Due) -> None:
        outbound.move_outbound_payment(ctx, record.id, _O(due.to))

    def adjust(self, ctx: Context, record: OutboundPayment, step: Step, at: datetime, timed: bool) -> Due:
        due = Track.adjust(self, ctx, record, step, at, timed)
        if due.to is _O.SCHEDULED and record.forced_outcome is ForcedOutcome.NEEDS_APPROVAL:
            return Due(_O.PENDING_APPROVAL, at)
        if due.to is _O.EXECUTING and timed and record.execution_date is not None:
            return Due(_O.EXECUTING, max(at, first_working_instant(record.execution_date)))
        customer = ctx.state.customers[record.customer_id]
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


def due_step(ctx: Context, track: Track, record: Any, *, timed: bool = True, forced: bool = True) -> Due | None:
    """When and where the record moves next; ``timed=False`` ignores time (immediate, simulations)."""
    step = step_of(track, record, forced=forced, by_person=not timed)
    if step is None:
        return None
    if not timed:
        return track.adjust(ctx, record, step, ctx.clock.now(), timed)
    epoch = ctx.progression.epoch
    start = track.entered(record) if epoch is None else max(track.entered(record), epoch)
    return track.adjust(ctx, record, step, add_working_days(start, step.working_days), timed)


def apply(ctx: Context, track: Track, record: Any, due: Due) -> Change:
    """Take one step through the domain's rules, stamped with the instant it fell due."""
    before = track.status(record)
    track.move(ctx, record, due)
    ctx.revision += 1  # the record changed: caches of its rendering look again (revisions.py)
    record.status_since = due.at
    return Change(track.resource(record), track.ident(record), str(before), str(due.to), due.at)


def _clock_driven(ctx: Context) -> Iterator[Track]:
    return (track for kind, track in TRACKS.items() if ctx.progression.policy(kind) is not Policy.MANUAL)


def run_due(ctx: Context, now: datetime | None = None) -> list[Change]:
    """Move every record whose next step is due by ``now`` (default: the clock's now), in the order due."""
    now = now or ctx.clock.now()
    order = itertools.count()
    heap: list[tuple[datetime, int, Track, Any]] = []
    for track in _clock_driven(ctx):
        for record in track.records(ctx.state):
            due = due_step(ctx, track, record)
            if due is not None and due.at <= now:
                heap.append((due.at, next(order), track, record))
    heapq.heapify(heap)
    changes: list[Change] = []
    while heap:
        _, _, track, record = heapq.heappop(heap)
        # Recomputed: what a step leads to may depend on what moved before it (credit for payouts).
        due = due_step(ctx, track, record)
        if due is None or due.at > now:
            continue
        changes.append(apply(ctx, track, record, due))
        following = due_step(ctx, track, record)
        if following is not None and following.at <= now:
            heapq.heappush(heap, (following.at, next(order), track, record))
    return changes


def settle_created(ctx: Context, kind: Kind, record: Any) -> list[Change]:
    """Under the `immediate` policy, a new record takes every step of its timetable at once."""
    if ctx.progression.policy(kind) is not Policy.IMMEDIATE:
        return []
    track = TRACKS[kind]
    changes = []
    while (due := due_step(ctx, track, record, timed=False)) is not None:
        changes.append(apply(ctx, track, record, due))
    return changes
