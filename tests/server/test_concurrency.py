"""Many clients paying, refunding and adjusting the same customers at once lose nothing."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx

from elevate_sandbox.live import LiveSandbox

CLIENTS = 32
REQUESTS_PER_CLIENT = 12


def _client_run(base_url: str, token: str, customers: list[int], invoices: dict[int, int], seed: int) -> list[tuple]:
    """One client's mix of writes; returns the accepted ones as (kind, id, customer, signed amount)."""
    rng = random.Random(seed)
    accepted = []
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for _ in range(REQUESTS_PER_CLIENT):
            customer = rng.choice(customers)
            amount = Decimal(rng.randint(1, 5000)) / 100
            kind = rng.choice(("payment", "adjustment", "invoice-payment", "refund"))
            invoice = rng.choice(sorted(invoices))
            effect = amount
            if kind == "payment":
                body = {"customerId": customer, "amountInMajorCurrency": float(amount), "type": "BACS"}
                response = client.post("/v1/customer-payments", json=body)
            elif kind == "adjustment":
                effect = -amount
                body = {"customerId": customer, "amountInMajorCurrency": float(-amount)}
                response = client.post("/v1/customer-balance-adjustments", json=body)
            elif kind == "invoice-payment":
                customer = invoices[invoice]
                body = {
                    "generatedInvoiceId": invoice,
                    "amountInMajorCurrency": float(amount),
                    "description": "Load",
                    "paymentMethod": "CHEQUE",
                }
                response = client.post("/v1/invoice-payments", json=body)
            else:
                customer, effect = invoices[invoice], -amount
                body = {"invoiceId": invoice, "billRunType": "NORMAL", "amountInMajorCurrency": float(amount)}
                response = client.post("/v1/refunds", json=body)
            assert response.status_code in (200, 201, 409), response.text
            if response.status_code in (200, 201):
                accepted.append((kind, response.json()["id"], customer, effect))
    return accepted


def test_concurrent_writers_keep_every_balance_equal_to_its_events(live: LiveSandbox) -> None:
    token = live.token("concurrency")
    headers = {"Authorization": f"Bearer {token}"}
    customers: list[int] = []
    invoices: dict[int, int] = {}  # invoice id -> its customer
    with httpx.Client(base_url=live.base_url, headers=headers) as setup:
        for n in range(4):
            customers.append(setup.post("/_sandbox/customers", json={"name": f"Load Customer {n}"}).json()["id"])
        for n in range(12):
            body = {
                "customerId": customers[n % 4],
                "billRunType": "NORMAL",
                "amountInMajorCurrency": 80,
                "invoiceDate": f"2026-0{1 + n % 9}-01",
            }
            invoices[setup.post("/_sandbox/invoices", json=body).json()["id"]] = customers[n % 4]

    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(_client_run, live.base_url, token, customers, invoices, seed) for seed in range(CLIENTS)]
        accepted = [item for future in futures for item in future.result()]

    kinds = {event[0] for event in accepted}
    assert {"payment", "adjustment", "invoice-payment", "refund"} <= kinds
    for kind in kinds:
        ids = [event[1] for event in accepted if event[0] == kind]
        assert len(ids) == len(set(ids)), f"an id was issued twice for {kind}"

    expected = {customer: Decimal("0.00") for customer in customers}
    for customer in invoices.values():
        expected[customer] -= Decimal("80.00")
    for _, _, customer, effect in accepted:
        expected[customer] += effect
    with httpx.Client(base_url=live.base_url, headers=headers) as check:
        for customer in customers:
            shown = check.get("/v1/customer-balances", params={"customer_id": customer}).json()["balance"]
            assert Decimal(str(shown)) == expected[customer]
