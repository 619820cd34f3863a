"""A small billing world built through the public and control APIs, for the hosted-page and browser tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import Api

RETURN_URL = "https://billing.example.co.uk/mandates/done"
EXIT_URL = "https://billing.example.co.uk/mandates/exit"


def path_of(url: str) -> str:
    """The path and query of an absolute URL the sandbox handed out (to request it from any client)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@dataclass
class Shop:
    """A customer of contract owner 1, collected through an active GoCardless provider."""

    api: Api
    customer: dict[str, Any]
    provider: dict[str, Any]

    def invoice(self, amount: float, kind: str = "NORMAL") -> dict[str, Any]:
        body = {"customerId": self.customer["id"], "billRunType": kind, "amountInMajorCurrency": amount}
        return self.api.ok(self.api.post("/_sandbox/invoices", body), 201)

    def invoice_state(self, invoice: dict[str, Any]) -> dict[str, Any]:
        """The invoice as the control API reads it now (its payment status and totals)."""
        return self.api.ok(self.api.get(f"/_sandbox/invoices/{invoice['id']}"))

    def link(self, invoice: dict[str, Any], description: str = "Invoice payment") -> dict[str, Any]:
        target = "invoiceId" if invoice["billRunType"] == "NORMAL" else "adhocInvoiceId"
        body = {
            "paymentProviderId": self.provider["id"],
            "amountInMajorCurrency": invoice["outstandingAmountInMajorCurrency"],
            "description": description,
            target: invoice["id"],
        }
        return self.api.ok(self.api.post("/v1/payment-provider-payment-link", body), 201)

    def linked_invoice(self, amount: float, description: str = "Invoice payment") -> tuple[dict, dict]:
        """A new invoice of ``amount`` and a payment link for all of it."""
        invoice = self.invoice(amount)
        return invoice, self.link(invoice, description)

    def mandate(self, return_url: str = RETURN_URL, exit_url: str | None = None) -> dict[str, Any]:
        site = self.api.ok(
            self.api.post("/_sandbox/sites", {"customerId": self.customer["id"], "name": "Head office"}), 201
        )
        body = {"siteId": site["id"], "returnURL": return_url, **({"exitURL": exit_url} if exit_url else {})}
        return self.api.ok(self.api.post("/v1/site-payment-mandates", body), 201)

    def mandate_status(self, mandate: dict[str, Any]) -> str:
        path = f"/v1/payment-provider-mandates/GO_CARDLESS/{mandate['mandateReference']}"
        return self.api.ok(self.api.get(path))["status"]

    def payout_needing_approval(self, amount: float = 12000) -> dict[str, Any]:
        """A payout needing approval (magic reference APPROVE...): the 403 body with its authorisationUrl."""
        body = {"customerId": self.customer["id"], "amountInMajorCurrency": amount, "reference": "APPROVE-BIG-PAYOUT"}
        return self.api.ok(self.api.post("/v1/outbound-payments", body), 403)

    def balance(self) -> float:
        return self.api.ok(self.api.get("/v1/customer-balances", customer_id=self.customer["id"]))["balance"]


def open_shop(api: Api, name: str = "Harrow & Finch Ltd") -> Shop:
    customer = api.ok(api.post("/_sandbox/customers", {"name": name}), 201)
    body = {"type": "GO_CARDLESS", "name": "GoCardless (sandbox)", "status": "ACTIVE", "contractOwnerIds": [1]}
    provider = api.ok(api.post("/v1/payment-providers", body), 201)
    return Shop(api, customer, provider)
