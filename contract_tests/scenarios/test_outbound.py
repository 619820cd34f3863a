"""Outbound payments (1.39): the 25,000 limit, future execution dates, approval, lifecycle and credit use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from elevate_sandbox.contract_tests.client import Api
from elevate_sandbox.contract_tests.plugin import KitPlugin
from elevate_sandbox.contract_tests.scenarios.conftest import World, days_from_today, unique

CREATE = "POST /outbound-payments"
UPDATE = "PATCH /outbound-payments/{outbound_payment_id}"
# The lifecycle the contract describes; PENDING_APPROVAL only for payouts that need approval.
LIFECYCLE = ["NEW", "VERIFYING", "SCHEDULED", "EXECUTING", "EXECUTED"]


def payout(api: Api, customer_id: int, amount: float, days_ahead: int | None = 7, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {
        "customerId": customer_id,
        "amountInMajorCurrency": amount,
        "reference": unique("PAYOUT"),
        "description": "Contract kit payout",
        **extra,
    }
    if days_ahead is not None:
        body["executionDate"] = days_from_today(days_ahead)
    return api.post("/outbound-payments", body)


def expect_refusal(response: httpx.Response, what: str) -> None:
    # Elevate documents 400; the sandbox answers a refusal by the data (not by the schema) with 409.
    assert response.status_code in (400, 409), f"{what} answered {response.status_code}: {response.text[:300]}"


@pytest.fixture
def payee(world: World, api: Api) -> dict[str, Any]:
    """A customer of a contract owner paying out through an ACTIVE GoCardless provider, with 500.00 credit."""
    world.ensure_provider("GO_CARDLESS", owner=1)
    customer = world.customer(owner=1)
    body = {
        "customerId": customer["id"],
        "amountInMajorCurrency": 500.0,
        "type": "BACS",
        "reference": unique("TOPUP"),
    }
    api.ok(api.post("/customer-payments", body), 200, 201)
    return customer


@pytest.mark.writes
def test_an_outbound_payment_over_25000_is_refused_anywhere(plugin: KitPlugin, api: Api) -> None:
    # Given any customer of the target
    rows = api.ok(api.get("/customer-credit-status", page=1, pageSize=1), 200)
    if not rows:
        pytest.skip("the target has no customer")
    # When a payout of 25,000.01 is asked, then it is refused (the contract's maximum is 25,000)
    with plugin.verdict(CREATE, "outbound_limits", api):
        expect_refusal(payout(api, rows[0]["customerId"], 25000.01), "a payout of 25,000.01")


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_outbound_limits_and_approval(plugin: KitPlugin, api: Api, payee: dict[str, Any]) -> None:
    with plugin.verdict(CREATE, "outbound_limits", api):
        # When a payout just over the limit is asked, then it is refused
        expect_refusal(payout(api, payee["id"], 25000.01), "a payout of 25,000.01")
        # When a small payout is asked, then it is created
        api.ok(payout(api, payee["id"], 12.50), 200, 201)
    # When a payout of 25,000.00 (at the limit) that needs approval is asked (opt-in: reference APPROVE...)
    response = payout(api, payee["id"], 25000.00, reference=f"APPROVE-{unique('PAYOUT')}")
    # Then it waits for approval at the provider: 403 with the URL where it can be approved
    with plugin.verdict(CREATE, "outbound_approval", api):
        assert response.status_code == 403, f"a payout of 25,000.00 answered {response.status_code}: {response.text}"
        assert response.json().get("authorisationUrl", "").startswith("http"), response.text


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_execution_dates_must_be_in_the_future(plugin: KitPlugin, api: Api, payee: dict[str, Any]) -> None:
    with plugin.verdict(CREATE, "outbound_dates", api):
        # When the execution date is today or in the past, then the payout is refused
        expect_refusal(payout(api, payee["id"], 10.00, days_ahead=0), "an execution date of today")
        expect_refusal(payout(api, payee["id"], 10.00, days_ahead=-1), "an execution date of yesterday")
        # When it is tomorrow, or absent (as soon as possible), then the payout is created
        tomorrow = api.ok(payout(api, payee["id"], 10.00, days_ahead=1), 200, 201)
        assert tomorrow["executionDate"] == days_from_today(1), tomorrow
        api.ok(payout(api, payee["id"], 10.00, days_ahead=None), 200, 201)


def _step(api: Api, payment: dict[str, Any], status: str) -> httpx.Response:
    operations = [{"op": "replace", "path": "/thirdPartyOutboundPaymentStatus", "value": status}]
    return api.patch(f"/outbound-payments/{payment['id']}", operations)


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_a_payout_moves_one_step_at_a_time_and_uses_the_credit(
    plugin: KitPlugin, api: Api, world: World, payee: dict[str, Any]
) -> None:
    # Given a payout of 200.00 drawn on the customer's 500.00 credit
    payment = api.ok(payout(api, payee["id"], 200.00, useCustomerCreditBalance=True), 200, 201)
    status = payment["thirdPartyOutboundPaymentStatus"]
    assert status in LIFECYCLE, f"a new payout starts in {status}"
    with plugin.verdict(UPDATE, "outbound_lifecycle", api):
        # (Skipping a step is refused only with --strict-inferred: the docs define no lifecycle.)
        # When it moves one step at a time, then each step is accepted and read back
        for following in LIFECYCLE[LIFECYCLE.index(status) + 1 :]:
            moved = api.ok(_step(api, payment, following), 200)
            assert moved["thirdPartyOutboundPaymentStatus"] == following, moved
            assert api.ok(api.get(f"/outbound-payments/{payment['id']}"), 200) == moved
    # Then, once executed, the customer's credit is reduced by the payout
    with plugin.verdict(UPDATE, "outbound_credit", api):
        assert world.balance(payee["id"]) == Decimal("300.00")


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_a_payout_cannot_use_more_credit_than_the_customer_has(
    plugin: KitPlugin, api: Api, payee: dict[str, Any]
) -> None:
    # When a payout of 600.00 is drawn on 500.00 of credit, then it is refused
    with plugin.verdict(CREATE, "outbound_credit", api):
        response = payout(api, payee["id"], 600.00, useCustomerCreditBalance=True)
        expect_refusal(response, "a payout of 600.00 on 500.00 of credit")
