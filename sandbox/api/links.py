"""payment-provider-payment-link: hosted payment links for an invoice, an adhoc invoice or a customer."""

from __future__ import annotations

from typing import Any

from elevate_sandbox.api.common import backend, money, rendered, strict_inferred
from elevate_sandbox.api.registry import operation


@operation("createPaymentProviderPaymentLink")
async def create_payment_provider_payment_link(body: dict[str, Any], **_: Any) -> tuple[dict[str, Any], int]:
    with backend() as b:
        link = b.create_payment_link(
            payment_provider_id=body["paymentProviderId"],
            amount=money(body),
            description=body["description"],
            email=body.get("emailAddress"),
            invoice_id=body.get("invoiceId"),
            adhoc_invoice_id=body.get("adhocInvoiceId"),
            customer_id=body.get("customerId"),
            strict=strict_inferred(),
        )
        return rendered(link, 201)
