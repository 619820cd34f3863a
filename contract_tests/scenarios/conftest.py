"""What business scenarios stand on: fresh customers, sites and invoices, unique references, today's date.

Records are created through the sandbox control API (``World``), so scenarios that use ``world`` are
``sandbox_only``. Every reference is unique and no scenario counts records it did not create, so the
same scenarios can run against a shared Elevate environment.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from elevate_sandbox.contract_tests.client import Api, control_api
from elevate_sandbox.contract_tests.target import Target

MANDATE_METHODS = ("GO_CARDLESS", "STRIPE_DD", "STRIPE", "FINASTRA")


def unique(prefix: str) -> str:
    """A reference no other run uses."""
    return f"KIT-{prefix}-{secrets.token_hex(4).upper()}"


def money(value: Any) -> Decimal:
    """An amount as exact pennies, whatever JSON number form it came in."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def today() -> date:
    """Today as the API sees it (UTC)."""
    return datetime.now(UTC).date()


def days_from_today(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


class World:
    """Creates the records a scenario needs through the sandbox control API, and reads their state."""

    def __init__(self, control: Api, api: Api) -> None:
        self.control = control
        self.api = api

    def customer(self, credit_threshold: float = 500, owner: int = 1) -> dict[str, Any]:
        body = {
            "name": f"Kit Customer {secrets.token_hex(3)}",
            "creditThreshold": credit_threshold,
            "contractOwnerId": owner,
        }
        return self.control.ok(self.control.post("/customers", body), 201)

    def invoice(self, customer_id: int, amount: float, days_ago: int, bill_run_type: str = "NORMAL") -> dict[str, Any]:
        body = {
            "customerId": customer_id,
            "billRunType": bill_run_type,
            "amountInMajorCurrency": amount,
            "invoiceDate": days_from_today(-days_ago),
        }
        return self.control.ok(self.control.post("/invoices", body), 201)

    def invoice_state(self, invoice_id: int) -> dict[str, Any]:
        return self.control.ok(self.control.get(f"/invoices/{invoice_id}"), 200)

    def site(self, customer_id: int) -> dict[str, Any]:
        body = {"customerId": customer_id, "name": f"Kit Site {secrets.token_hex(3)}"}
        return self.control.ok(self.control.post("/sites", body), 201)

    def balance(self, customer_id: int) -> Decimal:
        """The customer's balance through the Elevate API (negative = debt)."""
        return money(self.api.ok(self.api.get("/customer-balances", customer_id=customer_id), 200)["balance"])

    def ensure_provider(self, kind: str, owner: int = 1) -> dict[str, Any]:
        """An ACTIVE provider of ``kind`` for contract owner ``owner`` (created when there is none)."""
        rows = self.api.ok(
            self.api.get("/payment-providers", page=1, pageSize=1000, type=kind, contractOwnerId=owner), 200
        )
        for row in rows:
            if row.get("status") == "ACTIVE":
                return row
        body = {
            "type": kind,
            "name": f"Kit {kind} {secrets.token_hex(3)}",
            "status": "ACTIVE",
            "contractOwnerIds": [owner],
        }
        return self.api.ok(self.api.post("/payment-providers", body), 200, 201)

    def pay_invoice(self, invoice: dict[str, Any], amount: float, method: str, **extra: Any) -> Any:
        """Record a payment on a normal or adhoc invoice; answers the raw response."""
        adhoc = invoice["billRunType"] == "ADHOC"
        body = {
            "generatedAdhocInvoiceId" if adhoc else "generatedInvoiceId": invoice["id"],
            "amountInMajorCurrency": amount,
            "description": unique("PAYMENT"),
            "paymentMethod": method,
            **extra,
        }
        return self.api.post("/adhoc-invoice-payments" if adhoc else "/invoice-payments", body)


@pytest.fixture
def world(target: Target, api: Api) -> Iterator[World]:
    """The sandbox control API for this test's tenant (skips against other implementations)."""
    if not target.is_sandbox:
        pytest.skip("needs the sandbox control API (/_sandbox)")
    control = control_api(target)
    yield World(control, api)
    control.close()
