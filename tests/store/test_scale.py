"""Scale, kept small here (the million-record run lives in benchmarks/scale.py): the bulk datasets book money
as the rules do, customer-scoped lists read the index instead of scanning tables, and rendered records
cached between lists are never stale."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from elevate_sandbox.clock import FrozenClock, parse_instant
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.context import Index
from elevate_sandbox.domain.enums import BillRunType, PaymentMethod, ThirdPartyPaymentStatus
from elevate_sandbox.domain.ledger import invoice_payment_status, recompute_balance
from elevate_sandbox.domain.money import to_money
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.fixtures import DATASETS
from elevate_sandbox.fixtures.bulk import build_bulk
from tests.conftest import FROZEN_AT, Api


def _bulk(seed: int, customers: int = 300) -> Backend:
    backend = Backend(TenantState(), FrozenClock(parse_instant(FROZEN_AT)), random.Random(seed))
    build_bulk(backend, seed, customers)
    return backend


@pytest.fixture(scope="module")
def bulk() -> Backend:
    return _bulk(3)


def test_bulk_balances_equal_what_the_records_add_up_to(bulk: Backend) -> None:
    state = bulk.state
    assert len(state.customers) == 301 and len(state.invoices) > 1800 and len(state.invoice_payments) > 1500
    assert state.refunds and state.customer_payments and state.balance_adjustments and state.adhoc_invoice_payments
    sample = random.Random(0).sample(sorted(state.customers), 60)
    recomputed = {cid: recompute_balance(state, cid) for cid in sample}
    assert recomputed == {cid: state.customers[cid].balance for cid in sample}


def test_bulk_invoice_statuses_are_the_ledgers(bulk: Backend) -> None:
    wrong = [
        invoice.id
        for invoice in bulk.state.invoices.values()
        if invoice_payment_status(invoice, bulk.index.payments_of(invoice.id)) is not invoice.payment_status
    ]
    assert wrong == []
    statuses = {invoice.payment_status for invoice in bulk.state.invoices.values()}
    assert {"PAID", "UNPAID", "PARTIALLY_PAID"} <= statuses


def test_bulk_data_follows_the_seed_and_keeps_the_id_sequences(bulk: Backend) -> None:
    def digest(backend: Backend) -> str:
        return hashlib.sha256(repr(backend.state).encode()).hexdigest()

    again = _bulk(3)
    assert digest(again) == digest(bulk)
    assert digest(_bulk(4)) != digest(bulk)
    for table, sequence in (("customers", "customers"), ("sites", "sites"), ("invoice_payments", "invoice_payments")):
        assert max(getattr(again.state, table)) == again.state.sequences[sequence]
    created = again.create_customer(name="After the bulk Ltd")
    assert created.id == len(again.state.customers)


def test_the_large_and_million_datasets_are_registered() -> None:
    assert {"empty", "demo", "large", "million"} <= set(DATASETS)


def test_the_index_is_kept_in_step_with_what_build_derives(bulk: Backend) -> None:
    derived = Index.build(bulk.state)
    assert derived.customer_payments_by_customer == bulk.index.customer_payments_by_customer
    assert derived.refunds_by_customer == bulk.index.refunds_by_customer
    for customer_id, payments in bulk.index.customer_payments_by_customer.items():
        assert [p.id for p in payments] == sorted(p.id for p in payments)
        assert all(p.customer_id == customer_id for p in payments)


class NoScan(dict):
    """A table that refuses to be scanned: a list reading it whole fails the test."""

    def _refuse(self, *args: Any) -> Any:
        raise AssertionError("a customer-scoped list scanned a whole table")

    values = items = keys = __iter__ = _refuse


@pytest.fixture
def seeded(api: Api, app: Any, tenant: str) -> Iterator[tuple[Api, Backend]]:
    """Two customers with invoices, customer payments and refunds, made through the API."""
    for name in ("Scale One Ltd", "Scale Two Ltd"):
        customer = api.ok(api.post("/_sandbox/customers", {"name": name}), 201)
        for amount in (120, 80):
            invoice = api.ok(
                api.post(
                    "/_sandbox/invoices",
                    {"customerId": customer["id"], "billRunType": "NORMAL", "amountInMajorCurrency": amount},
                ),
                201,
            )
            body = {"customerId": customer["id"], "amountInMajorCurrency": amount, "type": "BACS"}
            api.ok(api.post("/v1/customer-payments", body))
            refund = {"invoiceId": invoice["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 5}
            api.ok(api.post("/v1/refunds", refund), 201)
    yield api, app.runtime.store.tenant(tenant).backend


def test_customer_scoped_lists_read_the_index_not_the_tables(seeded: tuple[Api, Backend]) -> None:
    api, backend = seeded
    expected_payments = [p.id for p in backend.state.customer_payments.values() if p.customer_id == 2]
    expected_refunds = [r.id for r in backend.state.refunds.values() if r.customer_id == 2]
    backend.state.customer_payments = NoScan(backend.state.customer_payments)
    backend.state.refunds = NoScan(backend.state.refunds)
    payments = api.ok(api.get("/v1/customer-payments", customer_id=2, page=1, pageSize=10, sort="id:desc"))
    assert [p["id"] for p in payments] == sorted(expected_payments, reverse=True)
    refunds = api.ok(api.get("/v1/refunds", customerId=2, page=1, pageSize=10))
    assert [r["id"] for r in refunds] == expected_refunds and refunds


def _amounts(api: Api) -> Callable[[], dict[int, Any]]:
    def read() -> dict[int, Any]:
        rows = api.ok(api.get("/v1/invoice-payments", page=1, pageSize=100))
        return {row["id"]: (row["amountInMajorCurrency"], row.get("thirdPartyPaymentStatus")) for row in rows}

    return read


def test_cached_renderings_follow_every_change(seeded: tuple[Api, Backend]) -> None:
    api, backend = seeded
    read = _amounts(api)
    before = read()
    invoice = backend.create_invoice(customer_id=1, bill_run_type=BillRunType.NORMAL, amount=to_money("10"))
    payment, _ = backend.create_invoice_payment(
        bill_run_type=BillRunType.NORMAL, invoice_id=invoice.id, amount=to_money("10"), description="Direct debit",
        payment_method=PaymentMethod.GO_CARDLESS,
    )  # fmt: skip
    assert read()[payment.id] == (10.0, "SUBMITTED")  # a new record, and the rows before it unchanged
    assert {k: v for k, v in read().items() if k != payment.id} == before
    backend.move_invoice_payment(BillRunType.NORMAL, payment.id, ThirdPartyPaymentStatus.FAILED)
    assert read()[payment.id] == (10.0, "FAILED")  # a move through the backend moves the revision
    # A change that bypasses the backend is still seen once anything moves the revision: each cached row
    # is then compared with its record's fields again.
    payment.amount = to_money("11")
    backend.create_balance_adjustment(customer_id=1, amount=to_money("1"))
    assert read()[payment.id] == (11.0, "FAILED")


def test_reads_do_not_move_the_revision_and_writes_do() -> None:
    backend = _bulk(5, customers=20)
    revision = backend.revision
    backend.get_customer(1)
    backend.customer_balance(1)
    backend.credit_statuses()
    assert backend.revision == revision
    backend.create_balance_adjustment(customer_id=1, amount=to_money("2"))
    assert backend.revision > revision


def test_the_backend_forwards_its_context_and_counts_replacing_the_clock_or_policy_as_a_change() -> None:
    backend = Backend(TenantState(), FrozenClock(parse_instant(FROZEN_AT)), random.Random(0))
    context = backend.context
    assert (backend.clock, backend.rng, backend.index) == (context.clock, context.rng, context.index)
    assert (backend.progression, backend.public_base_url) == (context.progression, context.public_base_url)
    revision = backend.revision
    later = FrozenClock(parse_instant("2026-12-01T09:00:00Z"))
    backend.clock = later
    backend.progression = context.progression
    assert context.clock is later and backend.revision == revision + 2 == context.revision
    with pytest.raises(AttributeError):
        backend.rng = random.Random(1)
    assert context.rng is backend.rng and backend.revision == revision + 2


def test_a_kept_page_is_never_served_after_a_change(seeded: tuple[Api, Backend]) -> None:
    api, backend = seeded
    first = api.ok(api.get("/v1/refunds", page=1, pageSize=2))
    assert api.ok(api.get("/v1/refunds", page=1, pageSize=2)) == first  # kept, and the same
    refund = backend.state.refunds[first[0]["id"]]
    refund.description = "changed behind the backend's back"
    backend.create_balance_adjustment(customer_id=1, amount=to_money("1"))
    again = api.ok(api.get("/v1/refunds", page=1, pageSize=2))
    assert again[0]["description"] == "changed behind the backend's back" and again[1:] == first[1:]
    assert api.ok(api.get("/v1/refunds", page=2, pageSize=2)) != again  # another page, another key
    projected = api.ok(api.get("/v1/refunds", page=1, pageSize=2, fields="id"))
    assert projected == [{"id": row["id"]} for row in first]
