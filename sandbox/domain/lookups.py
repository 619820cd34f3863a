"""Finding the records a request names, with the error each kind of reference earns when it is wrong.

A resource in the URL that does not exist is a 404 (NotFound); a record named in a request body or
query is an InvalidRequest with a stable code, which errors.status_of also answers with 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import BillRunType
from elevate_sandbox.domain.errors import (
    AMOUNT_NOT_POSITIVE,
    AMOUNT_ZERO,
    BILL_RUN_TYPE_MISMATCH,
    CONTRACT_OWNER_NOT_FOUND,
    CUSTOMER_NOT_FOUND,
    INVOICE_NOT_FOUND,
    PAYMENT_PROVIDER_NOT_FOUND,
    SITE_NOT_FOUND,
    FieldProblem,
    InvalidRequest,
    NotFound,
)
from elevate_sandbox.domain.models import Customer, Invoice, InvoicePayment, PaymentProvider, Site
from elevate_sandbox.domain.money import ZERO
from elevate_sandbox.domain.state import TenantState

T = TypeVar("T")


def get_or_404(table: Mapping[int, T], record_id: int, label: str) -> T:
    """The record with ``record_id``, or NotFound naming what was looked for."""
    record = table.get(record_id)
    if record is None:
        raise NotFound(f"No {label} with id {record_id}")
    return record


def by_token(ids: Mapping[str, int], table: Mapping[int, T], token: str, label: str) -> T:
    """The record whose token (an index from token to id) is ``token``, or NotFound naming what was looked for."""
    record_id = ids.get(token)
    if record_id is None:
        raise NotFound(f"No {label} with token {token}")
    return table[record_id]


def _named(table: Mapping[int, T], record_id: int, label: str, code: str) -> T:
    """The record a request body or query names, or InvalidRequest with that kind's stable code."""
    record = table.get(record_id)
    if record is None:
        raise InvalidRequest(f"No {label} with id {record_id}", code)
    return record


def payment_table(state: TenantState, bill_run_type: BillRunType) -> dict[int, InvoicePayment]:
    """invoice-payments hold NORMAL invoices' payments, adhoc-invoice-payments the ADHOC ones."""
    return state.invoice_payments if bill_run_type is BillRunType.NORMAL else state.adhoc_invoice_payments


def payment_sequence(bill_run_type: BillRunType) -> str:
    """The id sequence of a payment table: each of the two resources numbers its own payments."""
    return "invoice_payments" if bill_run_type is BillRunType.NORMAL else "adhoc_invoice_payments"


def payment_label(bill_run_type: BillRunType) -> str:
    return "invoice payment" if bill_run_type is BillRunType.NORMAL else "adhoc invoice payment"


def customer_ref(ctx: Context, customer_id: int) -> Customer:
    """A customer named in a request."""
    return _named(ctx.state.customers, customer_id, "customer", CUSTOMER_NOT_FOUND)


def site_ref(ctx: Context, site_id: int) -> Site:
    """A site named in a request."""
    return _named(ctx.state.sites, site_id, "site", SITE_NOT_FOUND)


def invoice_ref(ctx: Context, invoice_id: int, bill_run_type: BillRunType) -> Invoice:
    """An invoice named in a request, which must be of the bill run type the request says."""
    invoice = invoice_any(ctx, invoice_id)
    if invoice.bill_run_type is not bill_run_type:
        raise InvalidRequest(
            f"Invoice {invoice_id} is {invoice.bill_run_type.value}, not {bill_run_type.value}",
            BILL_RUN_TYPE_MISMATCH,
        )
    return invoice


def invoice_any(ctx: Context, invoice_id: int) -> Invoice:
    """An invoice named in a request that does not say its bill run type (normal and adhoc share ids)."""
    return _named(ctx.state.invoices, invoice_id, "invoice", INVOICE_NOT_FOUND)


def provider_ref(ctx: Context, provider_id: int) -> PaymentProvider:
    """A payment provider named in a request body."""
    return _named(ctx.state.payment_providers, provider_id, "payment provider", PAYMENT_PROVIDER_NOT_FOUND)


def check_contract_owners(ctx: Context, owner_ids: list[int]) -> None:
    """Every contract owner id must exist."""
    missing = [owner_id for owner_id in owner_ids if owner_id not in ctx.state.contract_owners]
    if missing:
        raise InvalidRequest(
            f"No contract owner with id {', '.join(map(str, missing))}", CONTRACT_OWNER_NOT_FOUND,
            [FieldProblem("contractOwnerIds", f"unknown contract owner {owner_id}") for owner_id in missing],
        )


def require_nonzero(amount: Decimal, field: str = "amountInMajorCurrency") -> None:
    """An amount of 0.00 moves no money: refuse it."""
    if amount == ZERO:
        raise InvalidRequest(f"{field} must not be 0", AMOUNT_ZERO, [FieldProblem(field, "must not be 0")])


def require_positive(amount: Decimal, field: str = "amountInMajorCurrency") -> None:
    """For operations that only take money in one direction (a refund's schema sets no minimum: 409)."""
    require_nonzero(amount, field)
    if amount < ZERO:
        raise InvalidRequest(
            f"{field} must be positive", AMOUNT_NOT_POSITIVE, [FieldProblem(field, "must be positive")]
        )
