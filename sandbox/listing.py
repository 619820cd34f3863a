"""The list pipeline shared by every list operation: filter, sort, page and project API records.

Reference 3.1-3.3: ``page`` (>= 1) and ``pageSize`` (1..1000) slice a bare array; ``sort`` is a comma
list of fields, each optionally ``:desc``; ``fields`` projects; filters take ``xyz | in:x,y | like:xyz``
(strings), ids, booleans, and ``yyyy-MM-dd | lt: | gt: | gtn:`` (dates).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sandbox.domain.errors import (
    INVALID_FIELDS,
    INVALID_FILTER,
    INVALID_SORT,
    VALIDATION_ERROR,
    FieldProblem,
    InvalidRequest,
)

MAX_PAGE_SIZE = 1000
Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]


class FilterKind(StrEnum):
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


def _refuse(code: str, param: str, message: str) -> InvalidRequest:
    return InvalidRequest(message, code, [FieldProblem(param, message)])


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _like(pattern: str) -> re.Pattern[str]:
    # SQL LIKE: % is any run, _ one character; a bare word means "contains".
    if "%" not in pattern and "_" not in pattern:
        pattern = f"%{pattern}%"
    parts = (".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _items(body: str, param: str, syntax: str, shown: str) -> list[str]:
    """Split a comma list; ``shown`` is the whole value as sent, quoted in the error."""
    items = [item.strip() for item in body.split(",")]
    if any(not item for item in items):
        raise _refuse(INVALID_FILTER, param, f"{param}={shown!r} has an empty item; expected {syntax}")
    return items


def _string_predicate(spec: FilterSpec, raw: str) -> Predicate:
    syntax = "xyz | in:x,y | like:xyz"
    if raw.startswith("in:"):
        wanted = set(_items(raw[3:], spec.param, syntax, raw))
        return lambda r: spec.field in r and _as_text(r[spec.field]) in wanted
    if raw.startswith("like:"):
        if not raw[5:]:
            raise _refuse(INVALID_FILTER, spec.param, f"{spec.param}={raw!r} has an empty pattern; expected {syntax}")
        pattern = _like(raw[5:])
        return lambda r: spec.field in r and pattern.fullmatch(_as_text(r[spec.field])) is not None
    return lambda r: spec.field in r and _as_text(r[spec.field]) == raw


def _id_predicate(spec: FilterSpec, raw: Any) -> Predicate:
    syntax = "an id such as 12, or in:12,13"
    text = _as_text(raw).strip()
    body = text[3:] if text.startswith("in:") else text
    items = _items(body, spec.param, syntax, text)
    if not all(item.isdigit() for item in items) or (not text.startswith("in:") and len(items) != 1):
        raise _refuse(INVALID_FILTER, spec.param, f"{spec.param}={raw!r} is not {syntax}")
    wanted = {int(item) for item in items}
    return lambda r: r.get(spec.field) in wanted


def _boolean_predicate(spec: FilterSpec, raw: Any) -> Predicate:
    text = _as_text(raw).strip().lower()
    items = _items(text[3:], spec.param, "true or false", text) if text.startswith("in:") else [text]
    if not set(items) <= {"true", "false"}:
        raise _refuse(INVALID_FILTER, spec.param, f"{spec.param}={raw!r} is not true or false")
    wanted = {item == "true" for item in items}
    return lambda r: isinstance(r.get(spec.field), bool) and r[spec.field] in wanted


def _parse_date(spec: FilterSpec, text: str, raw: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _refuse(
            INVALID_FILTER,
            spec.param,
            f"{spec.param}={raw!r} is not yyyy-MM-dd | lt:yyyy-MM-dd | gt:yyyy-MM-dd | gtn:yyyy-MM-dd",
        ) from None


def _record_date(value: Any) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _date_predicate(spec: FilterSpec, raw: str) -> Predicate:
    operator, _, rest = raw.partition(":")
    if not rest:
        operator, rest = "eq", raw
    if operator not in ("eq", "lt", "gt", "gtn"):
        _parse_date(spec, "not-a-date", raw)
    bound = _parse_date(spec, rest, raw)
    compare = {"eq": date.__eq__, "lt": date.__lt__, "gt": date.__gt__, "gtn": date.__gt__}[operator]

    def matches(record: Record) -> bool:
        value = _record_date(record.get(spec.field))
        if value is None:
            # Our reading of the undocumented `gtn:`: "greater than, or null".
            return operator == "gtn"
        return compare(value, bound)

    return matches


def _integer_predicate(spec: FilterSpec, raw: Any) -> Predicate:
    text = _as_text(raw).strip()
    if not text.lstrip("-").isdigit():
        raise _refuse(INVALID_FILTER, spec.param, f"{spec.param}={raw!r} is not an integer")
    wanted = int(text)
    return lambda r: r.get(spec.field) == wanted and not isinstance(r.get(spec.field), bool)


_BUILDERS: dict[FilterKind, Callable[[FilterSpec, Any], Predicate]] = {
    FilterKind.STRING: _string_predicate,
    FilterKind.ID: _id_predicate,
    FilterKind.BOOLEAN: _boolean_predicate,
    FilterKind.DATE: _date_predicate,
    FilterKind.INTEGER: _integer_predicate,
}


def make_predicate(spec: FilterSpec, raw_value: Any) -> Predicate:
    """The test a record must pass for one filter value; raises InvalidRequest on a malformed value."""
    if spec.kind in (FilterKind.STRING, FilterKind.DATE):
        raw_value = _as_text(raw_value)
    return _BUILDERS[spec.kind](spec, raw_value)


def parse_sort(text: str, allowed: Collection[str]) -> list[tuple[str, bool]]:
    """``"name,id:desc"`` -> ``[("name", False), ("id", True)]`` (field, descending)."""
    keys = []
    for item in (part.strip() for part in text.split(",")):
        name, _, direction = item.partition(":")
        if not name or name not in allowed or direction not in ("", "asc", "desc"):
            message = (
                f"cannot sort by {item!r}: use a comma list of {', '.join(sorted(allowed))}, each optionally :desc"
            )
            raise _refuse(INVALID_SORT, "sort", message)
        keys.append((name, direction == "desc"))
    return keys


def parse_fields(text: str, allowed: Collection[str]) -> list[str]:
    """``"id,name"`` -> ``["id", "name"]``, each known, duplicates once."""
    names: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item or item not in allowed:
            message = f"unknown field {item!r}: choose from {', '.join(sorted(allowed))}"
            raise _refuse(INVALID_FIELDS, "fields", message)
        if item not in names:
            names.append(item)
    return names


def _sort_key(value: Any) -> tuple[int, Any]:
    # Like with like: numbers numerically, booleans as 0/1, everything else as text.
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float | Decimal):
        return (0, value)
    return (1, str(value))


def _sorted(records: list[Record], keys: list[tuple[str, bool]]) -> list[Record]:
    # Stable sorts applied from the last key to the first give a lexicographic multi-key order.
    for name, descending in reversed(keys):
        present = [r for r in records if r.get(name) is not None]
        absent = [r for r in records if r.get(name) is None]
        present.sort(key=lambda r, n=name: _sort_key(r[n]), reverse=descending)
        records = present + absent if descending else absent + present
    return records


def _paging(params: Mapping[str, Any]) -> tuple[int, int]:
    problems = []
    values = {}
    for name, upper in (("page", None), ("pageSize", MAX_PAGE_SIZE)):
        try:
            values[name] = int(params[name])
        except (KeyError, TypeError, ValueError):
            problems.append(FieldProblem(name, f"{name} is required and must be an integer"))
            continue
        if values[name] < 1 or (upper is not None and values[name] > upper):
            problems.append(FieldProblem(name, f"{name} must be between 1 and {upper or 'any'}"))
    if problems:
        raise InvalidRequest(f"Invalid paging: {problems[0].message}", VALIDATION_ERROR, problems)
    return values["page"], values["pageSize"]


def list_page(
    records: Iterable[Record],
    params: Mapping[str, Any],
    filters: Sequence[FilterSpec] = (),
    *,
    sortable: Collection[str] | None = None,
    projectable: Collection[str] | None = None,
    default_sort: str = "id",
) -> list[dict[str, Any]]:
    """Filter, sort, slice and project one page of records; raises InvalidRequest on a bad query."""
    page, size = _paging(params)
    predicates = [
        make_predicate(spec, params[spec.param]) for spec in filters if params.get(spec.param) not in (None, "")
    ]
    rows = [r for r in records if all(test(r) for test in predicates)]
    known = set().union(*(r.keys() for r in rows)) if sortable is None or projectable is None else set()
    sort_text = params.get("sort")
    keys = parse_sort(sort_text, sortable if sortable is not None else known) if sort_text else [(default_sort, False)]
    rows = _sorted(rows, keys)[(page - 1) * size : page * size]
    fields_text = params.get("fields")
    if not fields_text:
        return [dict(r) for r in rows]
    names = parse_fields(fields_text, projectable if projectable is not None else known)
    return [{name: r[name] for name in names if name in r} for r in rows]
