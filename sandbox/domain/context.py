"""What every rule needs: the tenant's state, its indexes, the clock, the randomness and the public URL."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from elevate_sandbox.clock import Clock
from elevate_sandbox.domain.models import CustomerPayment, Invoice, InvoicePayment, Refund, Site
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.domain.time.policy import Progression

UPPER_ALNUM = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits


@dataclass(slots=True)
class Index:
    """Lookups derived from the state, so that no rule scans a whole table for one customer or invoice."""

    # Kept in step by the rules that add records; ``build`` derives it again from any state.

    payments_by_invoice: dict[int, list[InvoicePayment]] = field(default_factory=dict)
    invoices_by_customer: dict[int, list[Invoice]] = field(default_factory=dict)
    sites_by_customer: dict[int, list[Site]] = field(default_factory=dict)
    # The customer-scoped lists read these, so that one customer's list never scans every record.
    customer_payments_by_customer: dict[int, list[CustomerPayment]] = field(default_factory=dict)
    refunds_by_customer: dict[int, list[Refund]] = field(default_factory=dict)
    link_ids_by_token: dict[str, int] = field(default_factory=dict)
    site_mandate_ids_by_flow_token: dict[str, int] = field(default_factory=dict)

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
        for customer_payment in state.customer_payments.values():
            index.customer_payments_by_customer.setdefault(customer_payment.customer_id, []).append(customer_payment)
        for refund in state.refunds.values():
            index.refunds_by_customer.setdefault(refund.customer_id, []).append(refund)
        index.link_ids_by_token = {link.token: link.id for link in state.payment_links.values()}
        index.site_mandate_ids_by_flow_token = {m.flow_token: m.id for m in state.site_mandates.values()}
        return index

    def payments_of(self, invoice_id: int) -> list[InvoicePayment]:
        """An invoice's payments, oldest first (normal and adhoc invoices share one id sequence)."""
        return self.payments_by_invoice.get(invoice_id, [])

    def invoices_of(self, customer_id: int) -> list[Invoice]:
        return self.invoices_by_customer.get(customer_id, [])

    def sites_of(self, customer_id: int) -> list[Site]:
        return self.sites_by_customer.get(customer_id, [])

    def customer_payments_of(self, customer_id: int) -> list[CustomerPayment]:
        """A customer's customer payments, in id order."""
        return self.customer_payments_by_customer.get(customer_id, [])

    def refunds_of(self, customer_id: int) -> list[Refund]:
        """A customer's refunds, in id order."""
        return self.refunds_by_customer.get(customer_id, [])


@dataclass(slots=True)
class Context:
    """The backend's working parts, handed to every rule module."""

    state: TenantState
    clock: Clock
    rng: random.Random
    public_base_url: str
    index: Index
    # The tenant this state belongs to, named in the URLs of hosted pages (None: a backend of its own).
    tenant: str | None = None
    # The key of hosted pages' URL keys (domain/hosted.py; None: URLs without keys, for a backend of its own).
    page_secret: bytes | None = None
    # How records move without a client asking: policy per kind, the epoch, magic values (time/advance.py).
    progression: Progression = field(default_factory=Progression)
    # Moved on by every backend call that may change records (revisions.py); caches of renderings compare it.
    revision: int = 0

    def token(self, alphabet: str, length: int) -> str:
        """A random token from the injected generator (never the global one): seeds replay exactly."""
        return "".join(self.rng.choice(alphabet) for _ in range(length))
