"""One declaration per resource: the table every use of a resource's API fields is derived from.

Each row names an API member, the model attribute it renders, its type, whether a JSON Patch may
write it, whether a list may sort on it, and which filter syntax (reference 3.2-3.3) a list accepts
for it. Rendering (``to_api``), the PATCH allow-list and read-only members, ``fields=``, sort keys
and list filters are all read from here, so adding a field to a resource is one row.
tests/domain/test_resources.py checks every table against the contract's schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from operator import attrgetter
from typing import Any

from elevate_sandbox.domain import enums
from elevate_sandbox.listing import FilterKind, FilterSpec


class ValueType(StrEnum):
    """How a member's value is rendered and read back, and what the contract types it as.

    A member holding one of the contract's enums has that StrEnum as its type instead.
    """

    INTEGER = "integer"
    DECIMAL = "decimal"  # money and percentages: Decimal in the model, a JSON number out
    TEXT = "text"
    BOOLEAN = "boolean"
    DATE = "date"  # yyyy-MM-dd
    DATETIME = "datetime"  # yyyy-MM-ddTHH:mm:ssZ
    INTEGERS = "integers"  # a list of integers, rendered as a copy


def _iso_datetime(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_date(value: date) -> str:
    return value.isoformat()


# Types whose model value is not what the API shows; the others are rendered as they are.
_FORMATS: dict[ValueType, Callable[[Any], Any]] = {
    ValueType.DATE: _iso_date,
    ValueType.DATETIME: _iso_datetime,
    ValueType.INTEGERS: list,
}


@dataclass(frozen=True, slots=True)
class Field:
    """One API member of a resource.

    ``attr`` is the model attribute (or property) it renders; ``read_only`` members cannot be written
    by JSON Patch; ``filter`` is the syntax of the list filter of the same name, None for no filter.
    """

    api: str
    attr: str
    type: ValueType | type[StrEnum]
    read_only: bool = False
    sortable: bool = True
    filter: FilterKind | None = None


def _format_of(member: Field) -> Callable[[Any], Any] | None:
    """How a member's model value becomes its API value; None when it is rendered as it is (enums too)."""
    return _FORMATS.get(member.type) if isinstance(member.type, ValueType) else None


@dataclass(frozen=True)
class Resource:
    """A resource's table, and everything derived from it.

    ``schema`` names the component schema of one item in ``contract`` ("elevate" for
    openapi/elevate-payments.yaml, "control" for openapi/sandbox-control.yaml); ``absent`` names its
    properties the sandbox deliberately does not render, each with the reason.
    """

    schema: str
    fields: tuple[Field, ...]
    contract: str = "elevate"
    absent: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def members(self) -> frozenset[str]:
        """Every API member (absent optional ones included): what a patched document may hold."""
        return frozenset(f.api for f in self.fields)

    @cached_property
    def read_only(self) -> frozenset[str]:
        """The members a JSON Patch may not write."""
        return frozenset(f.api for f in self.fields if f.read_only)

    @cached_property
    def sortable(self) -> frozenset[str]:
        """The members a list of this resource may be sorted by."""
        return frozenset(f.api for f in self.fields if f.sortable)

    @property
    def projectable(self) -> frozenset[str]:
        """The members ``fields=`` may ask for: all of them."""
        return self.members

    @cached_property
    def filters(self) -> tuple[FilterSpec, ...]:
        """The list filters: one query parameter per filterable member, named as the member."""
        return tuple(FilterSpec(f.api, f.api, f.filter) for f in self.fields if f.filter is not None)

    @cached_property
    def _members_by_attribute(self) -> dict[str, str]:
        return {f.attr: f.api for f in self.fields}

    def member(self, attr: str) -> str:
        """The API member that renders a model attribute."""
        return self._members_by_attribute[attr]

    @cached_property
    def _plan(self) -> tuple[tuple[str, Callable[[Any], Any], Callable[[Any], Any] | None], ...]:
        return tuple((f.api, attrgetter(f.attr), _format_of(f)) for f in self.fields)

    def render(self, record: Any) -> dict[str, object]:
        """The record's API object, members in table order; a member with no value is left out, never null."""
        out: dict[str, object] = {}
        for api, get, format_value in self._plan:
            value = get(record)
            if value is not None:
                out[api] = value if format_value is None else format_value(value)
        return out


INTEGER, DECIMAL, TEXT = ValueType.INTEGER, ValueType.DECIMAL, ValueType.TEXT
BOOLEAN, DATE, DATETIME, INTEGERS = ValueType.BOOLEAN, ValueType.DATE, ValueType.DATETIME, ValueType.INTEGERS
STRING_FILTER, ID_FILTER, INTEGER_FILTER = FilterKind.STRING, FilterKind.ID, FilterKind.INTEGER
BOOLEAN_FILTER = FilterKind.BOOLEAN

# The control API's records (openapi/sandbox-control.yaml).
CUSTOMER = Resource(
    "Customer",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("contractOwnerId", "contract_owner_id", INTEGER),
        Field("name", "name", TEXT),
        Field("emailAddress", "email", TEXT),
        Field("accountNumber", "account_number", TEXT),
        Field("creditThreshold", "credit_threshold", DECIMAL),
        Field("balance", "balance", DECIMAL),
    ),
    contract="control",
)

SITE = Resource(
    "Site",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("customerId", "customer_id", INTEGER),
        Field("siteName", "name", TEXT),
        Field("siteReference", "reference", TEXT),
        Field("addressLine1", "address_line1", TEXT),
        Field("city", "city", TEXT),
        Field("postcode", "postcode", TEXT),
        Field("startDate", "start_date", DATE),
        Field("endDate", "end_date", DATE),
        Field("paymentMethod", "payment_method", enums.PaymentMethod),
        Field("mandateReference", "mandate_reference", TEXT),
        Field("mandateStatus", "mandate_status", enums.MandateStatus),
    ),
    contract="control",
)

INVOICE = Resource(
    "Invoice",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("customerId", "customer_id", INTEGER),
        Field("siteId", "site_id", INTEGER),
        Field("billRunType", "bill_run_type", enums.BillRunType),
        Field("billRunId", "bill_run_id", INTEGER),
        Field("invoiceNumber", "invoice_number", TEXT),
        Field("invoiceDate", "invoice_date", DATE),
        Field("dueDate", "due_date", DATE),
        Field("amountInMajorCurrency", "amount", DECIMAL),
        Field("currencyId", "currency_id", INTEGER),
        Field("paymentStatus", "payment_status", enums.InvoicePaymentStatus),
        Field("collectedAmountInMajorCurrency", "collected", DECIMAL),
        Field("refundedAmountInMajorCurrency", "refunded", DECIMAL),
        Field("outstandingAmountInMajorCurrency", "outstanding", DECIMAL),
    ),
    contract="control",
)

# The Elevate API's resources (openapi/elevate-payments.yaml).
PAYMENT_PROVIDER = Resource(
    "PaymentProviderFields",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("type", "type", enums.PaymentMethod, filter=STRING_FILTER),
        Field("name", "name", TEXT),
        Field("directDebitWithName", "direct_debit_with_name", TEXT),
        Field("status", "status", enums.PaymentProviderStatus),
        Field("creditorIdentifier", "creditor_identifier", TEXT),
        Field("instantBankPayments", "instant_bank_payments", BOOLEAN, filter=BOOLEAN_FILTER),
        Field("retryIfPossible", "retry_if_possible", BOOLEAN, filter=BOOLEAN_FILTER),
        Field("acceptExternalPayments", "accept_external_payments", BOOLEAN),
        Field("contractOwnerIds", "contract_owner_ids", INTEGERS),
        Field(
            "syncInstantBankPaymentsWithMandateCreation", "sync_instant_bank_payments_with_mandate_creation", BOOLEAN
        ),
    ),
)


def _invoice_payment(schema: str, invoice_member: str) -> Resource:
    """Payments on normal and adhoc invoices: one model, two schemas that differ in the invoice's id."""
    return Resource(
        schema,
        (
            Field("id", "id", INTEGER, read_only=True),
            Field(invoice_member, "invoice_id", INTEGER, filter=ID_FILTER),
            Field("thirdPartyPaymentStatus", "third_party_payment_status", enums.ThirdPartyPaymentStatus),
            Field("amountInMajorCurrency", "amount", DECIMAL),
            Field("currencyId", "currency_id", INTEGER, read_only=True),
            Field("description", "description", TEXT),
            Field("metaData", "meta_data", TEXT, read_only=True),
            Field("errorInfo", "error_info", TEXT, read_only=True),
            Field("paymentMethod", "payment_method", enums.PaymentMethod),
            Field("paymentDate", "payment_date", DATE, read_only=True),
            Field(
                "customerPaymentType", "customer_payment_type", enums.CustomerPaymentType,
                read_only=True, filter=STRING_FILTER,
            ),
            Field("customerPaymentId", "customer_payment_id", INTEGER, read_only=True, filter=ID_FILTER),
        ),
    )


INVOICE_PAYMENT = _invoice_payment("InvoicePaymentFields", "generatedInvoiceId")
ADHOC_INVOICE_PAYMENT = _invoice_payment("AdhocInvoicePaymentFields", "generatedAdhocInvoiceId")

REFUND = Resource(
    "RefundFields",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("invoiceId", "invoice_id", INTEGER, filter=INTEGER_FILTER),
        Field("customerId", "customer_id", INTEGER, read_only=True, filter=INTEGER_FILTER),
        Field("billRunType", "bill_run_type", enums.BillRunType, filter=STRING_FILTER),
        Field("thirdPartyRefundStatus", "third_party_refund_status", enums.ThirdPartyRefundStatus, read_only=True),
        Field("description", "description", TEXT),
        Field("errorInfo", "error_info", TEXT, read_only=True),
        Field("paymentMethod", "payment_method", enums.PaymentMethod),
        Field("amountInMajorCurrency", "amount", DECIMAL),
    ),
)

CUSTOMER_PAYMENT = Resource(
    "CustomerPaymentFields",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("customerId", "customer_id", INTEGER),
        Field("amountInMajorCurrency", "amount", DECIMAL),
        Field("resultingCustomerBalance", "resulting_customer_balance", DECIMAL, read_only=True),
        Field("currencyId", "currency_id", INTEGER, read_only=True),
        Field("description", "description", TEXT),
        Field("reference", "reference", TEXT),
        Field("type", "type", enums.PaymentMethod),
        Field("paymentDate", "payment_date", DATE, read_only=True),
        Field(
            "customerPaymentType", "customer_payment_type", enums.CustomerPaymentType,
            read_only=True, filter=STRING_FILTER,
        ),
        Field("txnType", "txn_type", TEXT, read_only=True),
        Field("invoiceNumber", "invoice_number", TEXT, read_only=True),
        Field("invoiceId", "invoice_id", INTEGER),
        Field("billRunType", "bill_run_type", enums.BillRunType),
    ),
)

CUSTOMER_BALANCE_ADJUSTMENT = Resource(
    "CustomerBalanceAdjustmentFields",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("customerId", "customer_id", INTEGER),
        Field("amountInMajorCurrency", "amount", DECIMAL),
        Field("currencyId", "currency_id", INTEGER, read_only=True),
        Field("description", "description", TEXT),
    ),
)

# Computed by the domain (accounts.credit_status) from a customer and its invoices, as a mapping with
# these members: the table names them for sort, fields and filters; ``attr`` is the mapping's key.
CUSTOMER_CREDIT_STATUS = Resource(
    "CustomerCreditStatusFields",
    (
        Field("customerId", "customerId", INTEGER, filter=ID_FILTER),
        Field("creditThreshold", "creditThreshold", DECIMAL),
        Field("billAmount", "billAmount", DECIMAL),
        Field("valueDifference", "valueDifference", DECIMAL),
        Field("percentageDifference", "percentageDifference", DECIMAL, filter=STRING_FILTER),
        Field("openBillRunValue", "openBillRunValue", DECIMAL),
    ),
)

PAYMENT_PROVIDER_MANDATE = Resource(
    "PaymentProviderMandate",
    (
        Field("mandateReference", "mandate_reference", TEXT),
        Field("thirdPartyCustomerReference", "third_party_customer_reference", TEXT),
        Field("createdAt", "created_at", DATETIME),
        Field("emailAddress", "email", TEXT),
        Field("firstName", "first_name", TEXT),
        Field("lastName", "last_name", TEXT),
        Field("companyName", "company_name", TEXT),
        Field("addressLine1", "address_line1", TEXT),
        Field("addressLine2", "address_line2", TEXT),
        Field("addressLine3", "address_line3", TEXT),
        Field("city", "city", TEXT),
        Field("region", "region", TEXT),
        Field("postcode", "postcode", TEXT),
        Field("countryCode", "country_code", TEXT),
        Field("telephoneNumber", "telephone", TEXT),
        Field("status", "status", enums.MandateStatus),
    ),
)

SITE_PAYMENT_MANDATE = Resource(
    "SitePaymentMandateFields",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("redirectURL", "redirect_url", TEXT),
        Field("flowToken", "flow_token", TEXT, read_only=True),
        Field("siteId", "site_id", INTEGER, filter=INTEGER_FILTER),
        Field("returnURL", "return_url", TEXT),
        Field("mandateReference", "mandate_reference", TEXT, read_only=True),
        Field("thirdPartyCustomerReference", "third_party_customer_reference", TEXT, read_only=True),
        Field("exitURL", "exit_url", TEXT),
    ),
)

INSTANT_BANK_PAYMENT = Resource(
    "InstantBankPayment",
    (
        Field("mandateReference", "mandate_reference", TEXT),
        Field("amountInMajorCurrency", "amount", DECIMAL),
        Field("description", "description", TEXT),
        Field("paymentMethod", "payment_method", enums.PaymentMethod),
        Field("reference", "reference", TEXT),
        Field("creationDate", "creation_date", DATETIME),
    ),
)

PAYMENT_LINK = Resource(
    "PaymentProviderPaymentLinkFields",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("paymentProviderId", "payment_provider_id", INTEGER),
        Field("amountInMajorCurrency", "amount", DECIMAL),
        Field("currencyId", "currency_id", INTEGER, read_only=True),
        Field("description", "description", TEXT),
        Field("emailAddress", "email", TEXT),
        Field("invoiceId", "invoice_id", INTEGER),
        Field("adhocInvoiceId", "adhoc_invoice_id", INTEGER),
        Field("customerId", "customer_id", INTEGER),
        Field("paymentLink", "payment_link", TEXT, read_only=True),
    ),
)

# customerId is the payout's customer: the sandbox does not move a payout to another customer.
OUTBOUND_PAYMENT = Resource(
    "OutboundPaymentFields",
    (
        Field("id", "id", INTEGER, read_only=True),
        Field("customerId", "customer_id", INTEGER, read_only=True),
        Field("amountInMajorCurrency", "amount", DECIMAL),
        Field("reference", "reference", TEXT),
        Field("description", "description", TEXT),
        Field("executionDate", "execution_date", DATE),
        Field("useCustomerCreditBalance", "use_customer_credit_balance", BOOLEAN),
        Field("thirdPartyOutboundPaymentStatus", "status", enums.ThirdPartyOutboundPaymentStatus),
    ),
)

RESOURCES: tuple[Resource, ...] = (
    CUSTOMER, SITE, INVOICE, PAYMENT_PROVIDER, INVOICE_PAYMENT, ADHOC_INVOICE_PAYMENT, REFUND, CUSTOMER_PAYMENT,
    CUSTOMER_BALANCE_ADJUSTMENT, CUSTOMER_CREDIT_STATUS, PAYMENT_PROVIDER_MANDATE, SITE_PAYMENT_MANDATE,
    INSTANT_BANK_PAYMENT, PAYMENT_LINK, OUTBOUND_PAYMENT,
)
