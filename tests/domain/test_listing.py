"""Unit tests of the shared list pipeline: filters, sort, fields and paging (reference 3.1-3.3)."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from elevate_sandbox.domain.errors import (
    INVALID_FIELDS,
    INVALID_FILTER,
    INVALID_SORT,
    VALIDATION_ERROR,
    InvalidRequest,
)
from elevate_sandbox.listing import (
    FilterKind,
    FilterSpec,
    list_page,
    make_predicate,
    named_ids,
    parse_fields,
    parse_sort,
)

# Four records covering the awkward cases: mixed case names, an `_` in an enum, Decimal and int
# amounts, a null date, a date-time, and optional keys (`active`, `date`, `note`, `count`) left out.
RECORDS: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": "Alpha",
        "type": "DIRECT_DEBIT",
        "amount": Decimal("12.50"),
        "active": True,
        "date": "2024-01-10",
        "customerId": 7,
        "note": "x",
        "count": 3,
    },
    {
        "id": 2,
        "name": "beta",
        "type": "CARD",
        "amount": Decimal("-5.00"),
        "active": False,
        "date": "2024-02-01T09:30:00Z",
        "customerId": 8,
        "count": -1,
    },
    {
        "id": 3,
        "name": "Gamma",
        "type": "DIRECTXDEBIT",
        "amount": Decimal("0.00"),
        "active": True,
        "date": None,
        "customerId": 7,
    },
    {"id": 4, "name": "alpha", "type": "STRIPE", "amount": 100, "customerId": 9, "note": "y"},
]
ALL_IDS = [1, 2, 3, 4]
# Every key some record has: what these tests let a list sort on and project (a resource's table does it
# for the real lists).
KNOWN = frozenset(key for record in RECORDS for key in record)


def _page(records: Any, params: dict[str, Any], filters: Any = (), **options: Any) -> list[dict[str, Any]]:
    options.setdefault("sortable", KNOWN)
    options.setdefault("projectable", KNOWN)
    return list_page(records, params, filters, **options)


def _params(**extra: Any) -> dict[str, Any]:
    return {"page": 1, "pageSize": 100, **extra}


def _ids(rows: list[dict[str, Any]]) -> list[int]:
    return [row["id"] for row in rows]


def _matching(kind: FilterKind, field: str, raw: Any) -> list[int]:
    test = make_predicate(FilterSpec(field, field, kind), raw)
    return [r["id"] for r in RECORDS if test(r)]


def _assert_refused(error: InvalidRequest, code: str, field: str) -> None:
    assert error.code == code
    assert [p.field for p in error.problems] == [field]


# --- filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CARD", [2]),
        ("card", []),  # exact is case-sensitive
        ("NOPE", []),
        ("in:CARD, STRIPE", [2, 4]),
        ("in:NOPE", []),
        ("like:dir", [1, 3]),  # no wildcard: contains, case-insensitive
        ("like:AR", [2]),
        ("like:DIRECT_DEBIT", [1, 3]),  # `_` is one character
        ("like:%debit", [1, 3]),
        ("like:s%", [4]),
        ("like:c_rd", [2]),
        ("like:c_r", []),  # with a wildcard the pattern must match the whole value
    ],
)
def test_string_filter_forms(raw: str, expected: list[int]) -> None:
    assert _matching(FilterKind.STRING, "type", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.50", [1]),
        ("12.5", [1]),  # numeric fields compare numerically: JSON clients drop trailing zeros
        ("0", [3]),
        ("100", [4]),
        ("in:-5,100", [2, 4]),
        ("like:2.5", [1]),
        ("1e2", [4]),
    ],
)
def test_string_filter_on_numbers(raw: str, expected: list[int]) -> None:
    assert _matching(FilterKind.STRING, "amount", raw) == expected


def test_string_filter_renders_booleans_as_json() -> None:
    assert _matching(FilterKind.STRING, "active", "true") == [1, 3]
    assert _matching(FilterKind.STRING, "active", "in:false") == [2]


@pytest.mark.parametrize(("raw", "expected"), [("x", [1]), ("like:%", [1, 4]), ("in:x,y", [1, 4])])
def test_string_filter_never_matches_a_missing_field(raw: str, expected: list[int]) -> None:
    assert _matching(FilterKind.STRING, "note", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7", [1, 3]), (7, [1, 3]), ("in:8,9", [2, 4]), ("in: 8 , 9 ", [2, 4]), ("0", []), (" 8 ", [2])],
)
def test_id_filter(raw: Any, expected: list[int]) -> None:
    assert _matching(FilterKind.ID, "customerId", raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("-1", [2]), (3, [1]), ("8", []), ("0", [])])
def test_integer_filter_is_exact_and_skips_missing_fields(raw: Any, expected: list[int]) -> None:
    assert _matching(FilterKind.INTEGER, "count", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", [1, 3]), ("FALSE", [2]), (True, [1, 3]), (False, [2]), ("in:true,false", [1, 2, 3])],
)
def test_boolean_filter(raw: Any, expected: list[int]) -> None:
    assert _matching(FilterKind.BOOLEAN, "active", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-10", [1]),
        ("2024-02-01", [2]),  # a date-time field compares on its date part
        ("2024-01-11", []),
        ("lt:2024-02-01", [1]),
        ("lt:2024-01-10", []),
        ("gt:2024-01-10", [2]),
        ("gtn:2024-01-10", [2, 3, 4]),  # null (3) and absent (4) count for gtn
        ("gtn:2030-01-01", [3, 4]),
    ],
)
def test_date_filter_forms(raw: str, expected: list[int]) -> None:
    assert _matching(FilterKind.DATE, "date", raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (FilterKind.STRING, "in:"),
        (FilterKind.STRING, "like:"),
        (FilterKind.STRING, "in:a,,b"),
        (FilterKind.ID, "abc"),
        (FilterKind.ID, "-1"),
        (FilterKind.ID, "1.5"),
        (FilterKind.ID, "12,13"),
        (FilterKind.ID, "in:"),
        (FilterKind.ID, "in:1,x"),
        (FilterKind.INTEGER, "x"),
        (FilterKind.INTEGER, "1.0"),
        (FilterKind.BOOLEAN, "yes"),
        (FilterKind.BOOLEAN, "1"),
        (FilterKind.BOOLEAN, "in:true,maybe"),
        (FilterKind.DATE, "2024-13-01"),
        (FilterKind.DATE, "20240110"),
        (FilterKind.DATE, "2024-01-10T00:00:00Z"),
        (FilterKind.DATE, "lt:"),
        (FilterKind.DATE, "lte:2024-01-10"),
        (FilterKind.DATE, "gte:2024-01-10"),
        (FilterKind.DATE, "lt:2024/01/10"),
    ],
)
def test_malformed_filter_names_the_parameter_value_and_syntax(kind: FilterKind, raw: str) -> None:
    spec = FilterSpec("customer_id", "customerId", kind)
    with pytest.raises(InvalidRequest) as caught:
        make_predicate(spec, raw)
    _assert_refused(caught.value, INVALID_FILTER, "customer_id")
    message = caught.value.problems[0].message
    assert repr(raw) in message
    assert "expected" in message


def test_list_page_applies_filters_together_and_ignores_empty_and_unknown_params() -> None:
    filters = [
        FilterSpec("customer_id", "customerId", FilterKind.ID),
        FilterSpec("active", "active", FilterKind.BOOLEAN),
        FilterSpec("type", "type", FilterKind.STRING),
    ]
    params = _params(customer_id="7", active="true", type="", name="beta", unrelated="in:")
    assert _ids(_page(RECORDS, params, filters)) == [1, 3]
    assert _ids(_page(RECORDS, _params(customer_id=None, type="CARD"), filters)) == [2]
    assert _ids(_page(RECORDS, _params(type="CARD"))) == ALL_IDS  # not a declared filter


def test_list_page_reports_a_bad_filter_under_its_query_name() -> None:
    with pytest.raises(InvalidRequest) as caught:
        _page(RECORDS, _params(customer_id="seven"), [FilterSpec("customer_id", "customerId", FilterKind.ID)])
    _assert_refused(caught.value, INVALID_FILTER, "customer_id")


# --- sort ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name", [("name", False)]),
        ("name,id:desc", [("name", False), ("id", True)]),
        (" name : asc , id:DESC ", [("name", False), ("id", True)]),
    ],
)
def test_parse_sort(text: str, expected: list[tuple[str, bool]]) -> None:
    assert parse_sort(text, {"id", "name"}) == expected


@pytest.mark.parametrize("text", ["nope", "id,", ",id", "", "id:down", ":desc", "id:desc:asc", "note"])
def test_parse_sort_refuses_unknown_fields_empty_items_and_bad_suffixes(text: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_sort(text, {"id", "name"})
    _assert_refused(caught.value, INVALID_SORT, "sort")
    assert "id, name" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", [1, 3, 4, 2]),  # case-sensitive: "Alpha" < "Gamma" < "alpha" < "beta"
        ("name:desc", [2, 4, 3, 1]),
        ("amount", [2, 3, 1, 4]),  # numerically, Decimal and int together
        ("amount:desc", [4, 1, 3, 2]),
        ("customerId,name:desc", [3, 1, 2, 4]),
        ("customerId", [1, 3, 2, 4]),  # ties keep id order
        ("customerId:desc", [4, 2, 1, 3]),  # also when descending
        ("date", [3, 4, 1, 2]),  # null and absent first ascending
        ("date:desc", [2, 1, 3, 4]),  # and last descending
        ("active", [4, 2, 1, 3]),  # absent, then False < True
        ("id:desc", [4, 3, 2, 1]),
    ],
)
def test_sort_orders(sort: str, expected: list[int]) -> None:
    assert _ids(_page(RECORDS, _params(sort=sort))) == expected


def test_default_order_is_the_default_sort_whatever_the_input_order() -> None:
    shuffled = RECORDS[:]
    random.Random(7).shuffle(shuffled)
    assert _ids(_page(shuffled, _params())) == ALL_IDS
    assert _ids(_page(shuffled, _params(sort="customerId"))) == [1, 3, 2, 4]
    assert _ids(_page(shuffled, _params(), default_sort="name")) == [1, 3, 4, 2]


def test_a_sort_key_the_filtered_records_lack_still_sorts_them() -> None:
    filters = [FilterSpec("type", "type", FilterKind.STRING)]
    assert _ids(_page(RECORDS, _params(type="CARD", sort="note"), filters)) == [2]


def test_explicit_sortable_refuses_a_field_the_records_have() -> None:
    with pytest.raises(InvalidRequest) as caught:
        _page(RECORDS, _params(sort="note"), sortable={"id", "name"})
    _assert_refused(caught.value, INVALID_SORT, "sort")
    assert "'note'" in caught.value.message


# --- fields ----------------------------------------------------------------------------------------


def test_parse_fields_keeps_order_and_drops_duplicates() -> None:
    assert parse_fields(" name,id ,name", {"id", "name"}) == ["name", "id"]


@pytest.mark.parametrize("text", ["nope", "id,", " , ", "id,,name"])
def test_parse_fields_refuses_unknown_and_empty_items(text: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_fields(text, {"id", "name"})
    _assert_refused(caught.value, INVALID_FIELDS, "fields")


def test_projection_is_exact_ordered_and_leaves_absent_fields_absent() -> None:
    rows = _page(RECORDS, _params(fields="note,id,note,date"))
    assert [list(row) for row in rows] == [["note", "id", "date"], ["id", "date"], ["id", "date"], ["note", "id"]]
    assert rows[0] == {"note": "x", "id": 1, "date": "2024-01-10"}
    assert rows[2] == {"id": 3, "date": None}  # a key present as null stays, as the record has it


def test_projection_happens_after_sorting_on_an_unprojected_field() -> None:
    assert _page(RECORDS, _params(sort="name", fields="id")) == [{"id": 1}, {"id": 3}, {"id": 4}, {"id": 2}]


def test_explicit_projectable_refuses_other_fields() -> None:
    with pytest.raises(InvalidRequest) as caught:
        _page(RECORDS, _params(fields="id,note"), projectable={"id", "name"})
    _assert_refused(caught.value, INVALID_FIELDS, "fields")


def test_without_fields_rows_are_whole_copies() -> None:
    rows = _page(RECORDS, _params())
    assert rows == RECORDS
    rows[0]["name"] = "changed"
    assert RECORDS[0]["name"] == "Alpha"


# --- paging ----------------------------------------------------------------------------------------

MANY = [{"id": n} for n in range(1, 26)]


@pytest.mark.parametrize(
    ("page", "size", "expected"),
    [
        (1, 10, list(range(1, 11))),
        (2, 10, list(range(11, 21))),
        (3, 10, list(range(21, 26))),  # last page is partial
        (4, 10, []),  # past the end
        (1, 1000, list(range(1, 26))),
        (25, 1, [25]),
        (2**31 - 1, 1000, []),
        ("2", "12", list(range(13, 25))),  # strings are coerced
    ],
)
def test_paging(page: Any, size: Any, expected: list[int]) -> None:
    assert _ids(_page(MANY, {"page": page, "pageSize": size})) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0, "pageSize": 10}, "page"),
        ({"page": -1, "pageSize": 10}, "page"),
        ({"page": "x", "pageSize": 10}, "page"),
        ({"page": 2**31, "pageSize": 10}, "page"),  # PageParam is int32
        ({"pageSize": 10}, "page"),
        ({"page": 1, "pageSize": 0}, "pageSize"),
        ({"page": 1, "pageSize": 1001}, "pageSize"),
        ({"page": 1, "pageSize": True}, "pageSize"),
        ({"page": 1}, "pageSize"),
    ],
)
def test_paging_refuses_out_of_range_values(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        _page(MANY, params)
    _assert_refused(caught.value, VALIDATION_ERROR, field)


def test_list_page_reads_a_one_shot_iterable_once() -> None:
    rows = _page((dict(r) for r in RECORDS), _params(sort="name:desc", pageSize=2, fields="name"))
    assert rows == [{"name": "beta"}, {"name": "alpha"}]


@pytest.mark.parametrize(
    ("params", "expected", "rendered"),
    [
        ({}, [4, 5, 6], [4, 5, 6]),  # skipped records that no filter needs are never rendered
        ({"sort": "id"}, [4, 5, 6], [4, 5, 6]),
        ({"even": "true"}, [8, 10, 12], list(range(1, 13))),  # rendered up to the page's last match
        ({"sort": "id:desc"}, [97, 96, 95], list(range(1, 101))),  # another order renders everything
    ],
)
def test_presorted_records_render_only_what_the_page_needs(
    params: dict[str, Any], expected: list[int], rendered: list[int]
) -> None:
    seen: list[int] = []

    def render(n: int) -> dict[str, Any]:
        seen.append(n)
        return {"id": n, "even": n % 2 == 0}

    filters = [FilterSpec("even", "even", FilterKind.BOOLEAN)]
    rows = _page(
        range(1, 101), {"page": 2, "pageSize": 3, **params}, filters,
        sortable={"id"}, projectable={"id", "even"}, render=render, presorted=True,
    )
    assert _ids(rows) == expected
    assert seen == rendered


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", {12}),
        (12, {12}),
        ("in:12,13", {12, 13}),
        (" in:13, 12 ", {12, 13}),
        ("in:", None),
        ("in:1,x", None),
        ("-1", None),
        (-1, None),
        ("like:1", None),
    ],
)
def test_named_ids_reads_an_id_filter_or_says_it_is_malformed(raw: Any, expected: set[int] | None) -> None:
    assert named_ids(raw) == (frozenset(expected) if expected is not None else None)
