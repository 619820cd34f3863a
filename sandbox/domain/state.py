"""One tenant's whole state: typed tables keyed by id, plus the id sequences that feed them."""

from __future__ import annotations

from dataclasses import dataclass, field

from elevate_sandbox.domain.enums import PaymentMethod
from elevate_sandbox.domain.models import (
    BalanceAdjustment,
    ContractOwner,
    Customer,
    CustomerPayment,
    InstantBankPayment,
    Invoice,
    InvoicePayment,
    OutboundPayment,
    PaymentLink,
    PaymentProvider,
    ProviderMandate,
    Refund,
    Site,
    SitePaymentMandate,
)


@dataclass
class TenantState:
    """Everything one tenant can see. Tables are dicts in insertion (= id) order."""

    contract_owners: dict[int, ContractOwner] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    sites: dict[int, Site] = field(default_factory=dict)
    invoices: dict[int, Invoice] = field(default_factory=dict)
    payment_providers: dict[int, PaymentProvider] = field(default_factory=dict)
    invoice_payments: dict[int, InvoicePayment] = field(default_factory=dict)
    adhoc_invoice_payments: dict[int, InvoicePayment] = field(default_factory=dict)
    refunds: dict[int, Refund] = field(default_factory=dict)
    customer_payments: dict[int, CustomerPayment] = field(default_factory=dict)
    balance_adjustments: dict[int, BalanceAdjustment] = field(default_factory=dict)
    site_mandates: dict[int, SitePaymentMandate] = field(default_factory=dict)
    provider_mandates: dict[tuple[PaymentMethod, str], ProviderMandate] = field(default_factory=dict)
    instant_bank_payments: dict[int, InstantBankPayment] = field(default_factory=dict)
    payment_links: dict[int, PaymentLink] = field(default_factory=dict)
    outbound_payments: dict[int, OutboundPayment] = field(default_factory=dict)
    # Last id issued per sequence; normal and adhoc invoices share the "invoices" sequence.
    sequences: dict[str, int] = field(default_factory=dict)

    def next_id(self, sequence: str) -> int:
        """Issue the next id of a sequence.

        Call it only once every check has passed, so that a rejected request leaves the sequences as
        they were (a rejected request changes nothing).
        """
        value = self.sequences.get(sequence, 0) + 1
        self.sequences[sequence] = value
        return value
