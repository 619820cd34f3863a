"""List semantics no schema can express, on every paged list of the contract (read-only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from elevate_sandbox.contract_tests import lists, spec
from elevate_sandbox.contract_tests.client import Api
from elevate_sandbox.contract_tests.plugin import KitPlugin

LISTS = spec.list_operations()
SORTS = ("ascending", "descending", "several")


def _ids(operation: spec.Operation) -> str:
    return operation.operation_id


@pytest.fixture
def probe(request: pytest.FixtureRequest, api: Api, required_params: Any) -> Iterator[lists.ListProbe]:
    operation: spec.Operation | None = request.param
    if operation is None:
        pytest.skip(NO_RANGES)
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


@pytest.mark.parametrize("probe", LISTS, ids=_ids, indirect=True)
def test_sort_holds_across_pages(plugin: KitPlugin, probe: lists.ListProbe) -> None:
    _judge(plugin, probe, "sort_across_pages", lambda: lists.check_sort_across_pages(probe))


@pytest.mark.parametrize("probe", LISTS, ids=_ids, indirect=True)
def test_dates_and_amounts_are_written_as_the_contract_states(plugin: KitPlugin, probe: lists.ListProbe) -> None:
    _judge(plugin, probe, "formats_exact", lambda: lists.check_formats(probe))


NO_RANGES = "the contract documents no range filter operator (gt:, gte:, lt:, lte:)"
RANGES = [(operation, name, op) for operation in LISTS for name, op in lists.range_filters(operation)]


@pytest.mark.parametrize(
    ("probe", "parameter", "operator"),
    RANGES
    or [
        pytest.param(
            None,
            "",
            "",
            marks=pytest.mark.skip(reason="the contract documents no range filter operator (gt:, gte:, lt:, lte:)"),
        )
    ],
    ids=[f"{op.operation_id}-{name}-{o.rstrip(':')}" for op, name, o in RANGES] or ["none"],
    indirect=["probe"],
)
def test_each_range_filter_keeps_its_bounds(
    plugin: KitPlugin, probe: lists.ListProbe, parameter: str, operator: str
) -> None:
    _judge(plugin, probe, "filter_bounds", lambda: lists.check_filter_bounds(probe, parameter, operator))
