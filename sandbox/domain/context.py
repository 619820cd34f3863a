"""What every rule needs: the tenant's state, its indexes, the clock, the randomness and the public URL."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from sandbox.clock import Clock
from sandbox.domain.models import Invoice, InvoicePayment, Site
from sandbox.domain.state import TenantState

UPPER_ALNUM = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits


@dataclass(slots=True)
class Index:
    """Lookups derived from the state, so that no rule scans a whole table for one customer or invoice."""

    # Kept in step by the rules that add records; ``build`` derives it again from any state.

    payments_by_invoice: dict[int, list[InvoicePayment]] = field(default_factory=dict)
    invoices_by_customer: dict[int, list[Invoice]] = field(default_factory=dict)
    sites_by_customer: dict[int, list[Site]] = field(default_factory=dict)
    link_ids_by_token: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, state: TenantState) -> Index:
        """Derive every lookup from the records of ``state``."""
        index = cls()
        for invoice in state.invoices.values():
            index.invoices_by_customer.setdefault(invoice.customer_id, []).append(invoice)
        for payment in (*state.invoice_payments.values(), *state.adhoc_invoice_payments.values()):
            index.payments_by_invoice.setdefault(payment.invoice_id, []).append(payment)
        for payments in index.payments_by_invoice.values():
            payments.sort(key=lambda p: p.id)
        for site in state.sites.values():
            index.sites_by_customer.setdefault(site.customer_id, []).append(site)
        index.link_ids_by_token = {link.token: link.id for link in state.payment_links.values()}
        return index

    def payments_of(self, invoice_id: int) -> list[InvoicePayment]:
        """An invoice's payments, oldest first (normal and adhoc invoices share one id sequence)."""
        return self.payments_by_invoice.get(invoice_id, [])

    def invoices_of(self, customer_id: int) -> list[Invoice]:
        return self.invoices_by_customer.get(customer_id, [])

    def sites_of(self, customer_id: int) -> list[Site]:
        return self.sites_by_customer.get(customer_id, [])


@dataclass(slots=True)
class Context:
    """The backend's working parts, handed to every rule module."""

    state: TenantState
    clock: Clock
    rng: random.Random
    public_base_url: str
    index: Index

    def token(self, alphabet: str, length: int) -> str:
        """A random token from the injected generator (never the global one): seeds replay exactly."""
        return "".join(self.rng.choice(alphabet) for _ in range(length))
