"""The sandbox's records: one dataclass per Elevate entity, rendered through its resource table.

Field names are snake_case here; resources.py maps them to the contract's camelCase members, and
``to_api()`` renders them from that table (optional fields with no value are left out, never null).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from elevate_sandbox.domain.enums import (
    BillRunType,
    CustomerPaymentType,
    ForcedOutcome,
    InvoicePaymentStatus,
    MandateStatus,
    PaymentMethod,
    PaymentProviderStatus,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
    ThirdPartyRefundStatus,
)
from elevate_sandbox.domain.money import GBP_CURRENCY_ID, ZERO
from elevate_sandbox.domain.resources import (
    ADHOC_INVOICE_PAYMENT,
    CUSTOMER,
    CUSTOMER_BALANCE_ADJUSTMENT,
    CUSTOMER_PAYMENT,
    INSTANT_BANK_PAYMENT,
    INVOICE,
    INVOICE_PAYMENT,
    OUTBOUND_PAYMENT,
    PAYMENT_LINK,
    PAYMENT_PROVIDER,
    PAYMENT_PROVIDER_MANDATE,
    REFUND,
    SITE,
    SITE_PAYMENT_MANDATE,
)

Api = dict[str, object]


@dataclass(slots=True)
class ContractOwner:
    """An Elevate contract owner (Admin API); customers and providers belong to them."""

    id: int
    name: str


@dataclass(slots=True)
class Customer:
    """A billed customer: the balance is kept as a running total of every event (negative = debt)."""

    id: int
    contract_owner_id: int
    name: str
    email: str
    account_number: str
    first_name: str
    last_name: str
    address_line1: str
    city: str
    postcode: str
    telephone: str
    credit_threshold: Decimal = ZERO
    balance: Decimal = ZERO
    created_at: datetime | None = None

    def to_api(self) -> Api:
        return CUSTOMER.render(self)


@dataclass(slots=True)
class Site:
    """A physical location under a customer; it may hold a direct-debit mandate."""

    id: int
    customer_id: int
    name: str
    reference: str
    address_line1: str
    city: str
    postcode: str
    start_date: date
    end_date: date | None = None
    payment_method: PaymentMethod | None = None
    mandate_reference: str | None = None
    mandate_status: MandateStatus | None = None

    def is_live(self, today: date) -> bool:
        """Rule 4: a live site has no end date, or one in the future."""
        return self.end_date is None or self.end_date > today

    def to_api(self) -> Api:
        return SITE.render(self)


@dataclass(slots=True)
class Invoice:
    """A normal or adhoc invoice; normal and adhoc invoices share one id sequence."""

    id: int
    customer_id: int
    bill_run_type: BillRunType
    bill_run_id: int
    invoice_number: str
    invoice_date: date
    due_date: date
    amount: Decimal
    site_id: int | None = None
    currency_id: int = GBP_CURRENCY_ID
    payment_status: InvoicePaymentStatus = InvoicePaymentStatus.UNPAID
    collected: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        """What is still owed on the invoice: its amount less what was collected, never negative."""
        return max(self.amount - self.collected, ZERO)

    def to_api(self) -> Api:
        return INVOICE.render(self)


@dataclass(slots=True)
class PaymentProvider:
    """An external system that collects payments (GoCardless, Stripe, Finastra, ...)."""

    id: int
    type: PaymentMethod
    name: str
    status: PaymentProviderStatus
    contract_owner_ids: list[int]
    direct_debit_with_name: str | None = None
    creditor_identifier: str | None = None
    instant_bank_payments: bool = False
    retry_if_possible: bool = False
    accept_external_payments: bool = False
    sync_instant_bank_payments_with_mandate_creation: bool = False

    def to_api(self) -> Api:
        return PAYMENT_PROVIDER.render(self)


@dataclass(slots=True)
class InvoicePayment:
    """A payment event on a normal invoice (invoice-payments) or an adhoc one (adhoc-invoice-payments)."""

    id: int
    bill_run_type: BillRunType
    invoice_id: int
    customer_id: int
    amount: Decimal
    payment_method: PaymentMethod
    payment_date: date
    description: str
    third_party_payment_status: ThirdPartyPaymentStatus | None = None
    # CUSTOMER for a share of a customer payment; a direct payment has none (only CUSTOMER is documented).
    customer_payment_type: CustomerPaymentType | None = None
    customer_payment_id: int | None = None
    meta_data: str | None = None
    error_info: str | None = None
    currency_id: int = GBP_CURRENCY_ID
    # When the payment entered its third-party status (the clock's timetable counts from it; not rendered).
    status_since: datetime | None = None
    # What a magic value decided at creation (sandbox only; not rendered).
    forced_outcome: ForcedOutcome | None = None

    def to_api(self) -> Api:
        table = INVOICE_PAYMENT if self.bill_run_type is BillRunType.NORMAL else ADHOC_INVOICE_PAYMENT
        return table.render(self)


@dataclass(slots=True)
class Refund:
    """Money given back to the customer against an invoice's collected payments."""

    id: int
    invoice_id: int
    bill_run_type: BillRunType
    customer_id: int
    amount: Decimal
    payment_method: PaymentMethod
    third_party_refund_status: ThirdPartyRefundStatus
    created_at: datetime
    description: str | None = None
    error_info: str | None = None
    status_since: datetime | None = None
    forced_outcome: ForcedOutcome | None = None

    def to_api(self) -> Api:
        return REFUND.render(self)


# The only txnType any doc version shows (every customer payment response sample has it); its other
# values and meaning are not published, so every customer payment carries it (inferred).
TXN_TYPE = "INVOICE_CREATED"


@dataclass(slots=True)
class CustomerPayment:
    """A payment against a customer, spread over unpaid invoices oldest first (rule 2)."""

    id: int
    customer_id: int
    amount: Decimal
    resulting_customer_balance: Decimal
    type: PaymentMethod
    payment_date: date
    customer_payment_type: CustomerPaymentType = CustomerPaymentType.CUSTOMER
    description: str | None = None
    reference: str | None = None
    # The invoice named on create, else the first the payment settled (every doc sample shows one).
    invoice_id: int | None = None
    invoice_number: str | None = None
    bill_run_type: BillRunType | None = None
    currency_id: int = GBP_CURRENCY_ID

    @property
    def txn_type(self) -> str:
        return TXN_TYPE

    def to_api(self) -> Api:
        return CUSTOMER_PAYMENT.render(self)


@dataclass(slots=True)
class BalanceAdjustment:
    """A manual adjustment of a customer's outstanding balance."""

    id: int
    customer_id: int
    amount: Decimal
    created_at: datetime
    description: str | None = None
    currency_id: int = GBP_CURRENCY_ID

    def to_api(self) -> Api:
        return CUSTOMER_BALANCE_ADJUSTMENT.render(self)


@dataclass(slots=True)
class ProviderMandate:
    """A mandate held by a payment provider, looked up by payment method and reference."""

    payment_method: PaymentMethod
    mandate_reference: str
    customer_id: int
    site_id: int
    contract_owner_id: int
    status: MandateStatus
    created_at: datetime
    third_party_customer_reference: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country_code: str = "GB"
    telephone: str | None = None
    status_since: datetime | None = None

    def to_api(self) -> Api:
        return PAYMENT_PROVIDER_MANDATE.render(self)


@dataclass(slots=True)
class SitePaymentMandate:
    """A mandate-capture flow started for a site; it creates the provider mandate it refers to."""

    id: int
    site_id: int
    return_url: str
    payment_method: PaymentMethod
    flow_token: str
    mandate_reference: str
    redirect_url: str | None = None
    exit_url: str | None = None
    third_party_customer_reference: str | None = None

    def to_api(self) -> Api:
        return SITE_PAYMENT_MANDATE.render(self)


@dataclass(slots=True)
class InstantBankPayment:
    """An instant bank payment collected alongside a mandate."""

    id: int
    mandate_reference: str
    payment_method: PaymentMethod
    amount: Decimal
    description: str
    reference: str
    creation_date: datetime
    # Rule 7: whether the amount was also booked as upfront credit on the customer (not rendered).
    upfront_credit: bool = False

    def to_api(self) -> Api:
        return INSTANT_BANK_PAYMENT.render(self)


@dataclass(slots=True)
class PaymentLink:
    """A hosted instant-payment link for an invoice, an adhoc invoice or a customer balance."""

    id: int
    payment_provider_id: int
    amount: Decimal
    description: str
    token: str
    payment_link: str
    email: str | None = None
    invoice_id: int | None = None
    adhoc_invoice_id: int | None = None
    customer_id: int | None = None
    paid: bool = False
    currency_id: int = GBP_CURRENCY_ID

    def to_api(self) -> Api:
        return PAYMENT_LINK.render(self)


@dataclass(slots=True)
class OutboundPayment:
    """A GoCardless payout to a customer's bank account (1.39)."""

    id: int
    customer_id: int
    amount: Decimal
    reference: str
    status: ThirdPartyOutboundPaymentStatus
    created_at: datetime
    description: str | None = None
    execution_date: date | None = None
    use_customer_credit_balance: bool = False
    credit_applied: bool = field(default=False)
    status_since: datetime | None = None
    forced_outcome: ForcedOutcome | None = None

    def to_api(self) -> Api:
        return OUTBOUND_PAYMENT.render(self)
