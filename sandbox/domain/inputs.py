"""What each create takes, declared once: the keyword arguments of the domain's creates.

Each rule takes its fields as ``**fields: Unpack[NewX]`` (PEP 692): callers still pass plain keywords, and
mypy checks them against the declaration. The API reads the same declarations to turn a request body into
these arguments (``body_reader`` in api/common.py): a field's type says how its JSON value is read (money,
date, enum). ``Required`` marks what a caller must give; a field left out takes the rule's default, as
does None where the type allows it.
"""

from __future__ import annotations

# Imported at run time, not under TYPE_CHECKING: body_reader resolves these annotations (get_type_hints).
import functools
import inspect
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Required, TypedDict, TypeVar, cast, get_origin, get_type_hints

from elevate_sandbox.domain.enums import (
    BillRunType,
    PaymentMethod,
    PaymentProviderStatus,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
)


class NewCustomer(TypedDict, total=False):
    """customers.create_customer; personal details left out are derived from the name and id."""

    name: Required[str]
    contract_owner_id: int | None
    credit_threshold: Decimal
    email: str | None
    first_name: str | None
    last_name: str | None
    address_line1: str | None
    city: str | None
    postcode: str | None
    telephone: str | None


class NewSite(TypedDict, total=False):
    """customers.create_site; the address left out is the customer's."""

    customer_id: Required[int]
    name: str | None
    reference: str | None
    address_line1: str | None
    city: str | None
    postcode: str | None
    start_date: date | None
    end_date: date | None


class NewInvoice(TypedDict, total=False):
    """customers.create_invoice."""

    customer_id: Required[int]
    bill_run_type: Required[BillRunType]
    amount: Required[Decimal]
    invoice_date: date | None
    due_date: date | None
    site_id: int | None


class NewCustomerPayment(TypedDict, total=False):
    """accounts.create_customer_payment."""

    customer_id: Required[int]
    amount: Required[Decimal]
    payment_type: Required[PaymentMethod]
    description: str | None
    reference: str | None
    bill_run_type: BillRunType | None
    invoice_id: int | None


class NewBalanceAdjustment(TypedDict, total=False):
    """accounts.create_balance_adjustment: positive gives credit, negative adds debt."""

    customer_id: Required[int]
    amount: Required[Decimal]
    description: str | None


class NewInvoicePayment(TypedDict, total=False):
    """payments.create_invoice_payment: a payment event on a normal or adhoc invoice."""

    bill_run_type: Required[BillRunType]
    invoice_id: Required[int]
    amount: Required[Decimal]
    description: Required[str]
    payment_method: Required[PaymentMethod]
    third_party_payment_status: ThirdPartyPaymentStatus | None


class NewRefund(TypedDict, total=False):
    """refunds.create_refund: the docs mark nothing required; the rule says what a refund cannot do without."""

    invoice_id: int | None
    bill_run_type: BillRunType | None
    amount: Decimal | None
    payment_method: PaymentMethod | None
    description: str | None


class NewSitePaymentMandate(TypedDict, total=False):
    """mandates.create_site_payment_mandate."""

    site_id: Required[int]
    return_url: Required[str]
    redirect_url: str | None
    exit_url: str | None


class NewPaymentProvider(TypedDict, total=False):
    """providers.create_payment_provider; the flags left out are off."""

    type: Required[PaymentMethod]  # Elevate's field name
    name: Required[str]
    status: Required[PaymentProviderStatus]
    contract_owner_ids: Required[list[int]]
    direct_debit_with_name: str | None
    creditor_identifier: str | None
    instant_bank_payments: bool
    retry_if_possible: bool
    accept_external_payments: bool
    sync_instant_bank_payments_with_mandate_creation: bool


class NewPaymentLink(TypedDict, total=False):
    """links.create_payment_link: one of invoice_id, adhoc_invoice_id, customer_id is what it pays."""

    payment_provider_id: Required[int]
    amount: Required[Decimal]
    description: Required[str]
    email: str | None
    invoice_id: int | None
    adhoc_invoice_id: int | None
    customer_id: int | None


class NewOutboundPayment(TypedDict, total=False):
    """outbound.create_outbound_payment."""

    customer_id: Required[int]
    amount: Required[Decimal]
    reference: Required[str]
    description: str | None
    execution_date: date | None
    use_customer_credit_balance: bool
    status: ThirdPartyOutboundPaymentStatus | None


class LatestPayment(TypedDict, total=False):
    """payments.cancel_invoice_payment and reprocess_invoice_payment: the invoice whose latest payment they move."""

    invoice_id: Required[int]
    bill_run_type: Required[BillRunType]
    notes: str | None


F = TypeVar("F", bound=Callable[..., Any])


def takes(declared: Any) -> Callable[[F], F]:
    """Check at run time what mypy checks in the package: a create called with a keyword its declaration
    (a TypedDict above) lacks, or without a required one, raises TypeError, as a plain keyword signature
    did (tests and callers outside the package are not type-checked)."""
    # Read from the annotations: with postponed annotations Python 3.11 files every key as optional.
    hints = get_type_hints(declared, include_extras=True)
    known = frozenset(hints)
    required = frozenset(name for name, hint in hints.items() if get_origin(hint) is Required)

    def decorate(create: F) -> F:
        own = {
            name
            for name, parameter in inspect.signature(create).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY
        }
        allowed = known | own

        @functools.wraps(create)
        def checked(ctx: Any, /, **fields: Any) -> Any:
            unknown = fields.keys() - allowed
            if unknown:
                raise TypeError(f"{create.__name__}() got an unexpected keyword argument {min(unknown)!r}")
            missing = required - fields.keys()
            if missing:
                raise TypeError(f"{create.__name__}() missing a required keyword argument: {min(missing)!r}")
            return create(ctx, **fields)

        return cast(F, checked)

    return decorate
