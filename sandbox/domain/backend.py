"""One tenant's domain: its context, a revision count, and the creates that settle at once.

Every rule lives in its module and takes the tenant's ``Context`` first; a handler may call it directly
with ``backend.context``. The Backend adds three things a rule module cannot:
- it builds the context and derives the indexes again when a snapshot replaces the state;
- ``counts_changes`` (revisions.py) bumps the revision at each call that may change records, so caches of
  rendered records know when to look again;
- the four creates of records that move on their own (payments, refunds, mandates, payouts) take their
  whole timetable at once under the ``immediate`` policy (time/advance.py).
Its other methods are the rules themselves, bound to this tenant's context by ``on_context``: same
parameters, same checks. Every rule checks everything before it changes anything (and issues ids only
then), so a refused call leaves the tenant's state as it was. Not thread-safe by itself: the store
serialises calls.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from elevate_sandbox.clock import Clock
from elevate_sandbox.domain import (
    accounts,
    customers,
    links,
    mandates,
    outbound,
    payments,
    providers,
    refunds,
)
from elevate_sandbox.domain.context import Context, Index
from elevate_sandbox.domain.revisions import counts_changes
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.domain.time.advance import settle_created
from elevate_sandbox.domain.time.policy import Kind, Progression

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class FromContext(Generic[T]):
    """A Backend attribute that is its context's attribute of the same name: a property that only forwards.

    A ``settable`` one may be replaced (a restored snapshot's clock, a new progression policy); each set counts
    as a change, as ``counts_changes`` counts a property setter (revisions.py).
    """

    def __init__(self, *, settable: bool = False) -> None:
        self._settable = settable
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, backend: None, owner: type) -> Self: ...

    @overload
    def __get__(self, backend: Backend, owner: type | None = None) -> T: ...

    def __get__(self, backend: Backend | None, owner: type | None = None) -> T | Self:
        if backend is None:
            return self
        value: T = getattr(backend._ctx, self._name)
        return value

    def __set__(self, backend: Backend, value: T) -> None:
        if not self._settable:
            raise AttributeError(f"Backend.{self._name} is read-only")
        try:
            setattr(backend._ctx, self._name, value)
        finally:
            backend._ctx.revision += 1


def _as_method(rule: Callable[..., Any], method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
    """``method`` named and documented as the rule it binds, as Backend's own."""
    method.__name__, method.__qualname__, method.__doc__ = rule.__name__, f"Backend.{rule.__name__}", rule.__doc__
    return method


def on_context(rule: Callable[Concatenate[Context, P], R]) -> Callable[Concatenate[Any, P], R]:
    """A rule as a Backend method: the same parameters after the context, which the backend supplies."""

    def method(self: Backend, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return rule(self._ctx, *args, **kwargs)

    return _as_method(rule, method)


def _itself(_ctx: Context, record: Any) -> Any:
    return record


def settling(
    rule: Callable[Concatenate[Context, P], R],
    kind: Kind,
    moving: Callable[[Context, R], Any] = _itself,
) -> Callable[Concatenate[Any, P], R]:
    """A create bound like ``on_context`` whose new record (``moving`` picks it from the result, None when
    nothing was created) takes its whole timetable at once under the ``immediate`` policy."""

    def method(self: Backend, /, *args: P.args, **kwargs: P.kwargs) -> R:
        result = rule(self._ctx, *args, **kwargs)
        record = moving(self._ctx, result)
        if record is not None:
            settle_created(self._ctx, kind, record)
        return result

    return _as_method(rule, method)


@counts_changes
class Backend:
    """One tenant's state and the rules that change it."""

    def __init__(
        self,
        state: TenantState,
        clock: Clock,
        rng: random.Random,
        public_base_url: str = "http://127.0.0.1:8080",
        tenant: str | None = None,
        page_secret: bytes | None = None,
    ) -> None:
        self._ctx = Context(
            state, clock, rng, public_base_url.rstrip("/"), Index.build(state), tenant, page_secret=page_secret
        )

    @property
    def context(self) -> Context:
        """What every rule takes first: state, indexes, clock, randomness, progression settings, revision."""
        return self._ctx

    @property
    def state(self) -> TenantState:
        return self._ctx.state

    @state.setter
    def state(self, state: TenantState) -> None:
        # A restored snapshot brings its own records: derive the lookups from them again.
        self._ctx.state, self._ctx.index = state, Index.build(state)

    clock = FromContext[Clock](settable=True)
    rng = FromContext[random.Random]()
    index = FromContext[Index]()  # the lookups the rules keep in step: read-only for callers (lists use them)
    revision = FromContext[int]()  # moved on by every call that may change records (revisions.py)
    public_base_url = FromContext[str]()
    progression = FromContext[Progression](settable=True)  # policy per kind, epoch, magic values (time/policy.py)

    # --- the creates of records that move on their own: settled at once under `immediate` -----------

    create_invoice_payment = settling(
        payments.create_invoice_payment, Kind.INVOICE_PAYMENTS, lambda _ctx, made: made[0] if made[1] else None
    )
    create_refund = settling(refunds.create_refund, Kind.REFUNDS)
    create_site_payment_mandate = settling(
        mandates.create_site_payment_mandate,
        Kind.MANDATES,
        lambda ctx, mandate: ctx.state.provider_mandates[(mandate.payment_method, mandate.mandate_reference)],
    )
    create_outbound_payment = settling(outbound.create_outbound_payment, Kind.OUTBOUND_PAYMENTS)

    # --- every other rule, bound to this tenant's context --------------------------------------------

    # Seed and control records (customers.py).
    create_contract_owner = on_context(customers.create_contract_owner)
    create_customer = on_context(customers.create_customer)
    create_site = on_context(customers.create_site)
    create_invoice = on_context(customers.create_invoice)
    get_customer = on_context(customers.get_customer)
    get_site = on_context(customers.get_site)
    get_invoice = on_context(customers.get_invoice)

    # payment-providers and payment-provider-reprocess (providers.py).
    create_payment_provider = on_context(providers.create_payment_provider)
    get_payment_provider = on_context(providers.get_payment_provider)
    update_payment_provider = on_context(providers.update_payment_provider)
    reprocess_payment_provider = on_context(providers.reprocess_payment_provider)

    # invoice-payments, adhoc-invoice-payments, cancel and reprocess (payments.py).
    get_invoice_payment = on_context(payments.get_invoice_payment)
    move_invoice_payment = on_context(payments.move_invoice_payment)
    cancel_invoice_payment = on_context(payments.cancel_invoice_payment)
    reprocess_invoice_payment = on_context(payments.reprocess_invoice_payment)

    # refunds (refunds.py).
    move_refund = on_context(refunds.move_refund)

    # Mandates, their hosted flow and instant bank payments (mandates.py).
    get_provider_mandate = on_context(mandates.get_provider_mandate)
    move_provider_mandate = on_context(mandates.move_provider_mandate)
    instant_bank_payments_for_mandate = on_context(mandates.instant_bank_payments_for_mandate)
    record_instant_bank_payment = on_context(mandates.record_instant_bank_payment)
    get_mandate_flow = on_context(mandates.site_mandate_by_flow_token)
    complete_mandate_flow = on_context(mandates.complete_mandate_flow)

    # customer-payments, balances, adjustments, credit status (accounts.py).
    create_customer_payment = on_context(accounts.create_customer_payment)
    get_customer_payment = on_context(accounts.get_customer_payment)
    customer_balance = on_context(accounts.customer_balance)
    create_balance_adjustment = on_context(accounts.create_balance_adjustment)
    get_credit_status = on_context(accounts.get_credit_status)
    credit_statuses = on_context(accounts.credit_statuses)

    # Payment links and their hosted page (links.py).
    create_payment_link = on_context(links.create_payment_link)
    get_payment_link = on_context(links.link_by_token)
    pay_payment_link = on_context(links.pay_payment_link)

    # outbound-payments (1.39) and their approval page (outbound.py).
    get_outbound_payment = on_context(outbound.get_outbound_payment)
    update_outbound_payment = on_context(outbound.update_outbound_payment)
    move_outbound_payment = on_context(outbound.move_outbound_payment)
    decide_outbound_approval = on_context(outbound.decide_approval)
