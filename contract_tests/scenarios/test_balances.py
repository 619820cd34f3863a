"""Customer payments, balances and credit status (contract rules 2, 3 and 12)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from elevate_sandbox.contract_tests.client import Api
from elevate_sandbox.contract_tests.plugin import KitPlugin
from elevate_sandbox.contract_tests.scenarios.conftest import World, money, unique

BALANCES = "GET /customer-balances"
CUSTOMER_PAYMENTS = "POST /customer-payments"
CREDIT_STATUS = "GET /customer-credit-status"


def pay(api: Api, customer_id: int, amount: str) -> dict:
    body = {
        "customerId": customer_id,
        "amountInMajorCurrency": float(amount),
        "type": "BACS",
        "reference": unique("REMIT"),
    }
    return api.ok(api.post("/customer-payments", body), 200, 201)


def credit_status(api: Api, customer_id: int) -> dict:
    rows = api.ok(api.get("/customer-credit-status", page=1, pageSize=10, customerId=str(customer_id)), 200)
    assert len(rows) == 1, f"customerId={customer_id} gave {len(rows)} credit status records, expected 1"
    return rows[0]


def expect_arithmetic(status: dict, balance: Decimal) -> None:
    """Rule 12, with billAmount = max(-balance, 0).

    valueDifference = creditThreshold - billAmount; percentageDifference = 100 * billAmount / creditThreshold.
    """
    threshold, bill = money(status["creditThreshold"]), money(status["billAmount"])
    assert bill == max(-balance, Decimal("0")), f"billAmount {bill} for a balance of {balance}"
    assert money(status["valueDifference"]) == threshold - bill, f"valueDifference {status['valueDifference']}"
    if threshold:
        expected = bill / threshold * 100
        assert abs(Decimal(str(status["percentageDifference"])) - expected) < Decimal("0.01"), (
            f"percentageDifference {status['percentageDifference']}, expected {expected:.2f}"
        )


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_a_customer_payment_settles_invoices_oldest_first(plugin: KitPlugin, api: Api, world: World) -> None:
    # Given a customer with three invoices, raised newest first so that creation order is no help
    customer = world.customer()
    newest = world.invoice(customer["id"], 80.00, days_ago=10)
    middle = world.invoice(customer["id"], 50.00, days_ago=40)
    oldest = world.invoice(customer["id"], 100.00, days_ago=70)
    # When the customer pays 130.00
    payment = pay(api, customer["id"], "130.00")
    # Then the oldest invoice is paid, the middle one paid in part and the newest untouched
    with plugin.verdict(CUSTOMER_PAYMENTS, "settles_oldest_first", api):
        states = {
            name: world.invoice_state(inv["id"])
            for name, inv in (("oldest", oldest), ("middle", middle), ("newest", newest))
        }
        assert states["oldest"]["paymentStatus"] == "PAID", f"oldest invoice: {states['oldest']}"
        assert states["middle"]["paymentStatus"] == "PARTIALLY_PAID", f"middle invoice: {states['middle']}"
        assert money(states["middle"]["outstandingAmountInMajorCurrency"]) == Decimal("20.00")
        assert states["newest"]["paymentStatus"] == "UNPAID", f"newest invoice: {states['newest']}"
    # And the resulting balance is what is still owed, as the balance operation reports it
    with plugin.verdict(BALANCES, "balance_agrees", api):
        assert money(payment["resultingCustomerBalance"]) == Decimal("-100.00"), payment
        assert world.balance(customer["id"]) == Decimal("-100.00")


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_an_overpayment_becomes_credit(plugin: KitPlugin, api: Api, world: World) -> None:
    # Given a customer owing 60.00 on one invoice
    customer = world.customer()
    invoice = world.invoice(customer["id"], 60.00, days_ago=5)
    # When the customer pays 100.00
    payment = pay(api, customer["id"], "100.00")
    # Then the invoice is paid and the surplus of 40.00 is credit (a positive balance)
    with plugin.verdict(CUSTOMER_PAYMENTS, "surplus_is_credit", api):
        assert world.invoice_state(invoice["id"])["paymentStatus"] == "PAID"
        assert money(payment["resultingCustomerBalance"]) == Decimal("40.00"), payment
    with plugin.verdict(BALANCES, "balance_agrees", api):
        assert world.balance(customer["id"]) == Decimal("40.00")


@pytest.mark.writes
def test_resulting_balance_is_the_balance_read_afterwards(plugin: KitPlugin, api: Api) -> None:
    # Given any existing customer
    rows = api.ok(api.get("/customer-credit-status", page=1, pageSize=1), 200)
    if not rows:
        pytest.skip("the target has no customer")
    customer_id = rows[0]["customerId"]
    # When a small payment is recorded
    payment = pay(api, customer_id, "0.01")
    # Then the balance read afterwards is the resultingCustomerBalance it reported
    with plugin.verdict(BALANCES, "balance_agrees", api):
        balance = api.ok(api.get("/customer-balances", customer_id=customer_id), 200)
        assert money(balance["balance"]) == money(payment["resultingCustomerBalance"]), (
            f"balance {balance['balance']} after a payment reporting {payment['resultingCustomerBalance']}"
        )


def test_credit_status_agrees_with_balances(plugin: KitPlugin, api: Api) -> None:
    # Given the first customers of the credit status list (read-only: safe against production)
    rows = api.ok(api.get("/customer-credit-status", page=1, pageSize=8), 200)
    if not rows:
        pytest.skip("the target has no customer")
    for status in rows:
        # Then each record's billAmount is the debt the balance operation reports, to the penny
        with plugin.verdict(BALANCES, "balance_agrees", api):
            balance = money(api.ok(api.get("/customer-balances", customer_id=status["customerId"]), 200)["balance"])
            bill = money(status["billAmount"])
            assert bill == max(-balance, Decimal("0")), (
                f"customer {status['customerId']}: balance {balance} but credit status billAmount {bill}"
            )
        # And its differences follow from the threshold
        with plugin.verdict(CREDIT_STATUS, "credit_status_arithmetic", api):
            expect_arithmetic(status, -money(status["billAmount"]))


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_credit_status_arithmetic_follows_the_balance(plugin: KitPlugin, api: Api, world: World) -> None:
    # Given a customer with a 500.00 threshold who owes 400.00
    customer = world.customer(credit_threshold=500)
    world.invoice(customer["id"], 400.00, days_ago=3)
    # Then the bill is 400.00, 100.00 below the threshold, 80 % of it
    with plugin.verdict(CREDIT_STATUS, "credit_status_arithmetic", api):
        status = credit_status(api, customer["id"])
        assert money(status["billAmount"]) == Decimal("400.00"), status
        expect_arithmetic(status, Decimal("-400.00"))
    # When the customer pays 500.00 (100.00 more than owed)
    pay(api, customer["id"], "500.00")
    # Then nothing is billed: the whole threshold is available
    with plugin.verdict(CREDIT_STATUS, "credit_status_arithmetic", api):
        status = credit_status(api, customer["id"])
        assert money(status["billAmount"]) == Decimal("0.00"), status
        expect_arithmetic(status, Decimal("100.00"))
