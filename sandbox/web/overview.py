"""The dashboard's one read: the newest records of every kind in a tenant, with the names shown beside them."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Reversible
from decimal import Decimal
from itertools import islice
from typing import Any, Protocol, TypeVar

from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.models import InvoicePayment, PaymentLink
from elevate_sandbox.domain.money import money_sum
from elevate_sandbox.domain.state import TenantState

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
DEFAULT_LIMIT = 100


class _Table(Protocol[T_co]):
    """A table of records in id order: a dict, or a tenant's view over a shared base (domain/overlay.py)."""

    def values(self) -> Reversible[T_co]: ...


def newest(table: _Table[T], limit: int) -> Iterator[T]:
    """The last ``limit`` records of a table, newest (highest id) first: tables are dicts in id order."""
    return islice(reversed(table.values()), limit)


def _customer_name(state: TenantState, customer_id: int | None) -> str | None:
    customer = state.customers.get(customer_id) if customer_id is not None else None
    return customer.name if customer else None


def _payments(state: TenantState, limit: int) -> list[dict[str, Any]]:
    """Invoice and adhoc invoice payments together, newest first (by date, then id)."""
    recent: Iterable[InvoicePayment] = heapq.merge(
        newest(state.invoice_payments, limit),
        newest(state.adhoc_invoice_payments, limit),
        key=lambda p: (p.payment_date, p.id),
        reverse=True,
    )
    rows = []
    for payment in islice(recent, limit):
        invoice = state.invoices[payment.invoice_id]
        rows.append(
            {
                **payment.to_api(),
                "billRunType": payment.bill_run_type,
                "invoiceId": invoice.id,
                "invoiceNumber": invoice.invoice_number,
                "customerId": payment.customer_id,
                "customerName": _customer_name(state, payment.customer_id),
            }
        )
    return rows


def _mandates(state: TenantState, limit: int) -> list[dict[str, Any]]:
    rows = []
    for flow in newest(state.site_mandates, limit):
        mandate = state.provider_mandates[(flow.payment_method, flow.mandate_reference)]
        site = state.sites[flow.site_id]
        rows.append(
            {
                **flow.to_api(),
                "paymentMethod": flow.payment_method,
                "status": mandate.status,
                "siteName": site.name,
                "customerId": site.customer_id,
                "customerName": _customer_name(state, site.customer_id),
            }
        )
    return rows


def _link(state: TenantState, link: PaymentLink) -> dict[str, Any]:
    invoice_id = link.invoice_id if link.invoice_id is not None else link.adhoc_invoice_id
    customer_id = state.invoices[invoice_id].customer_id if invoice_id is not None else link.customer_id
    return {
        **link.to_api(),
        "customerId": customer_id,
        "customerName": _customer_name(state, customer_id),
        "token": link.token,
        "paid": link.paid,
    }


def _with_customer(state: TenantState, records: Iterable[Any], key: str = "customer_id") -> list[dict[str, Any]]:
    return [{**r.to_api(), "customerName": _customer_name(state, getattr(r, key))} for r in records]


def _counts(state: TenantState) -> dict[str, int]:
    return {
        "customers": len(state.customers),
        "invoices": len(state.invoices),
        "payments": len(state.invoice_payments) + len(state.adhoc_invoice_payments),
        "customerPayments": len(state.customer_payments),
        "refunds": len(state.refunds),
        "mandates": len(state.site_mandates),
        "outboundPayments": len(state.outbound_payments),
        "paymentLinks": len(state.payment_links),
        "providers": len(state.payment_providers),
    }


def _totals(state: TenantState) -> dict[str, Decimal]:
    """What customers owe, the credit they hold, and what is outstanding on invoices, over the whole tenant."""
    balances = [customer.balance for customer in state.customers.values()]
    return {
        "owed": money_sum(-b for b in balances if b < 0),
        "credit": money_sum(b for b in balances if b > 0),
        "outstanding": money_sum(invoice.outstanding for invoice in state.invoices.values()),
    }


def overview(backend: Backend, tenant: str, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """What the dashboard shows: the newest ``limit`` records of each kind, and how many there are."""
    state = backend.state
    return {
        "tenant": tenant,
        "now": backend.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "limit": limit,
        "counts": _counts(state),
        "totals": _totals(state),
        "providers": [p.to_api() for p in state.payment_providers.values()],
        "customers": [c.to_api() for c in newest(state.customers, limit)],
        "invoices": _with_customer(state, newest(state.invoices, limit)),
        "payments": _payments(state, limit),
        "customerPayments": _with_customer(state, newest(state.customer_payments, limit)),
        "refunds": _with_customer(state, newest(state.refunds, limit)),
        "mandates": _mandates(state, limit),
        "outboundPayments": _with_customer(state, newest(state.outbound_payments, limit)),
        "paymentLinks": [_link(state, link) for link in newest(state.payment_links, limit)],
    }
