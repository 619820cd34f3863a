"""The shared list pipeline on small record lists: every filter form, sort, fields, paging, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.domain import errors
from sandbox.domain.errors import InvalidRequest
from sandbox.listing import FilterKind, FilterSpec, list_page, make_predicate, parse_fields, parse_sort

RECORDS = [
    {"id": 1, "name": "Acme Ltd", "type": "BACS", "amount": Decimal("10.50"), "live": True, "date": "2026-01-05"},
    {"id": 2, "name": "beta plc", "type": "CHEQUE", "amount": Decimal("-3.00"), "live": False, "date": "2026-02-10"},
    {"id": 3, "name": "Crane & Co", "type": "BACS", "amount": Decimal("99.99"), "live": True},
    {
        "id": 4,
        "name": "Acme Holdings",
        "type": "GO_CARDLESS",
        "amount": Decimal("10.50"),
        "live": False,
        "date": "2026-03-01T09:00:00Z",
    },
]
ALL = {"page": 1, "pageSize": 100}


def _ids(rows: list[dict]) -> list[int]:
    return [row["id"] for row in rows]


def _filtered(kind: FilterKind, field: str, value: object) -> list[int]:
    spec = FilterSpec("q", field, kind)
    return _ids(list_page(RECORDS, {**ALL, "q": value}, [spec]))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("BACS", [1, 3]),
        ("in:CHEQUE,GO_CARDLESS", [2, 4]),
        ("in: CHEQUE , BACS", [1, 2, 3]),
        ("like:acme", [1, 4]),
        ("like:A%Ltd", [1]),
        ("like:_eta%", [2]),
        ("NOPE", []),
    ],
)
def test_string_filters(value: str, expected: list[int]) -> None:
    assert _filtered(FilterKind.STRING, "type" if not value.startswith("like") else "name", value) == expected


def test_a_string_filter_compares_decimals_by_their_text() -> None:
    assert _filtered(FilterKind.STRING, "amount", "10.50") == [1, 4]


@pytest.mark.parametrize(("value", "expected"), [("2", [2]), (3, [3]), ("in:1,4", [1, 4]), ("9", [])])
def test_id_filters(value: object, expected: list[int]) -> None:
    assert _filtered(FilterKind.ID, "id", value) == expected


@pytest.mark.parametrize(("value", "expected"), [("true", [1, 3]), ("FALSE", [2, 4]), ("in:true,false", [1, 2, 3, 4])])
def test_boolean_filters(value: str, expected: list[int]) -> None:
    assert _filtered(FilterKind.BOOLEAN, "live", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-02-10", [2]), ("lt:2026-02-10", [1]), ("gt:2026-02-10", [4]), ("gtn:2026-02-10", [3, 4])],
)
def test_date_filters_with_a_missing_field_matching_only_gtn(value: str, expected: list[int]) -> None:
    assert _filtered(FilterKind.DATE, "date", value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (FilterKind.STRING, "in:"),
        (FilterKind.STRING, "like:"),
        (FilterKind.STRING, "in:a,,b"),
        (FilterKind.ID, "abc"),
        (FilterKind.ID, "1,2"),
        (FilterKind.BOOLEAN, "yes"),
        (FilterKind.DATE, "2026-13-01"),
        (FilterKind.DATE, "le:2026-01-01"),
        (FilterKind.INTEGER, "x"),
    ],
)
def test_a_malformed_filter_value_names_its_parameter(kind: FilterKind, value: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        make_predicate(FilterSpec("q", "id", kind), value)
    assert caught.value.code == errors.INVALID_FILTER
    assert caught.value.problems[0].field == "q"
    assert repr(value) in caught.value.message


def test_sort_ascending_descending_and_several_keys() -> None:
    assert _ids(list_page(RECORDS, {**ALL, "sort": "name"})) == [4, 1, 3, 2]
    assert _ids(list_page(RECORDS, {**ALL, "sort": "amount:desc"})) == [3, 1, 4, 2]
    assert _ids(list_page(RECORDS, {**ALL, "sort": "amount:desc,id:desc"})) == [3, 4, 1, 2]
    assert _ids(list_page(RECORDS, {**ALL, "sort": "type,amount"})) == [1, 3, 2, 4]


def test_records_without_the_sort_field_come_first_ascending_and_last_descending() -> None:
    assert _ids(list_page(RECORDS, {**ALL, "sort": "date"})) == [3, 1, 2, 4]
    assert _ids(list_page(RECORDS, {**ALL, "sort": "date:desc"})) == [4, 2, 1, 3]


def test_ties_keep_the_id_order() -> None:
    assert _ids(list_page(RECORDS, {**ALL, "sort": "live"})) == [2, 4, 1, 3]


@pytest.mark.parametrize("text", ["colour", "name,", "name:up", ":desc"])
def test_a_bad_sort_is_refused(text: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_sort(text, {"id", "name"})
    assert caught.value.code == errors.INVALID_SORT and caught.value.problems[0].field == "sort"


def test_fields_projects_exactly_in_the_order_asked_and_keeps_absent_fields_absent() -> None:
    rows = list_page(RECORDS, {**ALL, "fields": "date,id,date"})
    assert [list(row) for row in rows] == [["date", "id"], ["date", "id"], ["id"], ["date", "id"]]


def test_projection_comes_after_sorting() -> None:
    assert list_page(RECORDS, {**ALL, "sort": "amount", "fields": "id"}) == [{"id": 2}, {"id": 1}, {"id": 4}, {"id": 3}]


@pytest.mark.parametrize("text", ["id,colour", "id,,name", ""])
def test_bad_fields_are_refused(text: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_fields(text, {"id", "name"})
    assert caught.value.code == errors.INVALID_FIELDS


@pytest.mark.parametrize(
    ("page", "size", "expected"), [(1, 3, [1, 2, 3]), (2, 3, [4]), (3, 3, []), (2, 1, [2]), (1, 1000, [1, 2, 3, 4])]
)
def test_paging_slices(page: int, size: int, expected: list[int]) -> None:
    assert _ids(list_page(RECORDS, {"page": page, "pageSize": size})) == expected


@pytest.mark.parametrize("params", [{"page": 0, "pageSize": 1}, {"page": 1, "pageSize": 1001}, {"pageSize": 5}])
def test_bad_paging_is_refused(params: dict) -> None:
    with pytest.raises(InvalidRequest) as caught:
        list_page(RECORDS, params)
    assert caught.value.code == errors.VALIDATION_ERROR


def test_unknown_sort_is_refused_even_on_an_empty_list_when_the_fields_are_declared() -> None:
    with pytest.raises(InvalidRequest):
        list_page([], {**ALL, "sort": "colour"}, sortable={"id"}, projectable={"id"})
