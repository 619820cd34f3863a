"""The shared list features (paging, sort, fields, filters) through real list operations."""

from __future__ import annotations

import pytest

from elevate_sandbox.domain import errors
from tests.conftest import Api


@pytest.fixture
def providers(api: Api) -> list[dict]:
    api.ok(api.post("/_sandbox/customers", {"name": "Owner Maker Ltd"}), 201)  # creates contract owner 1
    made = []
    for kind, name, status, instant in (
        ("GO_CARDLESS", "GoCardless UK", "ACTIVE", True),
        ("STRIPE", "Stripe Cards", "ACTIVE", False),
        ("FINASTRA", "Finastra DD", "INACTIVE", False),
        ("STRIPE", "Stripe Direct Debit", "ACTIVE", True),
        ("EZYPAY", "Ezypay", "INACTIVE", False),
    ):
        body = {"type": kind, "name": name, "status": status, "contractOwnerIds": [1], "instantBankPayments": instant}
        made.append(api.ok(api.post("/v1/payment-providers", body), 201))
    return made


def _ids(rows: list[dict]) -> list[int]:
    return [row["id"] for row in rows]


def test_pages_are_disjoint_and_honour_page_size(api: Api, providers: list[dict]) -> None:
    pages = [api.ok(api.get("/v1/payment-providers", page=n, pageSize=2)) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [row_id for p in pages for row_id in _ids(p)] == _ids(providers)


def test_sort_ascending_descending_and_by_several_fields(api: Api, providers: list[dict]) -> None:
    by_name = api.ok(api.get("/v1/payment-providers", page=1, pageSize=10, sort="name"))
    assert [p["name"] for p in by_name] == sorted(p["name"] for p in providers)
    by_name_desc = api.ok(api.get("/v1/payment-providers", page=1, pageSize=10, sort="name:desc"))
    assert by_name_desc == list(reversed(by_name))
    mixed = api.ok(api.get("/v1/payment-providers", page=1, pageSize=10, sort="type,id:desc"))
    assert [(p["type"], p["id"]) for p in mixed] == sorted(
        ((p["type"], p["id"]) for p in providers), key=lambda pair: (pair[0], -pair[1])
    )


def test_fields_returns_exactly_the_fields_asked(api: Api, providers: list[dict]) -> None:
    rows = api.ok(api.get("/v1/payment-providers", page=1, pageSize=10, fields="id,name"))
    assert all(set(row) == {"id", "name"} for row in rows)


@pytest.mark.parametrize(
    ("params", "expected_names"),
    [
        ({"type": "STRIPE"}, {"Stripe Cards", "Stripe Direct Debit"}),
        ({"type": "in:FINASTRA,EZYPAY"}, {"Finastra DD", "Ezypay"}),
        ({"type": "like:STRI"}, {"Stripe Cards", "Stripe Direct Debit"}),
        ({"instantBankPayments": "true"}, {"GoCardless UK", "Stripe Direct Debit"}),
        ({"retryIfPossible": "true"}, set()),
        ({"contractOwnerId": 1}, {"GoCardless UK", "Stripe Cards", "Finastra DD", "Stripe Direct Debit", "Ezypay"}),
        ({"contractOwnerId": 2}, set()),
    ],
)
def test_each_filter_syntax(api: Api, providers: list[dict], params: dict, expected_names: set) -> None:
    rows = api.ok(api.get("/v1/payment-providers", page=1, pageSize=10, **params))
    assert {row["name"] for row in rows} == expected_names


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"sort": "colour"}, errors.INVALID_SORT, "sort"),
        ({"sort": "name:sideways"}, errors.INVALID_SORT, "sort"),
        ({"fields": "id,colour"}, errors.INVALID_FIELDS, "fields"),
        ({"instantBankPayments": "maybe"}, errors.VALIDATION_ERROR, "instantBankPayments"),
        ({"type": "in:"}, errors.INVALID_FILTER, "type"),
    ],
)
def test_a_bad_list_query_names_its_parameter(
    api: Api, strict_api: Api, providers: list[dict], params: dict, code: str, field: str
) -> None:
    # Lenient (the default) ignores what it cannot use and says so; --strict-inferred refuses it.
    lenient = api.get("/v1/payment-providers", page=1, pageSize=10, **params)
    assert lenient.status_code == 200 and "X-Sandbox-Ignored" in lenient.headers, lenient.text
    strict_api.ok(strict_api.post("/_sandbox/customers", {"name": "Owner Maker Ltd"}), 201)
    response = strict_api.get("/v1/payment-providers", page=1, pageSize=10, **params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == code
    assert field in {problem["field"] for problem in body["errors"]}


def _two_bill_runs(api: Api) -> tuple[list[dict], list[dict]]:
    """Two invoices (so two bill runs) with one cheque payment each: (invoices, payments)."""
    customer = api.ok(api.post("/_sandbox/customers", {"name": "Bill Run Ltd"}), 201)
    invoices, payments = [], []
    for day in ("2026-10-01", "2026-11-01"):
        body = {"customerId": customer["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 50, "invoiceDate": day}
        invoice = api.ok(api.post("/_sandbox/invoices", body), 201)
        payment = {
            "generatedInvoiceId": invoice["id"], "amountInMajorCurrency": 10, "description": "Cheque",
            "paymentMethod": "CHEQUE",
        }  # fmt: skip
        invoices.append(invoice)
        payments.append(api.ok(api.post("/v1/invoice-payments", payment), 201))
    return invoices, payments


def test_the_bill_run_filter_reads_the_invoice_each_payment_pays(api: Api) -> None:
    invoices, payments = _two_bill_runs(api)
    assert invoices[0]["billRunId"] != invoices[1]["billRunId"]
    for invoice, payment in zip(invoices, payments, strict=True):
        rows = api.ok(api.get("/v1/invoice-payments", page=1, pageSize=10, billRunId=invoice["billRunId"]))
        assert _ids(rows) == [payment["id"]]
    both = f"in:{invoices[0]['billRunId']},{invoices[1]['billRunId']}"
    assert _ids(api.ok(api.get("/v1/invoice-payments", page=1, pageSize=10, billRunId=both))) == _ids(payments)


def test_an_unreadable_bill_run_filter_is_named_when_lenient_and_refused_when_strict(
    api: Api, strict_api: Api
) -> None:
    _two_bill_runs(api)
    lenient = api.get("/v1/invoice-payments", page=1, pageSize=10, billRunId="in:")
    assert lenient.status_code == 200 and lenient.json() == []
    assert "billRunId" in lenient.headers["X-Sandbox-Ignored"]
    refused = strict_api.get("/v1/invoice-payments", page=1, pageSize=10, billRunId="in:")
    assert refused.status_code == 400 and refused.json()["code"] == errors.INVALID_FILTER, refused.text


def test_a_kept_page_of_a_whole_table_is_replaced_once_the_table_changes(api: Api, providers: list[dict]) -> None:
    first = api.get("/v1/payment-providers", page=1, pageSize=10)
    again = api.get("/v1/payment-providers", page=1, pageSize=10)
    assert again.content == first.content and _ids(first.json()) == _ids(providers)
    change = [{"op": "replace", "path": "/name", "value": "Renamed"}]
    api.ok(api.patch(f"/v1/payment-providers/{providers[0]['id']}", change))
    after = api.ok(api.get("/v1/payment-providers", page=1, pageSize=10))
    assert after[0]["name"] == "Renamed" and after[1:] == first.json()[1:]
