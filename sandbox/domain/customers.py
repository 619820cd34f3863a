"""Seed records that live in Elevate's other APIs: contract owners, customers, sites and invoices.

The control API and the fixtures create them; the payment rules only read them. Missing personal
details are derived from the name and id, so the same calls always give the same records.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Unpack

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import BillRunType
from elevate_sandbox.domain.errors import (
    CONTRACT_OWNER_NOT_FOUND,
    SITE_NOT_FOUND,
    VALIDATION_ERROR,
    FieldProblem,
    InvalidRequest,
)
from elevate_sandbox.domain.inputs import NewCustomer, NewInvoice, NewSite, takes
from elevate_sandbox.domain.ledger import refresh_invoice
from elevate_sandbox.domain.lookups import customer_ref, get_or_404
from elevate_sandbox.domain.models import ContractOwner, Customer, Invoice, Site
from elevate_sandbox.domain.money import ZERO, to_money

DEFAULT_CONTRACT_OWNER = "Default Contract Owner"
DEFAULT_PAYMENT_TERMS = timedelta(days=30)
INVOICE_PREFIXES = {BillRunType.NORMAL: "INV", BillRunType.ADHOC: "ADH"}
# UK placeholders for details a seed did not give (Ofcom's 020 7946 0xxx range is reserved for drama).
PLACEHOLDER_ADDRESS = ("1 High Street", "London", "EC1A 1BB")


def create_contract_owner(ctx: Context, name: str) -> ContractOwner:
    """Add a contract owner (Admin API)."""
    owner = ContractOwner(id=ctx.state.next_id("contract_owners"), name=name)
    ctx.state.contract_owners[owner.id] = owner
    return owner


def _owner_id(ctx: Context, contract_owner_id: int | None) -> int | None:
    """The owner a new customer belongs to; None means "the default one, to be created"."""
    if contract_owner_id is None:
        return min(ctx.state.contract_owners, default=None)
    if contract_owner_id not in ctx.state.contract_owners:
        raise InvalidRequest(f"No contract owner with id {contract_owner_id}", CONTRACT_OWNER_NOT_FOUND)
    return contract_owner_id


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "customer"


def _given(value: str | None, default: str) -> str:
    return default if value is None else value


@takes(NewCustomer)
def create_customer(ctx: Context, **fields: Unpack[NewCustomer]) -> Customer:
    """Add a customer; missing personal details are derived from the name and id."""
    owner_id = _owner_id(ctx, fields.get("contract_owner_id"))
    threshold = to_money(fields.get("credit_threshold", ZERO))
    if owner_id is None:
        owner_id = create_contract_owner(ctx, DEFAULT_CONTRACT_OWNER).id
    customer_id = ctx.state.next_id("customers")
    name = fields["name"]
    street, town, code = PLACEHOLDER_ADDRESS
    customer = Customer(
        id=customer_id, contract_owner_id=owner_id, name=name, credit_threshold=threshold,
        account_number=f"ACC{customer_id:06d}", created_at=ctx.clock.now(),
        email=_given(fields.get("email"), f"{_slug(name)}@example.co.uk"),
        first_name=_given(fields.get("first_name"), "Accounts"), last_name=_given(fields.get("last_name"), "Payable"),
        address_line1=_given(fields.get("address_line1"), street), city=_given(fields.get("city"), town),
        postcode=_given(fields.get("postcode"), code),
        telephone=_given(fields.get("telephone"), f"020 7946 {customer_id % 1000:04d}"),
    )
    ctx.state.customers[customer.id] = customer
    return customer


@takes(NewSite)
def create_site(ctx: Context, **fields: Unpack[NewSite]) -> Site:
    """Add a site under a customer; its address defaults to the customer's."""
    customer = customer_ref(ctx, fields["customer_id"])
    start = fields.get("start_date") or ctx.clock.today()
    end_date = fields.get("end_date")
    if end_date is not None and end_date < start:
        raise InvalidRequest(
            f"endDate {end_date} is before startDate {start}", VALIDATION_ERROR,
            [FieldProblem("endDate", "must not be before startDate")],
        )
    site_id = ctx.state.next_id("sites")
    site = Site(
        id=site_id, customer_id=customer.id, name=fields.get("name") or f"{customer.name} site {site_id}",
        reference=fields.get("reference") or f"SITE-{site_id:06d}",
        address_line1=fields.get("address_line1") or customer.address_line1,
        city=fields.get("city") or customer.city, postcode=fields.get("postcode") or customer.postcode,
        start_date=start, end_date=end_date,
    )
    ctx.state.sites[site.id] = site
    ctx.index.sites_by_customer.setdefault(customer.id, []).append(site)
    return site


def bill_run_id(bill_run_type: BillRunType, invoice_date: date) -> int:
    """One bill run per type and invoice month, numbered yyyymm then 0 (normal) or 1 (adhoc): 2026110."""
    return invoice_date.year * 1000 + invoice_date.month * 10 + (bill_run_type is BillRunType.ADHOC)


@takes(NewInvoice)
def create_invoice(ctx: Context, **fields: Unpack[NewInvoice]) -> Invoice:
    """Issue an invoice: it raises the customer's debt by its amount."""
    customer = customer_ref(ctx, fields["customer_id"])
    amount = to_money(fields["amount"])
    issued = fields.get("invoice_date") or ctx.clock.today()
    due = fields.get("due_date") or issued + DEFAULT_PAYMENT_TERMS
    if due < issued:
        raise InvalidRequest(
            f"dueDate {due} is before invoiceDate {issued}", VALIDATION_ERROR,
            [FieldProblem("dueDate", "must not be before invoiceDate")],
        )
    site_id, bill_run_type = fields.get("site_id"), fields["bill_run_type"]
    site = ctx.state.sites.get(site_id) if site_id is not None else None
    if site_id is not None and (site is None or site.customer_id != customer.id):
        raise InvalidRequest(f"Customer {customer.id} has no site with id {site_id}", SITE_NOT_FOUND)
    invoice_id = ctx.state.next_id("invoices")
    invoice = Invoice(
        id=invoice_id, customer_id=customer.id, bill_run_type=bill_run_type,
        bill_run_id=bill_run_id(bill_run_type, issued),
        invoice_number=f"{INVOICE_PREFIXES[bill_run_type]}-{issued.year}-{invoice_id:06d}",
        invoice_date=issued, due_date=due, amount=amount, site_id=site_id,
    )
    ctx.state.invoices[invoice.id] = invoice
    ctx.index.invoices_by_customer.setdefault(customer.id, []).append(invoice)
    customer.balance -= amount
    refresh_invoice(ctx, invoice)
    return invoice


def get_customer(ctx: Context, customer_id: int) -> Customer:
    """The customer, or NotFound."""
    return get_or_404(ctx.state.customers, customer_id, "customer")


def get_site(ctx: Context, site_id: int) -> Site:
    """The site, or NotFound."""
    return get_or_404(ctx.state.sites, site_id, "site")


def get_invoice(ctx: Context, invoice_id: int) -> Invoice:
    """The invoice, or NotFound."""
    return get_or_404(ctx.state.invoices, invoice_id, "invoice")
