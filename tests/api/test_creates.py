"""Create handlers: a body read into the create's declared fields (api/common.py create_one, body_reader)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from elevate_sandbox.api.common import body_reader
from elevate_sandbox.domain import errors
from elevate_sandbox.domain.enums import BillRunType
from elevate_sandbox.domain.errors import InvalidRequest
from elevate_sandbox.domain.inputs import NewInvoice
from tests.conftest import Api

INVOICE_MEMBERS = {
    "invoiceDate": "invoice_date",
    "dueDate": "due_date",
    "billRunType": "bill_run_type",
    "amountInMajorCurrency": "amount",
    "siteId": "site_id",
}


def test_members_are_read_by_their_declared_types_and_null_ones_left_out() -> None:
    read = body_reader(NewInvoice, INVOICE_MEMBERS)
    body = {"amountInMajorCurrency": 10.1, "billRunType": "ADHOC", "invoiceDate": "2026-01-02", "siteId": None}
    assert read(body) == {
        "amount": Decimal("10.10"),
        "bill_run_type": BillRunType.ADHOC,
        "invoice_date": date(2026, 1, 2),
    }
    assert read({"customerId": 4, "name": "not a member it reads"}) == {}


def test_the_first_bad_member_in_the_declared_order_answers() -> None:
    read = body_reader(NewInvoice, INVOICE_MEMBERS)
    with pytest.raises(InvalidRequest) as refused:
        read({"amountInMajorCurrency": float("inf"), "dueDate": "9999-01-01", "invoiceDate": "9999-01-01"})
    assert refused.value.message.startswith("invoiceDate ")
    with pytest.raises(InvalidRequest) as refused:
        read({"amountInMajorCurrency": float("inf"), "dueDate": "9999-01-01"})
    assert refused.value.message.startswith("dueDate ")


def test_a_member_mapped_to_no_declared_field_stops_the_start() -> None:
    with pytest.raises(KeyError, match="due"):
        body_reader(NewInvoice, {"dueDate": "due"})


def test_a_create_over_http_answers_the_first_bad_date(api: Api) -> None:
    customer = api.ok(api.post("/_sandbox/customers", {"name": "Ferris Glazing"}), 201)
    body = {"customerId": customer["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 12.5}
    response = api.post("/_sandbox/invoices", {**body, "invoiceDate": "9999-01-01", "dueDate": "9999-02-01"})
    assert response.status_code == 409, response.text  # a valid date the sandbox cannot hold
    assert response.json()["code"] == errors.DATE_OUT_OF_RANGE
    assert [problem["field"] for problem in response.json()["errors"]] == ["invoiceDate"]
    created = api.ok(api.post("/_sandbox/invoices", {**body, "invoiceDate": "2026-11-02"}), 201)
    assert (created["invoiceDate"], created["dueDate"], created["billRunType"]) == (
        "2026-11-02",
        "2026-12-02",
        "NORMAL",
    )
    assert created["amountInMajorCurrency"] == 12.5
