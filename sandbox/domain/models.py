"""The sandbox's records: one dataclass per Elevate entity, with its API rendering.

Field names are snake_case here and camelCase in ``to_api()``, letter for letter as in the contract.
Optional fields with no value are left out of the rendering rather than sent as null.
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

Api = dict[str, object]


def _iso_datetime(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def compact(values: Api) -> Api:
    """Drop the keys whose value is None: absent optional fields are omitted, never null."""
    return {key: value for key, value in values.items() if value is not None}


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
        return compact(
            {
                "id": self.id, "contractOwnerId": self.contract_owner_id, "name": self.name,
                "emailAddress": self.email, "accountNumber": self.account_number,
                "creditThreshold": self.credit_threshold, "balance": self.balance,
            }
        )


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
        return compact(
            {
                "id": self.id, "customerId": self.customer_id, "siteName": self.name,
                "siteReference": self.reference, "addressLine1": self.address_line1, "city": self.city,
                "postcode": self.postcode, "startDate": self.start_date.isoformat(),
                "endDate": self.end_date.isoformat() if self.end_date else None,
                "paymentMethod": self.payment_method, "mandateReference": self.mandate_reference,
                "mandateStatus": self.mandate_status,
            }
        )


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
        return compact(
            {
                "id": self.id, "customerId": self.customer_id, "siteId": self.site_id,
                "billRunType": self.bill_run_type, "billRunId": self.bill_run_id,
                "invoiceNumber": self.invoice_number, "invoiceDate": self.invoice_date.isoformat(),
                "dueDate": self.due_date.isoformat(), "amountInMajorCurrency": self.amount,
                "currencyId": self.currency_id, "paymentStatus": self.payment_status,
                "collectedAmountInMajorCurrency": self.collected,
                "refundedAmountInMajorCurrency": self.refunded,
                "outstandingAmountInMajorCurrency": self.outstanding,
            }
        )


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
        return compact(
            {
                "id": self.id, "type": self.type, "name": self.name,
                "directDebitWithName": self.direct_debit_with_name, "status": self.status,
                "creditorIdentifier": self.creditor_identifier,
                "instantBankPayments": self.instant_bank_payments, "retryIfPossible": self.retry_if_possible,
                "acceptExternalPayments": self.accept_external_payments,
                "contractOwnerIds": list(self.contract_owner_ids),
                "syncInstantBankPaymentsWithMandateCreation": self.sync_instant_bank_payments_with_mandate_creation,
            }
        )


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
        invoice_key = "generatedInvoiceId" if self.bill_run_type is BillRunType.NORMAL else "generatedAdhocInvoiceId"
        return compact(
            {
                "id": self.id, invoice_key: self.invoice_id,
                "thirdPartyPaymentStatus": self.third_party_payment_status,
                "amountInMajorCurrency": self.amount, "currencyId": self.currency_id,
                "description": self.description, "metaData": self.meta_data, "errorInfo": self.error_info,
                "paymentMethod": self.payment_method, "paymentDate": self.payment_date.isoformat(),
                "customerPaymentType": self.customer_payment_type,
                "customerPaymentId": self.customer_payment_id,
            }
        )


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
        return compact(
            {
                "id": self.id, "invoiceId": self.invoice_id, "customerId": self.customer_id,
                "billRunType": self.bill_run_type, "thirdPartyRefundStatus": self.third_party_refund_status,
                "description": self.description, "errorInfo": self.error_info,
                "paymentMethod": self.payment_method, "amountInMajorCurrency": self.amount,
            }
        )


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

    def to_api(self) -> Api:
        return compact(
            {
                "id": self.id, "customerId": self.customer_id, "amountInMajorCurrency": self.amount,
                "resultingCustomerBalance": self.resulting_customer_balance, "currencyId": self.currency_id,
                "description": self.description, "reference": self.reference, "type": self.type,
                "paymentDate": self.payment_date.isoformat(), "customerPaymentType": self.customer_payment_type,
                "txnType": TXN_TYPE, "invoiceNumber": self.invoice_number, "invoiceId": self.invoice_id,
                "billRunType": self.bill_run_type,
            }
        )


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
        return compact(
            {
                "id": self.id, "customerId": self.customer_id, "amountInMajorCurrency": self.amount,
                "currencyId": self.currency_id, "description": self.description,
            }
        )


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
        return compact(
            {
                "mandateReference": self.mandate_reference,
                "thirdPartyCustomerReference": self.third_party_customer_reference,
                "createdAt": _iso_datetime(self.created_at), "emailAddress": self.email,
                "firstName": self.first_name, "lastName": self.last_name, "companyName": self.company_name,
                "addressLine1": self.address_line1, "addressLine2": self.address_line2,
                "addressLine3": self.address_line3, "city": self.city, "region": self.region,
                "postcode": self.postcode, "countryCode": self.country_code,
                "telephoneNumber": self.telephone, "status": self.status,
            }
        )


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
        return compact(
            {
                "id": self.id, "redirectURL": self.redirect_url, "flowToken": self.flow_token,
                "siteId": self.site_id, "returnURL": self.return_url,
                "mandateReference": self.mandate_reference,
                "thirdPartyCustomerReference": self.third_party_customer_reference,
                "exitURL": self.exit_url,
            }
        )


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
        return {
            "mandateReference": self.mandate_reference, "amountInMajorCurrency": self.amount,
            "description": self.description, "paymentMethod": self.payment_method,
            "reference": self.reference, "creationDate": _iso_datetime(self.creation_date),
        }


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
        return compact(
            {
                "id": self.id, "paymentProviderId": self.payment_provider_id,
                "amountInMajorCurrency": self.amount, "currencyId": self.currency_id,
                "description": self.description, "emailAddress": self.email, "invoiceId": self.invoice_id,
                "adhocInvoiceId": self.adhoc_invoice_id, "customerId": self.customer_id,
                "paymentLink": self.payment_link,
            }
        )


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
        return compact(
            {
                "id": self.id, "customerId": self.customer_id, "amountInMajorCurrency": self.amount,
                "reference": self.reference, "description": self.description,
                "executionDate": self.execution_date.isoformat() if self.execution_date else None,
                "useCustomerCreditBalance": self.use_customer_credit_balance,
                "thirdPartyOutboundPaymentStatus": self.status,
            }
        )
