"""A small world for the tests that drive the sandbox (clock, simulations, magic values), built over HTTP.

The session app's tenants start with their clock frozen on Wednesday 2026-11-25 09:00 UTC.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import Api

# The frozen start is a Wednesday: +3 working days is Monday 2026-11-30 09:00, +2 more Wednesday 12-02.
START = "2026-11-25T09:00:00Z"


class Driver:
    """Shortcuts for one tenant: seed records, Elevate calls and the control API."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self._provider: dict[str, Any] | None = None

    # --- seed data ----------------------------------------------------------------------------------

    def customer(self, name: str = "Harrow & Finch Ltd") -> dict[str, Any]:
        self.provider()
        return self.api.ok(self.api.post("/_sandbox/customers", {"name": name}), 201)

    def provider(self) -> dict[str, Any]:
        """An active GoCardless provider for contract owner 1 (created once)."""
        if self._provider is None:
            body = {"type": "GO_CARDLESS", "name": "GoCardless", "status": "ACTIVE", "contractOwnerIds": [1]}
            self._provider = self.api.ok(self.api.post("/v1/payment-providers", body), 201)
        return self._provider

    def invoice(self, customer: dict[str, Any], amount: float, kind: str = "NORMAL") -> dict[str, Any]:
        body = {"customerId": customer["id"], "billRunType": kind, "amountInMajorCurrency": amount}
        return self.api.ok(self.api.post("/_sandbox/invoices", body), 201)

    def credit(self, customer: dict[str, Any], amount: float) -> None:
        body = {"customerId": customer["id"], "amountInMajorCurrency": amount, "description": "Credit"}
        self.api.ok(self.api.post("/v1/customer-balance-adjustments", body))

    # --- Elevate calls ------------------------------------------------------------------------------

    def pay(
        self, invoice: dict[str, Any], amount: float, method: str = "GO_CARDLESS", status: str | None = None
    ) -> dict[str, Any]:
        normal = invoice["billRunType"] == "NORMAL"
        key = "generatedInvoiceId" if normal else "generatedAdhocInvoiceId"
        body = {
            key: invoice["id"],
            "amountInMajorCurrency": amount,
            "description": "Collection",
            "paymentMethod": method,
        }
        if status:
            body["thirdPartyPaymentStatus"] = status
        path = "/v1/invoice-payments" if normal else "/v1/adhoc-invoice-payments"
        return self.api.ok(self.api.post(path, body), 201)

    def payment(self, payment: dict[str, Any]) -> dict[str, Any]:
        kind = "invoice-payments" if "generatedInvoiceId" in payment else "adhoc-invoice-payments"
        return self.api.ok(self.api.get(f"/v1/{kind}/{payment['id']}"))

    def invoice_of(self, invoice: dict[str, Any]) -> dict[str, Any]:
        return self.api.ok(self.api.get(f"/_sandbox/invoices/{invoice['id']}"))

    def balance(self, customer: dict[str, Any]) -> Decimal:
        body = self.api.ok(self.api.get("/v1/customer-balances", customer_id=customer["id"]))
        return Decimal(str(body["balance"]))

    def refund(self, invoice: dict[str, Any], amount: float) -> dict[str, Any]:
        body = {"invoiceId": invoice["id"], "billRunType": invoice["billRunType"], "amountInMajorCurrency": amount}
        return self.api.ok(self.api.post("/v1/refunds", body), 201)

    def refund_of(self, refund: dict[str, Any]) -> dict[str, Any]:
        refunds = self.api.ok(self.api.get("/v1/refunds", page=1, pageSize=100, invoiceId=str(refund["invoiceId"])))
        return next(r for r in refunds if r["id"] == refund["id"])

    def payout(
        self,
        customer: dict[str, Any],
        amount: float,
        reference: str = "PAYOUT-0001",
        execution_date: str | None = None,
        use_credit: bool = False,
    ) -> Any:
        body: dict[str, Any] = {
            "customerId": customer["id"],
            "amountInMajorCurrency": amount,
            "reference": reference,
            "useCustomerCreditBalance": use_credit,
        }
        if execution_date:
            body["executionDate"] = execution_date
        return self.api.post("/v1/outbound-payments", body)

    def payout_of(self, payout: dict[str, Any]) -> dict[str, Any]:
        return self.api.ok(self.api.get(f"/v1/outbound-payments/{payout['id']}"))

    def mandate(self, customer: dict[str, Any]) -> dict[str, Any]:
        """A site mandate for a new site of the customer (its provider mandate starts NEW)."""
        site = self.api.ok(self.api.post("/_sandbox/sites", {"customerId": customer["id"]}), 201)
        body = {"siteId": site["id"], "returnURL": "https://portal.example.co.uk/done"}
        return self.api.ok(self.api.post("/v1/site-payment-mandates", body), 201)

    def provider_mandate(self, mandate: dict[str, Any]) -> dict[str, Any]:
        return self.api.ok(self.api.get(f"/v1/payment-provider-mandates/GO_CARDLESS/{mandate['mandateReference']}"))

    def a_record_in_most_tables(self) -> dict[str, Any]:
        """A customer with an invoice, a confirmed payment, a refund, a mandate, a credit and a payout paid
        from the credit: a state for export, import and snapshot tests. Returns the customer."""
        customer = self.customer()
        invoice = self.invoice(customer, 120.55)
        self.pay(invoice, 100, status="CONFIRMED")
        self.refund(invoice, 20.05)
        self.mandate(customer)
        self.credit(customer, 100)
        self.api.ok(self.payout(customer, 30, use_credit=True))
        return customer

    # --- the control API ----------------------------------------------------------------------------

    def move_clock(self, **body: Any) -> dict[str, Any]:
        return self.api.ok(self.api.post("/_sandbox/clock", body))

    def now(self) -> str:
        return self.api.ok(self.api.get("/_sandbox/clock"))["now"]

    def policies(self, **policies: str) -> dict[str, str]:
        return self.api.ok(put(self.api, "/_sandbox/progression", policies))

    def simulate(self, scenario: str, **ids: Any) -> Any:
        return self.api.post("/_sandbox/simulations", {"scenario": scenario, **ids})


def put(api: Api, path: str, body: Any) -> Any:
    """PUT with the tenant's token (the shared Api client has no put)."""
    return api.http.put(path, json=body, headers=api.headers)
