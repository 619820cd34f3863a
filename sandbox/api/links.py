"""payment-provider-payment-link: hosted payment links for an invoice, an adhoc invoice or a customer."""

from __future__ import annotations

from elevate_sandbox.api.common import create_one
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.inputs import NewPaymentLink

create_one(
    "createPaymentProviderPaymentLink",
    Backend.create_payment_link,
    NewPaymentLink,
    {
        "paymentProviderId": "payment_provider_id",
        "amountInMajorCurrency": "amount",
        "description": "description",
        "emailAddress": "email",
        "invoiceId": "invoice_id",
        "adhocInvoiceId": "adhoc_invoice_id",
        "customerId": "customer_id",
    },
    strict=True,
)
