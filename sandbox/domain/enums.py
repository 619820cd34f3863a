"""Elevate's enums, letter for letter (reference section 4), and how the sandbox classifies them."""

from __future__ import annotations

from enum import StrEnum


class PaymentMethod(StrEnum):
    """The 17 payment methods of Elevate 1.37/1.39 (reference 4.1)."""

    CHEQUE = "CHEQUE"
    DIRECT_DEBIT = "DIRECT_DEBIT"
    CANCELLED_DD = "CANCELLED_DD"
    CANCELLED_CARD = "CANCELLED_CARD"
    CREDIT_CARD = "CREDIT_CARD"
    PAYPAL = "PAYPAL"
    BACS = "BACS"
    POST_OFFICE_PAYMENT_CARD = "POST_OFFICE_PAYMENT_CARD"
    EZYPAY = "EZYPAY"
    GO_CARDLESS = "GO_CARDLESS"
    GC_INSTANT_BANK_PAYMENTS = "GC_INSTANT_BANK_PAYMENTS"
    STRIPE = "STRIPE"
    STRIPE_CARD = "STRIPE_CARD"
    STRIPE_DD = "STRIPE_DD"
    FINASTRA = "FINASTRA"
    FAST_PAY = "FAST_PAY"
    OTHER = "OTHER"


# Inferred: methods collected through an integrated third party carry a third-party status; every
# other method is a manual payment, for which thirdPartyPaymentStatus "is not applicable" (rule 9).
PROVIDER_METHODS = frozenset(
    {
        PaymentMethod.GO_CARDLESS, PaymentMethod.GC_INSTANT_BANK_PAYMENTS, PaymentMethod.STRIPE,
        PaymentMethod.STRIPE_CARD, PaymentMethod.STRIPE_DD, PaymentMethod.FINASTRA, PaymentMethod.EZYPAY,
    }
)
# Methods that hold a direct-debit mandate (rule 5: mandate references for integrated types).
MANDATE_METHODS = (PaymentMethod.GO_CARDLESS, PaymentMethod.STRIPE_DD, PaymentMethod.STRIPE, PaymentMethod.FINASTRA)
STRIPE_METHODS = frozenset({PaymentMethod.STRIPE, PaymentMethod.STRIPE_CARD, PaymentMethod.STRIPE_DD})


class PaymentProviderStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class BillRunType(StrEnum):
    NORMAL = "NORMAL"
    ADHOC = "ADHOC"


class SummaryType(StrEnum):
    NONE = "NONE"
    SINGLE = "SINGLE"
    MULTIPLE = "MULTIPLE"


class CustomerPaymentType(StrEnum):
    """Only CUSTOMER is documented (a payment allocated from a customer payment); nothing else is sent."""

    CUSTOMER = "CUSTOMER"


class ThirdPartyPaymentStatus(StrEnum):
    """The 27 third-party payment statuses (reference 4.3)."""

    NEW = "NEW"
    CREATED = "CREATED"
    PENDING_CUSTOMER_APPROVAL = "PENDING_CUSTOMER_APPROVAL"
    PENDING_SUBMISSION = "PENDING_SUBMISSION"
    SUBMITTED = "SUBMITTED"
    CONFIRMED = "CONFIRMED"
    PAID_OUT = "PAID_OUT"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    FAILED_RETRYING = "FAILED_RETRYING"
    CHARGED_BACK = "CHARGED_BACK"
    CUSTOMER_APPROVAL_GRANTED = "CUSTOMER_APPROVAL_GRANTED"
    CUSTOMER_APPROVAL_DENIED = "CUSTOMER_APPROVAL_DENIED"
    CHARGEBACK_CANCELLED = "CHARGEBACK_CANCELLED"
    LATE_FAILURE_SETTLED = "LATE_FAILURE_SETTLED"
    CHARGEBACK_SETTLED = "CHARGEBACK_SETTLED"
    SURCHARGE_FEE_DEBITED = "SURCHARGE_FEE_DEBITED"
    RESUBMISSION_REQUESTED = "RESUBMISSION_REQUESTED"
    UNSUPPORTED_PAYMENT_TYPE = "UNSUPPORTED_PAYMENT_TYPE"
    UNAUTHORISED_PAYMENT_TYPE = "UNAUTHORISED_PAYMENT_TYPE"
    CUSTOMER_APPROVAL_MISSING = "CUSTOMER_APPROVAL_MISSING"
    SURCHARGE_FEE_CREDITED = "SURCHARGE_FEE_CREDITED"
    MANUALLY_PAID = "MANUALLY_PAID"
    UNSENT = "UNSENT"
    REFUNDED = "REFUNDED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUND_PENDING = "REFUND_PENDING"


class ThirdPartyOutboundPaymentStatus(StrEnum):
    """The 8 outbound payment statuses of 1.39 (reference 4.4)."""

    NEW = "NEW"
    VERIFYING = "VERIFYING"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    SCHEDULED = "SCHEDULED"
    EXECUTING = "EXECUTING"
    EXECUTED = "EXECUTED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"


class ThirdPartyRefundStatus(StrEnum):
    """The 9 refund statuses (reference 4.5)."""

    CREATED = "CREATED"
    PENDING_SUBMISSION = "PENDING_SUBMISSION"
    SUBMITTED = "SUBMITTED"
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    BOUNCED = "BOUNCED"
    FUNDS_RETURNED = "FUNDS_RETURNED"
    MANUALLY_REFUNDED = "MANUALLY_REFUNDED"
    REFUND_SETTLED = "REFUND_SETTLED"


class MandateStatus(StrEnum):
    """Mandate statuses: the read ones plus those inferred from GoCardless (reference 4.6)."""

    NEW = "NEW"
    INACTIVE = "INACTIVE"
    CREATED = "CREATED"
    CUSTOMER_APPROVAL_GRANTED = "CUSTOMER_APPROVAL_GRANTED"
    CUSTOMER_APPROVAL_SKIPPED = "CUSTOMER_APPROVAL_SKIPPED"
    CUSTOMER_APPROVAL_DENIED = "CUSTOMER_APPROVAL_DENIED"
    PENDING_SUBMISSION = "PENDING_SUBMISSION"
    SUBMITTED = "SUBMITTED"
    ACTIVE = "ACTIVE"
    REINSTATED = "REINSTATED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    CONSUMED = "CONSUMED"
    BLOCKED = "BLOCKED"
    SUSPENDED_BY_PAYER = "SUSPENDED_BY_PAYER"


class InvoicePaymentStatus(StrEnum):
    """An invoice's payment status (Invoices API, reference 4.8)."""

    NA = "NA"
    PAID = "PAID"
    UNPAID = "UNPAID"
    PENDING = "PENDING"
    REFUNDED = "REFUNDED"
    PART_REFUNDED = "PART_REFUNDED"
    REFUND_PENDING = "REFUND_PENDING"
    WRITTEN_OFF = "WRITTEN_OFF"
    DISPUTED = "DISPUTED"
    PARTIALLY_PAID = "PARTIALLY_PAID"


class ForcedOutcome(StrEnum):
    """An outcome a magic value forces on a record when it is created (sandbox only, never rendered)."""

    FAIL = "FAIL"
    CHARGEBACK = "CHARGEBACK"
    APPROVAL_DENIED = "APPROVAL_DENIED"
    BOUNCE = "BOUNCE"
    NEEDS_APPROVAL = "NEEDS_APPROVAL"
