"""Provider payments: status updates, cancelling a pending payment (202), reprocessing a failed one (200)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from elevate_sandbox.contract_tests.client import Api
from elevate_sandbox.contract_tests.plugin import KitPlugin
from elevate_sandbox.contract_tests.scenarios.conftest import World, unique

CANCEL = "POST /invoice-payment-cancel"
REPROCESS = "POST /invoice-payment-reprocess"
PAYMENTS = "POST /invoice-payments"
# Every scenario here records payments through the sandbox control API.
pytestmark = [pytest.mark.sandbox_only, pytest.mark.writes]


def _action(api: Api, path: str, invoice: dict[str, Any]) -> httpx.Response:
    body = {"invoiceId": invoice["id"], "billRunType": invoice["billRunType"], "notes": unique("NOTE")}
    return api.post(path, body)


@pytest.fixture
def collecting(world: World, api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """An invoice of 75.00 with a GoCardless payment submitted for it (a provider payment starts pending)."""
    customer = world.customer()
    invoice = world.invoice(customer["id"], 75.00, days_ago=8)
    payment = api.ok(world.pay_invoice(invoice, 75.00, "GO_CARDLESS"), 200, 201)
    return invoice, payment


def test_a_manual_payment_has_no_provider_status(plugin: KitPlugin, api: Api, world: World) -> None:
    # When a cheque payment is recorded, then it carries no third-party status (rule 9)
    invoice = world.invoice(world.customer()["id"], 20.00, days_ago=1)
    payment = api.ok(world.pay_invoice(invoice, 20.00, "CHEQUE"), 200, 201)
    with plugin.verdict(PAYMENTS, "manual_payment_status", api):
        assert "thirdPartyPaymentStatus" not in payment, payment
        assert api.ok(api.get(f"/invoice-payments/{payment['id']}"), 200) == payment


def test_a_provider_update_changes_the_payment_it_reports_on(
    plugin: KitPlugin, api: Api, world: World, collecting: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    invoice, payment = collecting
    # Given the submitted payment
    assert payment["thirdPartyPaymentStatus"] == "SUBMITTED", payment
    # When the provider confirms it, for the same invoice, method and amount
    response = world.pay_invoice(invoice, 75.00, "GO_CARDLESS", thirdPartyPaymentStatus="CONFIRMED")
    # Then the same payment is updated (200), not a second one created
    with plugin.verdict(PAYMENTS, "provider_payment_update", api):
        updated = api.ok(response, 200)
        assert updated["id"] == payment["id"] and updated["thirdPartyPaymentStatus"] == "CONFIRMED", updated
        listed = api.ok(api.get("/invoice-payments", page=1, pageSize=100, generatedInvoiceId=str(invoice["id"])), 200)
        assert [row["id"] for row in listed] == [payment["id"]], listed


def test_only_a_pending_payment_can_be_cancelled(
    plugin: KitPlugin, api: Api, collecting: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    invoice, payment = collecting
    with plugin.verdict(CANCEL, "cancel_pending_only", api):
        # When the pending payment is cancelled, then the request is accepted (202, asynchronous)
        response = _action(api, "/invoice-payment-cancel", invoice)
        assert response.status_code == 202 and not response.content, f"{response.status_code} {response.text}"
        assert api.ok(api.get(f"/invoice-payments/{payment['id']}"), 200)["thirdPartyPaymentStatus"] == "CANCELLED"
        # When it is cancelled again, then it is refused: nothing is pending any more
        again = _action(api, "/invoice-payment-cancel", invoice)
        assert again.status_code in (400, 409), f"cancelling a cancelled payment answered {again.status_code}"


def test_only_a_failed_payment_can_be_reprocessed(
    plugin: KitPlugin, api: Api, world: World, collecting: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    invoice, payment = collecting
    with plugin.verdict(REPROCESS, "reprocess_failed_only", api):
        # When a payment that has not failed is reprocessed, then it is refused
        refused = _action(api, "/invoice-payment-reprocess", invoice)
        assert refused.status_code in (400, 409), f"reprocessing a submitted payment answered {refused.status_code}"
        # Given the provider then reports the payment failed
        api.ok(world.pay_invoice(invoice, 75.00, "GO_CARDLESS", thirdPartyPaymentStatus="FAILED"), 200)
        # When it is reprocessed, then it is accepted (200, no body) and the payment is no longer failed
        response = _action(api, "/invoice-payment-reprocess", invoice)
        assert response.status_code == 200 and not response.content, f"{response.status_code} {response.text}"
        status = api.ok(api.get(f"/invoice-payments/{payment['id']}"), 200)["thirdPartyPaymentStatus"]
        assert status != "FAILED", "the reprocessed payment is still FAILED"
