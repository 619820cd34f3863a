"""Refunds: never more than was collected, and the payment-method rule (contract rule 1)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from elevate_sandbox.contract_tests.client import Api
from elevate_sandbox.contract_tests.plugin import KitPlugin
from elevate_sandbox.contract_tests.scenarios.conftest import World, money, unique
from elevate_sandbox.domain.errors import NOTHING_TO_REFUND, REFUND_EXCEEDS_COLLECTED

REFUNDS = "POST /refunds"
REFUSED_CODES = {REFUND_EXCEEDS_COLLECTED, NOTHING_TO_REFUND}


def refund(api: Api, invoice_id: int, amount: str, bill_run_type: str = "NORMAL", **extra: str) -> httpx.Response:
    body = {
        "invoiceId": invoice_id,
        "billRunType": bill_run_type,
        "amountInMajorCurrency": float(amount),
        "description": unique("REFUND"),
        **extra,
    }
    return api.post("/refunds", body)


def expect_refused(response: httpx.Response) -> None:
    """A 400 (Elevate) or 409 (the sandbox) refusal; when the target sends codes, a refund-limit code."""
    status = response.status_code
    assert status in (400, 409), f"a refund over the collected amount answered {status}: {response.text[:300]}"
    body = response.json()
    if isinstance(body, dict) and "code" in body:
        assert body["code"] in REFUSED_CODES, f"refused with code {body['code']}, expected one of {REFUSED_CODES}"


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_refunds_stop_at_the_collected_amount(plugin: KitPlugin, api: Api, world: World) -> None:
    # Given an invoice of 100.00 paid in full by BACS
    customer = world.customer()
    invoice = world.invoice(customer["id"], 100.00, days_ago=20)
    api.ok(world.pay_invoice(invoice, 100.00, "BACS"), 200, 201)
    with plugin.verdict(REFUNDS, "refund_limit", api):
        # When 60.00 is refunded, then it is accepted
        api.ok(refund(api, invoice["id"], "60.00", paymentMethod="BACS"), 200, 201)
        # When a further 50.00 is asked (only 40.00 is left), then it is refused
        expect_refused(refund(api, invoice["id"], "50.00", paymentMethod="BACS"))
        # When the remaining 40.00 is refunded, then it is accepted, and nothing more can be refunded
        api.ok(refund(api, invoice["id"], "40.00", paymentMethod="BACS"), 200, 201)
        expect_refused(refund(api, invoice["id"], "0.01", paymentMethod="BACS"))
        # And the invoice shows everything refunded
        state = world.invoice_state(invoice["id"])
        assert money(state["refundedAmountInMajorCurrency"]) == Decimal("100.00"), state


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_a_refund_without_a_method_uses_the_last_collected_payment(plugin: KitPlugin, api: Api, world: World) -> None:
    # Given an adhoc invoice of 90.00 paid 30.00 by cheque, then 60.00 by BACS
    customer = world.customer()
    invoice = world.invoice(customer["id"], 90.00, days_ago=15, bill_run_type="ADHOC")
    api.ok(world.pay_invoice(invoice, 30.00, "CHEQUE"), 200, 201)
    api.ok(world.pay_invoice(invoice, 60.00, "BACS"), 200, 201)
    # When 25.00 is refunded without a payment method
    created = api.ok(refund(api, invoice["id"], "25.00", bill_run_type="ADHOC"), 200, 201)
    # Then the refund goes back by BACS, the method of the last payment
    with plugin.verdict(REFUNDS, "refund_payment_method", api):
        assert created["paymentMethod"] == "BACS", f"refund without a method used {created['paymentMethod']}"
    # And it is listed against the invoice with what was sent
    with plugin.verdict("GET /refunds", "read_back_equal", api):
        listed = api.ok(api.get("/refunds", page=1, pageSize=100, invoiceId=invoice["id"], billRunType="ADHOC"), 200)
        assert created in listed, f"the refund {created} is not in the invoice's refunds {listed}"
        assert money(created["amountInMajorCurrency"]) == Decimal("25.00")


@pytest.mark.writes
def test_a_refund_larger_than_anything_collected_is_refused(plugin: KitPlugin, api: Api) -> None:
    # Given any invoice that received a payment (found in the target's own data)
    payments = api.ok(api.get("/invoice-payments", page=1, pageSize=20), 200)
    invoices = [p["generatedInvoiceId"] for p in payments if "generatedInvoiceId" in p]
    if not invoices:
        pytest.skip("the target has no invoice payment to refund")
    # When the largest refund the contract allows (100,000.00) is asked for it
    response = refund(api, invoices[0], "100000")
    # Then it is refused: no invoice of the data collected that much
    with plugin.verdict(REFUNDS, "refund_limit", api):
        expect_refused(response)
