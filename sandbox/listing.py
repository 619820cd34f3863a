"""The list pipeline shared by every list operation: filter, sort, page and project API records.

Reference 3.1-3.3: ``page`` (>= 1) and ``pageSize`` (1..1000) slice a bare array; ``sort`` is a comma
list of fields, each optionally ``:desc``; ``fields`` projects; filters take ``xyz | in:x,y | like:xyz``
(strings), ids, integers, booleans, and ``yyyy-MM-dd | lt: | gt: | gtn:`` (dates).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from itertools import islice
from typing import Any

from elevate_sandbox.domain.errors import (
    INVALID_FIELDS,
    INVALID_FILTER,
    INVALID_SORT,
    VALIDATION_ERROR,
    FieldProblem,
    InvalidRequest,
)

# The query parameters every list takes; the others are its filters (resources.py) or scopes (handlers).
LIST_PARAMETERS = frozenset({"page", "pageSize", "sort", "fields"})
MAX_PAGE_SIZE = 1000
MAX_PAGE = 2**31 - 1  # PageParam is int32 (reference 3.1); Connexion does not check the format
Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]

STRING_SYNTAX = "xyz | in:x,y | like:xyz"
ID_SYNTAX = "an id such as 12, in:12,13, lt:12, gt:12 or like:12"
INTEGER_SYNTAX = "an integer such as 12"
BOOLEAN_SYNTAX = "true | false | in:true,false"
DATE_SYNTAX = "yyyy-MM-dd | lt:yyyy-MM-dd | gt:yyyy-MM-dd | gtn:yyyy-MM-dd"
SORT_DIRECTIONS = {"": False, "asc": False, "desc": True}

_DIGITS = re.compile(r"\d+")
_INTEGER = re.compile(r"-?\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_OPERATORS: dict[str, Callable[[date, date], bool]] = {
    "": date.__eq__,
    "lt": date.__lt__,
    "gt": date.__gt__,
    "gtn": date.__gt__,
}


class FilterKind(StrEnum):
    """The value syntax a filter parameter accepts (reference 3.2-3.3)."""

    STRING = "string"
    ID = "id"
    BOOLEAN = "boolean"
    DATE = "date"
    INTEGER = "integer"


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """One filter parameter: its query name, the record field it tests, and its syntax."""

    param: str
    field: str
    kind: FilterKind


def _refuse(code: str, field: str, message: str) -> InvalidRequest:
    return InvalidRequest(message, code, [FieldProblem(field, message)])


def _bad_filter(spec: FilterSpec, raw: Any, syntax: str) -> InvalidRequest:
    return _refuse(INVALID_FILTER, spec.param, f"{spec.param}={raw!r} is not valid; expected {syntax}")


def _as_text(value: Any) -> str:
    """The string form a filter compares: JSON's spelling of booleans, plain notation for decimals."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _items(text: str, spec: FilterSpec, raw: Any, syntax: str) -> list[str]:
    """The trimmed items of an ``in:`` list; an empty list or item is a malformed filter."""
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise _bad_filter(spec, raw, syntax)
    return items


def _present(record: Record, field: str) -> bool:
    # A null value is treated like an absent key: the API omits optional fields or renders them null.
    return record.get(field) is not None


def _number(value: Any) -> Decimal | None:
    """A finite Decimal for a number or numeric text, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _equals_one_of(wanted: Collection[str]) -> Callable[[Any], bool]:
    """Exact match on the string form; numeric fields also match numerically ("12.5" == 12.50)."""
    texts = set(wanted)
    numbers = {n for n in map(_number, wanted) if n is not None}

    def test(value: Any) -> bool:
        if _as_text(value) in texts:
            return True
        # JSON clients see 12.50 as 12.5, so a numeric field must not depend on trailing zeros.
        is_numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        return is_numeric and _number(value) in numbers

    return test


def like_pattern(pattern: str) -> re.Pattern[str]:
    """SQL LIKE as a regex: ``%`` any run, ``_`` one character, no wildcard means "contains"."""
    if "%" not in pattern and "_" not in pattern:
        pattern = f"%{pattern}%"
    parts = (".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _string_predicate(spec: FilterSpec, raw: Any) -> Predicate:
    text = _as_text(raw)
    if text.startswith("like:"):
        if not text[5:]:
            raise _bad_filter(spec, raw, STRING_SYNTAX)
        regex = like_pattern(text[5:])
        return lambda r: _present(r, spec.field) and regex.fullmatch(_as_text(r[spec.field])) is not None
    wanted = _items(text[3:], spec, raw, STRING_SYNTAX) if text.startswith("in:") else [text]
    test = _equals_one_of(wanted)
    return lambda r: _present(r, spec.field) and test(r[spec.field])


def _as_int(value: Any) -> int | None:
    """An int field value, accepting digit strings; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    return None


def named_ids(raw: Any) -> frozenset[int] | None:
    """The ids an id filter names (``12`` or ``in:12,13``); None when it is not well formed.

    Handlers use it to read the records of named ids from an index instead of scanning a table.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        return frozenset({raw}) if raw >= 0 else None
    text = _as_text(raw).strip()
    items = [item.strip() for item in text[3:].split(",")] if text.startswith("in:") else [text]
    if not all(_DIGITS.fullmatch(item) for item in items):
        return None
    return frozenset(int(item) for item in items)


def _id_predicate(spec: FilterSpec, raw: Any) -> Predicate:
    wanted = named_ids(raw)
    if wanted is not None:
        return lambda r: _as_int(r.get(spec.field)) in wanted
    operator, _, bound_text = _as_text(raw).strip().partition(":")
    if operator == "like" and bound_text:
        return _string_predicate(spec, raw)  # an id's digits, as a string filter reads them
    if operator in ("lt", "gt") and _DIGITS.fullmatch(bound_text.strip()):
        bound = int(bound_text)
        if operator == "lt":
            return lambda r: (value := _as_int(r.get(spec.field))) is not None and value < bound
        return lambda r: (value := _as_int(r.get(spec.field))) is not None and value > bound
    raise _bad_filter(spec, raw, ID_SYNTAX)


def _integer_predicate(spec: FilterSpec, raw: Any) -> Predicate:
    wanted = _as_int(raw if isinstance(raw, int) else _as_text(raw).strip())
    if wanted is None:
        raise _bad_filter(spec, raw, INTEGER_SYNTAX)
    return lambda r: _as_int(r.get(spec.field)) == wanted


def _boolean_predicate(spec: FilterSpec, raw: Any) -> Predicate:
    text = _as_text(raw).strip().lower()
    # `true , false` (the docs' example) lists both values, as `in:true,false` does.
    items = _items(text.removeprefix("in:"), spec, raw, BOOLEAN_SYNTAX)
    if not set(items) <= {"true", "false"}:
        raise _bad_filter(spec, raw, BOOLEAN_SYNTAX)
    wanted = {item == "true" for item in items}
    return lambda r: isinstance(r.get(spec.field), bool) and r[spec.field] in wanted


def _record_date(value: Any) -> date | None:
    """The date part of a 'yyyy-MM-dd' or ISO date-time field; None when absent or unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)[:10] if value is not None else ""
    try:
        return date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:
        return None


def _date_predicate(spec: FilterSpec, raw: Any) -> Predicate:
    text = _as_text(raw).strip()
    operator, _, rest = text.rpartition(":")
    # rpartition leaves a bare date with an empty operator; only the four documented forms are accepted.
    bound = _record_date(rest) if _ISO_DATE.fullmatch(rest) else None
    if operator not in _DATE_OPERATORS or bound is None:
        raise _bad_filter(spec, raw, DATE_SYNTAX)
    compare = _DATE_OPERATORS[operator]

    def matches(record: Record) -> bool:
        value = _record_date(record.get(spec.field))
        if value is None:
            # `gtn:` is undocumented; our reading is "greater than, or null" (reference 3.3).
            return operator == "gtn"
        return compare(value, bound)

    return matches


_BUILDERS: dict[FilterKind, Callable[[FilterSpec, Any], Predicate]] = {
    FilterKind.STRING: _string_predicate,
    FilterKind.ID: _id_predicate,
    FilterKind.INTEGER: _integer_predicate,
    FilterKind.BOOLEAN: _boolean_predicate,
    FilterKind.DATE: _date_predicate,
}


def make_predicate(spec: FilterSpec, raw_value: Any, ignored: list[str] | None = None) -> Predicate:
    """The test a record must pass for one filter value; raises InvalidRequest on a malformed value.

    Given an ``ignored`` list (lenient mode), a malformed value is compared as it is instead, so it
    matches nothing, and the filter is named in ``ignored``.
    """
    try:
        return _BUILDERS[spec.kind](spec, raw_value)
    except InvalidRequest:
        if ignored is None:
            raise
        ignored.append(f"{spec.param} (unreadable, matches nothing)")
        return lambda _record: False


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")]


def parse_sort(text: str, allowed: Collection[str], ignored: list[str] | None = None) -> list[tuple[str, bool]]:
    """``"name,id:desc"`` -> ``[("name", False), ("id", True)]``: (field, descending) pairs.

    An unknown name is refused, or, given an ``ignored`` list (lenient mode), left out and named there.
    """
    keys: list[tuple[str, bool]] = []
    for item in _names(text):
        name, _, direction = (part.strip() for part in item.partition(":"))
        if not name or name not in allowed or direction.lower() not in SORT_DIRECTIONS:
            if ignored is not None:
                ignored.append(f"sort {item!r}")
                continue
            fields = ", ".join(sorted(allowed))
            message = f"cannot sort by {item!r}: use a comma list of {fields}, each optionally :asc or :desc"
            raise _refuse(INVALID_SORT, "sort", message)
        keys.append((name, SORT_DIRECTIONS[direction.lower()]))
    return keys


def parse_fields(text: str, allowed: Collection[str], ignored: list[str] | None = None) -> list[str] | None:
    """``"id,name,id"`` -> ``["id", "name"]``: known names in the order asked, duplicates once.

    An unknown name is refused, or, given an ``ignored`` list (lenient mode), left out and named there;
    when no name is left, every field is returned (None).
    """
    names: list[str] = []
    for item in _names(text):
        if not item or item not in allowed:
            if ignored is not None:
                ignored.append(f"fields {item!r}")
                continue
            message = f"unknown field {item!r} in fields: choose from {', '.join(sorted(allowed))}"
            raise _refuse(INVALID_FIELDS, "fields", message)
        if item not in names:
            names.append(item)
    return (names or None) if ignored is not None else names


def _sort_key(value: Any) -> tuple[int, Any]:
    # Like with like: numbers (and booleans, False < True) numerically, everything else as text.
    if isinstance(value, int | float | Decimal):
        return (0, value)
    return (1, _as_text(value))


def _key_of(name: str) -> Callable[[Record], tuple[int, Any]]:
    return lambda record: _sort_key(record[name])


def sort_records(records: list[Record], keys: Sequence[tuple[str, bool]]) -> list[Record]:
    """Stable multi-key sort; records lacking a key come first ascending, last descending."""
    # Stable sorts applied from the last key to the first give the lexicographic order.
    for name, descending in reversed(keys):
        present = [r for r in records if _present(r, name)]
        absent = [r for r in records if not _present(r, name)]
        present.sort(key=_key_of(name), reverse=descending)
        records = present + absent if descending else absent + present
    return records


def paging(params: Mapping[str, Any]) -> tuple[int, int]:
    """``page`` and ``pageSize`` as ints; Connexion checks them first, this is the defensive copy."""
    problems: list[FieldProblem] = []
    values: dict[str, int] = {}
    for name, upper in (("page", MAX_PAGE), ("pageSize", MAX_PAGE_SIZE)):
        raw = params.get(name)
        value = _as_int(raw.strip() if isinstance(raw, str) else raw)
        if value is None:
            problems.append(FieldProblem(name, f"{name}={raw!r}: an integer is required"))
        elif not 1 <= value <= upper:
            problems.append(FieldProblem(name, f"{name}={raw!r}: must be between 1 and {upper}"))
        else:
            values[name] = value
    if problems:
        raise InvalidRequest(f"Invalid paging: {problems[0].message}", VALIDATION_ERROR, problems)
    return values["page"], values["pageSize"]


def _as_is(record: Record) -> Record:
    return record


def _in_given_order(
    records: Iterable[Any], predicates: list[Predicate], render: Callable[[Any], Record], start: int, stop: int
) -> list[Record]:
    """The matches from ``start`` to ``stop`` of records already in list order: stops at ``stop``.

    Only the records up to the last match of the page are rendered, and skipped records that no
    predicate needs are never rendered at all, so a first page of a large table costs one page.
    """
    if not predicates:
        return [render(record) for record in islice(records, start, stop)]
    matches = (row for row in map(render, records) if all(test(row) for test in predicates))
    return list(islice(matches, start, stop))


def list_page(
    records: Iterable[Any],
    params: Mapping[str, Any],
    filters: Sequence[FilterSpec] = (),
    *,
    sortable: Collection[str],
    projectable: Collection[str],
    default_sort: str = "id",
    render: Callable[[Any], Record] | None = None,
    presorted: bool = False,
    ignored: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Filter, sort, slice and project one page of records; InvalidRequest on a bad sort/fields/filter.

    ``sortable`` and ``projectable`` name what ``sort`` and ``fields`` may ask for (a resource's table
    gives them). ``render`` turns each record into its API mapping (records are mappings already when
    it is None, and rows are then copies; rows from ``render`` are returned as it gave them).
    ``presorted`` promises that ``records`` come in ascending ``default_sort`` order (the tables are
    dicts in id order), so that a list in the default order renders only the page it returns. Given an
    ``ignored`` list (lenient mode), unknown sort and fields names and unreadable filters are named
    there, not refused.
    """
    copies = render is None
    render = render or _as_is
    page, size = paging(params)
    predicates = [
        make_predicate(spec, params[spec.param], ignored)
        for spec in filters
        if params.get(spec.param) not in (None, "")
    ]
    sort_text, fields_text = params.get("sort"), params.get("fields")
    keys = parse_sort(sort_text, sortable, ignored) if sort_text else []
    names = parse_fields(fields_text, projectable, ignored) if fields_text else None
    start, stop = (page - 1) * size, page * size
    if presorted and all(key == (default_sort, False) for key in keys):
        return _project(_in_given_order(records, predicates, render, start, stop), names, copies)
    rows = [row for row in map(render, records) if all(test(row) for test in predicates)]
    # The default order is also the last tie-breaker, so ties keep id order whatever the input order.
    tie_break = [] if any(name == default_sort for name, _ in keys) else [(default_sort, False)]
    return _project(sort_records(rows, keys + tie_break)[start:stop], names, copies)


def _project(rows: list[Record], names: list[str] | None, copies: bool) -> list[Any]:
    """The rows (whole copies if ``copies``), or only the ``names`` asked for, in that order."""
    if names is None:
        return [dict(r) for r in rows] if copies else rows
    return [{name: r[name] for name in names if name in r} for r in rows]
