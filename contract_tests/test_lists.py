"""List semantics no schema can express, on every paged list of the contract (read-only)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from elevate_sandbox.contract_tests import lists, spec
from elevate_sandbox.contract_tests.client import Api
from elevate_sandbox.contract_tests.plugin import KitPlugin

LISTS = spec.list_operations()
SORTS = ("ascending", "descending", "several")
# Records a list needs for the checks; a writable target gets a few customer payments when it has fewer.
MINIMUM = 3


def _ids(operation: spec.Operation) -> str:
    return operation.operation_id


@pytest.fixture(scope="session")
def required_params(plugin: KitPlugin) -> Callable[[Api, spec.Operation], dict[str, Any]]:
    """Values for a list's required parameters other than paging (``customer_id``), found in the data."""
    found: dict[str, dict[str, Any]] = {}

    def params(api: Api, operation: spec.Operation) -> dict[str, Any]:
        needed = [n for n, p in operation.filters.items() if p.get("required")]
        if not needed:
            return {}
        if operation.operation_id not in found:
            count, params = _busiest_customer(api, operation, needed)
            if count < MINIMUM and not plugin.target.read_only:
                _add_customer_payments(api, params["customer_id"], MINIMUM - count)
            found[operation.operation_id] = params
        return found[operation.operation_id]

    return params


def _busiest_customer(api: Api, operation: spec.Operation, needed: list[str]) -> tuple[int, dict[str, Any]]:
    """The customer with the most records in ``operation`` (customers come from the credit-status list)."""
    assert needed == ["customer_id"], f"no way to find values for {needed}"
    statuses = api.ok(api.get("/customer-credit-status", page=1, pageSize=100), 200)
    best: tuple[int, dict[str, Any]] = (-1, {})
    for status in statuses[:40]:
        params = {"customer_id": status["customerId"]}
        rows = api.get(operation.path, page=1, pageSize=lists.PAGE_ALL, **params)
        if rows.status_code == 200 and len(rows.json()) > best[0]:
            best = (len(rows.json()), params)
    if best[0] < 0:
        pytest.skip(f"no customer to list {operation.label} for")
    return best


def _add_customer_payments(api: Api, customer_id: int, count: int) -> None:
    """Record a few small payments so that the list checks have something to page, sort and filter."""
    for number, method in zip(range(count), ("BACS", "CHEQUE", "CREDIT_CARD"), strict=False):
        body = {
            "customerId": customer_id,
            "amountInMajorCurrency": 1.5 + number,
            "type": method,
            "reference": f"KIT-LIST-{secrets.token_hex(3).upper()}",
        }
        api.ok(api.post("/customer-payments", body), 200, 201)


@pytest.fixture
def probe(request: pytest.FixtureRequest, api: Api, required_params: Any) -> Iterator[lists.ListProbe]:
    operation: spec.Operation = request.param
    yield lists.ListProbe(api, operation, required_params(api, operation))


def _judge(plugin: KitPlugin, probe: lists.ListProbe, check: str, run: Callable[[], None]) -> None:
    try:
        with plugin.verdict(probe.operation.label, check, probe.api):
            run()
    except lists.NotEnoughData as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("probe", LISTS, ids=_ids, indirect=True)
def test_page_size_is_honoured_and_pages_are_disjoint(plugin: KitPlugin, probe: lists.ListProbe) -> None:
    _judge(plugin, probe, "paging_honoured", lambda: lists.check_paging(probe))


@pytest.mark.parametrize("kind", SORTS)
@pytest.mark.parametrize("probe", LISTS, ids=_ids, indirect=True)
def test_sort_orders_the_answer(plugin: KitPlugin, probe: lists.ListProbe, kind: str) -> None:
    _judge(plugin, probe, "sort_order", lambda: lists.check_sort(probe, kind))


@pytest.mark.parametrize("probe", LISTS, ids=_ids, indirect=True)
def test_fields_returns_exactly_the_fields_asked(plugin: KitPlugin, probe: lists.ListProbe) -> None:
    _judge(plugin, probe, "fields_projection", lambda: lists.check_fields(probe))


FILTERS = [(operation, case) for operation in LISTS for case in lists.filter_cases(operation)]


@pytest.mark.parametrize(
    ("probe", "case"),
    FILTERS,
    ids=[f"{op.operation_id}-{case.name}" for op, case in FILTERS],
    indirect=["probe"],
)
def test_each_filter_syntax_selects_what_it_says(
    plugin: KitPlugin, probe: lists.ListProbe, case: lists.FilterCase
) -> None:
    _judge(plugin, probe, "filter_semantics", lambda: lists.check_filter(probe, case))
