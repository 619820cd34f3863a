"""State and consistency: a record is the same in its list and by id, reads change nothing, a create is stored
as answered and listed, money moves the balance by exactly its amount, history stays fixed, and a refused
write changes nothing anywhere."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from elevate_sandbox.contract_tests import consistency as cons
from elevate_sandbox.contract_tests import spec
from elevate_sandbox.contract_tests.client import Api, control_api
from elevate_sandbox.contract_tests.plugin import KitPlugin
from elevate_sandbox.contract_tests.references import References
from elevate_sandbox.contract_tests.target import Target

PAIRS = cons.listed_resources()
READS = cons.readable_paths()
LISTS = spec.list_operations()


@pytest.fixture(scope="module")
def subjects(target: Target, references: References) -> Iterator[dict[str, Any]]:
    """Records the checks work on: fresh ones made through the control API on a sandbox, else found ones."""
    from elevate_sandbox.contract_tests.client import elevate_api

    api = elevate_api(target)
    owners = references.known.get("contractOwnerIds", [[1]])
    found: dict[str, Any] = {"owner": int(owners[0][0])}
    if target.is_sandbox and not target.read_only:
        control = control_api(target)
        customer = control.ok(
            control.post("/customers", {"name": f"Kit {secrets.token_hex(3)}", "contractOwnerId": found["owner"]}), 201
        )
        found["customer"] = customer["id"]
        for key, kind in (("invoice", "NORMAL"), ("adhoc_invoice", "ADHOC")):
            body = {"customerId": customer["id"], "billRunType": kind, "amountInMajorCurrency": 50.0}
            found[key] = control.ok(control.post("/invoices", body), 201)["id"]
        control.close()
    else:
        customers = references.known.get("customerId", [])
        found["customer"] = customers[0] if customers else None
        found["invoice"] = (references.known.get("generatedInvoiceId") or [None])[0]
        found["adhoc_invoice"] = (references.known.get("generatedAdhocInvoiceId") or [None])[0]
    yield found
    api.close()


def _customer(subjects: dict[str, Any]) -> Any:
    """The customer the money checks work on; the test is skipped where the target has none."""
    customer = subjects.get("customer")
    if customer is None:
        pytest.skip("the target has no customer")
    return customer


def _ids_of(api: Api, operation: spec.Operation, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows = api.ok(api.get(operation.path, page=1, pageSize=cons.SAMPLE, **params), 200)
    if not rows:
        pytest.skip(f"{operation.label} has no record to compare")
    return rows


@pytest.mark.parametrize(("listing", "by_id"), PAIRS, ids=[pair[0].operation_id for pair in PAIRS])
def test_a_list_shows_each_record_as_it_reads_by_id(
    plugin: KitPlugin, api: Api, required_params: Any, listing: spec.Operation, by_id: spec.Operation
) -> None:
    rows = _ids_of(api, listing, required_params(api, listing))
    with plugin.verdict(listing.label, "list_matches_get", api):
        for row in rows:
            single = cons.read(api, by_id, row["id"])
            shared = sorted(set(row) & set(single))
            differ = cons.differences(single, row, shared)
            assert not differ, f"{listing.label} shows id {row['id']} unlike {by_id.label}: {differ}"


def _read_ids(api: Api, operation: spec.Operation, required_params: Any, subjects: dict[str, Any]) -> list[Any]:
    listing = next((pair[0] for pair in PAIRS if pair[1] is operation), None)
    if listing is not None:
        return [row["id"] for row in _ids_of(api, listing, required_params(api, listing))[:2]]
    if operation.path.startswith("/outbound-payments") and subjects.get("outbound"):
        return [subjects["outbound"]]
    pytest.skip(f"no known identifier to read {operation.label} with")


@pytest.fixture(scope="module")
def outbound(target: Target, subjects: dict[str, Any]) -> None:
    """A payout to read (on a sandbox: a fresh customer with credit and an ACTIVE provider)."""
    if not target.is_sandbox or target.read_only:
        return
    from elevate_sandbox.contract_tests.client import elevate_api

    api = elevate_api(target)
    rows = api.ok(
        api.get("/payment-providers", page=1, pageSize=1000, type="GO_CARDLESS", contractOwnerId=subjects["owner"]), 200
    )
    if not any(row.get("status") == "ACTIVE" for row in rows):
        provider = {
            "type": "GO_CARDLESS",
            "name": "Kit GC",
            "status": "ACTIVE",
            "contractOwnerIds": [subjects["owner"]],
        }
        api.ok(api.post("/payment-providers", provider), 200, 201)
    top_up = {
        "customerId": subjects["customer"],
        "amountInMajorCurrency": 100.0,
        "type": "BACS",
        "reference": "KIT-TOPUP",
    }
    api.ok(api.post("/customer-payments", top_up), 200, 201)
    when = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    body = {"customerId": subjects["customer"], "amountInMajorCurrency": 5.0, "reference": "KIT-OUT",
            "description": "Contract kit payout", "executionDate": when}  # fmt: skip
    response = api.post("/outbound-payments", body)
    if response.status_code in (200, 201):
        subjects["outbound"] = response.json()["id"]
    api.close()


@pytest.mark.parametrize("operation", READS, ids=[op.operation_id for op in READS])
def test_a_read_changes_nothing(
    plugin: KitPlugin, api: Api, required_params: Any, subjects: dict[str, Any], outbound: None,
    operation: spec.Operation,
) -> None:  # fmt: skip
    for record_id in _read_ids(api, operation, required_params, subjects):
        with plugin.verdict(operation.label, "get_is_safe", api):
            first = cons.read(api, operation, record_id)
            second = cons.read(api, operation, record_id)
            third = cons.read(api, operation, record_id)
            changed = cons.differences(first, second) or cons.differences(second, third)
            assert not changed, f"reading {operation.label} id {record_id} again changed it: {changed}"


@pytest.mark.parametrize("operation", LISTS, ids=[op.operation_id for op in LISTS])
def test_reading_a_list_changes_nothing(
    plugin: KitPlugin, api: Api, required_params: Any, operation: spec.Operation
) -> None:
    params = required_params(api, operation)
    with plugin.verdict(operation.label, "get_is_safe", api):
        first = api.ok(api.get(operation.path, page=1, pageSize=50, **params), 200)
        second = api.ok(api.get(operation.path, page=1, pageSize=50, **params), 200)
        assert first == second, f"reading {operation.label} twice answered different records"


def _context_or_skip(creatable: cons.Creatable, subjects: dict[str, Any]) -> dict[str, Any]:
    body = creatable.body(subjects) if subjects.get("customer") is not None else None
    if not body:
        pytest.skip(f"no record to create {creatable.create} against")
    return body


@pytest.mark.writes
@pytest.mark.parametrize("creatable", cons.CREATABLE, ids=[c.create.strip("/") for c in cons.CREATABLE])
def test_a_create_is_stored_as_answered_and_listed(
    plugin: KitPlugin, api: Api, subjects: dict[str, Any], creatable: cons.Creatable
) -> None:
    label = f"POST {creatable.create}"
    by_id = cons.by_id_read(creatable.create)
    assert by_id is not None, f"the contract has no read for {creatable.create}"
    body = _context_or_skip(creatable, subjects)
    response = api.post(creatable.create, body)
    if response.status_code in (400, 403, 404, 409) and not plugin.target.is_sandbox:
        pytest.skip(f"{label} refused the kit's record ({response.status_code}); nothing to read back")
    with plugin.verdict(label, "create_read_back", api):
        created = api.ok(response, 200, 201)
        differ = cons.differences(body, created, [name for name in body if name in created])
        assert not differ, f"the created record differs from the request: {differ}"
        stored = cons.read(api, by_id, created["id"])
        differ = cons.differences(created, stored)
        assert not differ, f"{by_id.label} with the id the create returned ({created['id']}) differs: {differ}"
    with plugin.verdict(label, "created_appears_in_list", api):
        listed = cons.find_in_list(api, creatable.create, creatable.list_query(body, created), created["id"])
        assert listed is not None, f"the created record {created['id']} is not in GET {creatable.create}"
        differ = cons.differences(created, listed, sorted(set(created) & set(listed)))
        assert not differ, f"GET {creatable.create} lists {created['id']} unlike the create: {differ}"


# Where a money write shows on its invoice (sandbox control API): the field and the sign of the move.
INVOICE_MOVES = {
    "POST /invoice-payments": ("collectedAmountInMajorCurrency", 1),
    "POST /refunds": ("refundedAmountInMajorCurrency", 1),
}


def _invoice_totals(target: Target, invoice: int | None) -> Any:
    """A reader of the invoice's totals through the control API (an empty one without it)."""
    if invoice is None or not target.is_sandbox:
        return dict
    control = control_api(target)

    def totals() -> dict[str, Any]:
        return control.ok(control.get(f"/invoices/{invoice}"), 200)

    return totals


@pytest.mark.writes
def test_money_moves_the_balance_by_exactly_its_amount(plugin: KitPlugin, api: Api, subjects: dict[str, Any]) -> None:
    customer = _customer(subjects)
    moves: list[tuple[str, str, dict[str, Any], Decimal]] = [
        ("POST /customer-payments", "/customer-payments",
         {"customerId": customer, "amountInMajorCurrency": 1.23, "type": "BACS", "reference": "KIT-MOVE"},
         Decimal("1.23")),
        ("POST /customer-balance-adjustments", "/customer-balance-adjustments",
         {"customerId": customer, "amountInMajorCurrency": 2.50, "description": "kit credit"}, Decimal("2.50")),
        ("POST /customer-balance-adjustments", "/customer-balance-adjustments",
         {"customerId": customer, "amountInMajorCurrency": -1.75, "description": "kit debit"}, Decimal("-1.75")),
    ]  # fmt: skip
    if subjects.get("invoice") and plugin.target.is_sandbox:
        invoice = subjects["invoice"]
        moves += [
            ("POST /invoice-payments", "/invoice-payments",
             {"generatedInvoiceId": invoice, "amountInMajorCurrency": 10.0, "description": "kit",
              "paymentMethod": "BACS"},
             Decimal("10.00")),
            ("POST /refunds", "/refunds",
             {"invoiceId": invoice, "billRunType": "NORMAL", "amountInMajorCurrency": 4.0, "description": "kit",
              "paymentMethod": "BACS"}, Decimal("-4.00")),
        ]  # fmt: skip
    invoice_totals = _invoice_totals(plugin.target, subjects.get("invoice"))
    for label, path, body, moved in moves:
        before, totals_before = cons.balance(api, customer), invoice_totals()
        api.ok(api.post(path, body), 200, 201)
        with plugin.verdict(label, "money_moves", api):
            after = cons.balance(api, customer)
            assert after - before == moved, (
                f"{label} of {body['amountInMajorCurrency']} moved the balance {before} -> {after}"
            )
            if totals_before and label in INVOICE_MOVES:
                field, sign = INVOICE_MOVES[label]
                change = cons.money(invoice_totals()[field]) - cons.money(totals_before[field])
                assert change == sign * abs(moved), f"{label} of {abs(moved)} moved the invoice's {field} by {change}"
        with plugin.verdict("GET /customer-credit-status", "credit_status_follows", api):
            rows = api.ok(api.get("/customer-credit-status", page=1, pageSize=10, customerId=str(customer)), 200)
            assert rows, f"customer {customer} has no credit status"
            bill = cons.money(rows[0]["billAmount"])
            assert bill == max(-after, Decimal("0")), f"after {label}: billAmount {bill} for a balance of {after}"


@pytest.mark.writes
def test_a_payments_resulting_balance_stays_fixed(plugin: KitPlugin, api: Api, subjects: dict[str, Any]) -> None:
    customer = _customer(subjects)
    body = {"customerId": customer, "amountInMajorCurrency": 3.0, "type": "BACS", "reference": "KIT-HIST-1"}
    first = api.ok(api.post("/customer-payments", body), 200, 201)
    api.ok(api.post("/customer-payments", {**body, "reference": "KIT-HIST-2"}), 200, 201)
    with plugin.verdict("GET /customer-payments/{customer_payment_id}", "history_is_fixed", api):
        again = api.ok(api.get(f"/customer-payments/{first['id']}"), 200)
        assert cons.money(again["resultingCustomerBalance"]) == cons.money(first["resultingCustomerBalance"]), (
            f"payment {first['id']} reported a resulting balance of {first['resultingCustomerBalance']}, "
            f"after a later payment it reads {again['resultingCustomerBalance']}"
        )


def _snapshot(api: Api, customer: int, invoice: int | None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "balance": cons.balance(api, customer),
        "payments": api.ok(api.get("/customer-payments", page=1, pageSize=1000, customer_id=customer), 200),
    }
    if invoice is not None:
        state["refunds"] = api.ok(
            api.get("/refunds", page=1, pageSize=1000, invoiceId=invoice, billRunType="NORMAL"), 200
        )
    return state


@pytest.mark.writes
def test_a_refused_write_changes_nothing(plugin: KitPlugin, api: Api, subjects: dict[str, Any]) -> None:
    customer = _customer(subjects)
    invoice = subjects.get("invoice") if plugin.target.is_sandbox else None
    refusals = [
        ("POST /customer-payments", "/customer-payments",
         {"customerId": customer, "amountInMajorCurrency": -5.0, "type": "BACS", "reference": "KIT-NEG"}),
        ("POST /outbound-payments", "/outbound-payments",
         {"customerId": customer, "amountInMajorCurrency": 25000.01, "reference": "KIT-BIG", "description": "kit"}),
    ]  # fmt: skip
    if invoice is not None:
        # Something collected on the invoice, so that only the amount makes the refund wrong.
        paid = {
            "generatedInvoiceId": invoice,
            "amountInMajorCurrency": 5.0,
            "description": "kit",
            "paymentMethod": "BACS",
        }
        api.ok(api.post("/invoice-payments", paid), 200, 201)
        refusals.append(("POST /refunds", "/refunds", {"invoiceId": invoice, "billRunType": "NORMAL",
                         "amountInMajorCurrency": 99999.0, "description": "kit", "paymentMethod": "BACS"}))  # fmt: skip
    for label, path, body in refusals:
        before = _snapshot(api, customer, invoice)
        response = api.post(path, body)
        with plugin.verdict(label, "refused_write_changes_nothing", api):
            assert 400 <= response.status_code < 500, (
                f"{label} {body} answered {response.status_code}, expected a refusal"
            )
            after = _snapshot(api, customer, invoice)
            changed = [name for name in before if before[name] != after[name]]
            assert not changed, f"{label} was refused ({response.status_code}) but changed the {', '.join(changed)}"
