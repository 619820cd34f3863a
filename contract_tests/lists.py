"""What a schema cannot say about lists: paging, sort order, ``fields`` projection and each filter syntax.

Every check reads the whole list once (``page=1&pageSize=1000``), computes what the contract promises
from it, and compares the target's answer. Values, fields and filters are chosen from the data and the
contract, so the same checks run against the sandbox's demo data and against a staging Elevate.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from elevate_sandbox.contract_tests import spec
from elevate_sandbox.contract_tests.client import WRITES, Api

PAGE_ALL = 1000
NO_SUCH_ID = "999999999"
NO_SUCH_VALUE = "NO_SUCH_VALUE_X"
# Filter parameters that do not name a property of the list item, with the predicate they stand for.
SPECIAL_FILTERS: dict[str, Callable[[dict[str, Any], str], bool]] = {
    "contractOwnerId": lambda item, value: int(value) in item.get("contractOwnerIds", []),
    "excludeDebits": lambda item, value: value != "true" or item.get("amountInMajorCurrency", 0) >= 0,
    "excludeCredits": lambda item, value: value != "true" or item.get("amountInMajorCurrency", 0) < 0,
}


_WHOLE_LISTS: dict[tuple[str, str, int], list[dict[str, Any]]] = {}


class NotEnoughData(Exception):
    """The target's data cannot exercise this check (too few records or values); the test is skipped."""


@dataclass(slots=True)
class ListProbe:
    """One list operation of the target, with the required parameters it needs besides paging."""

    api: Api
    operation: spec.Operation
    base: dict[str, Any]

    def fetch(self, **params: Any) -> list[dict[str, Any]]:
        response = self.api.get(self.operation.path, **self.base, **params)
        body = self.api.ok(response, 200)
        assert isinstance(body, list), f"{self.operation.label} answered {type(body).__name__}, not a JSON array"
        return body

    def everything(self, minimum: int = 3) -> list[dict[str, Any]]:
        # Read once per list, parameters and write: nothing the kit sent since can have changed it (a list that
        # changes between two reads is what `get_is_safe` catches).
        key = (self.operation.path, json.dumps(self.base, sort_keys=True), WRITES[0])
        if key not in _WHOLE_LISTS:
            _WHOLE_LISTS[key] = self.fetch(page=1, pageSize=PAGE_ALL)
        items = [dict(item) for item in _WHOLE_LISTS[key]]
        if len(items) < minimum:
            raise NotEnoughData(f"{self.operation.label} has {_records(len(items))}; the check needs {minimum}")
        return items

    @property
    def key(self) -> str:
        """The property that identifies an item."""
        return "id" if "id" in spec.properties(self.operation.item_schema) else "customerId"


def _scalar(prop: dict[str, Any]) -> bool:
    return prop.get("type") in ("integer", "number", "string", "boolean") or "allOf" in prop or "enum" in prop


def _free_text(prop: dict[str, Any]) -> bool:
    """Free text sorts differently under different collations: avoid it when choosing sort fields."""
    return prop.get("type") == "string" and "format" not in prop and "enum" not in prop


def sortable_fields(probe: ListProbe, items: list[dict[str, Any]]) -> list[str]:
    """Scalar properties every item has, with at least two values; stable orderings first."""
    props = spec.properties(probe.operation.item_schema)
    fields = [
        name
        for name, prop in props.items()
        if _scalar(prop) and all(name in item for item in items) and len({json.dumps(i[name]) for i in items}) > 1
    ]
    return sorted(fields, key=lambda name: (_free_text(props[name]), name == probe.key))


def _values(items: Iterable[dict[str, Any]], key: str) -> list[Any]:
    """Each item's ``key`` (None where it has none)."""
    return [item.get(key) for item in items]


def _expected_order(items: list[dict[str, Any]], order: list[tuple[str, bool]]) -> list[tuple[Any, ...]]:
    ordered = list(items)
    for field, descending in reversed(order):  # stable sorts, last key first
        ordered.sort(key=operator.itemgetter(field), reverse=descending)
    return [tuple(item[field] for field, _ in order) for item in ordered]


def sort_cases(probe: ListProbe, items: list[dict[str, Any]]) -> dict[str, list[tuple[str, bool]]]:
    """Ascending, descending and several-field orders, each one that the natural order does not satisfy."""
    fields = sortable_fields(probe, items)
    if not fields:
        raise NotEnoughData(f"{probe.operation.label}: no property has two values to sort by")

    def unsatisfied(order: list[tuple[str, bool]]) -> bool:
        return [tuple(i[f] for f, _ in order) for i in items] != _expected_order(items, order)

    candidates = {
        "ascending": [[(field, False)] for field in fields],
        "descending": [[(field, True)] for field in [probe.key, *fields] if field in fields or field == probe.key],
        "several": [[(first, False), (probe.key, True)] for first in fields if first != probe.key],
    }
    chosen: dict[str, list[tuple[str, bool]]] = {}
    for kind, orders in candidates.items():
        usable = [order for order in orders if all(all(f in i for i in items) for f, _ in order)]
        if usable:
            chosen[kind] = next((order for order in usable if unsatisfied(order)), usable[0])
    return chosen


def check_paging(probe: ListProbe) -> None:
    """`pageSize` is honoured, pages are disjoint and together give the whole list."""
    items = probe.everything()
    key = probe.key
    first = probe.fetch(page=1, pageSize=1)
    assert len(first) == 1, f"pageSize=1 answered {len(first)} items"
    size = max(2, math.ceil(len(items) / 4))
    seen: list[Any] = []
    for number in range(1, len(items) // size + 3):
        page = probe.fetch(page=number, pageSize=size)
        assert len(page) <= size, f"page {number} with pageSize={size} answered {len(page)} items"
        overlap = set(_values(page, key)) & set(seen)
        assert not overlap, f"page {number} repeats {key} {sorted(overlap)[:5]} from earlier pages"
        seen += _values(page, key)
        if len(page) < size:
            break
    assert sorted(seen) == sorted(_values(items, key)), (
        f"pages of {size} gave {len(seen)} items, the whole list has {len(items)}"
    )


def check_sort(probe: ListProbe, kind: str) -> None:
    """The answer is ordered as `sort` asks (ascending, `:desc`, several fields)."""
    items = probe.everything()
    order = sort_cases(probe, items).get(kind)
    if order is None:
        raise NotEnoughData(f"{probe.operation.label}: no property allows a {kind} sort check")
    sort = ",".join(f"{field}:desc" if descending else field for field, descending in order)
    answer = probe.fetch(page=1, pageSize=PAGE_ALL, sort=sort)
    keys = [tuple(item.get(field) for field, _ in order) for item in answer]
    expected = _expected_order(items, order)
    assert keys == expected, f"sort={sort}: got keys {keys[:8]}..., expected {expected[:8]}..."


def check_fields(probe: ListProbe) -> None:
    """`fields` returns exactly the fields asked, with the values of the full item."""
    items = probe.everything(minimum=1)
    key = probe.key
    present = [
        name for name in spec.properties(probe.operation.item_schema) if name != key and any(name in i for i in items)
    ]
    if not present:
        raise NotEnoughData(f"{probe.operation.label}: items carry no field besides {key}")
    asked = [key, present[-1]]
    answer = probe.fetch(page=1, pageSize=PAGE_ALL, fields=",".join(asked))
    full = {item[key]: item for item in items}
    assert len(answer) == len(items), f"fields={','.join(asked)} answered {len(answer)} items, not {len(items)}"
    for item in answer:
        original = full.get(item.get(key), {})
        expected = {name: original[name] for name in asked if name in original}
        assert item == expected, f"fields={','.join(asked)}: got {item}, expected {expected}"


@dataclass(frozen=True, slots=True)
class FilterCase:
    """One filter syntax of one list parameter."""

    parameter: str
    syntax: str  # exact, in, like, true, false

    @property
    def name(self) -> str:
        return f"{self.parameter}-{self.syntax}"


def filter_cases(operation: spec.Operation) -> list[FilterCase]:
    """Every filter syntax the contract documents for ``operation``'s parameters."""
    props = spec.properties(operation.item_schema)
    cases = []
    for name, parameter in operation.filters.items():
        if parameter.get("required") or (name not in props and name not in SPECIAL_FILTERS):
            continue  # not a property of the item: the filter cannot be judged from the answer
        schema = spec.deref(parameter["schema"])
        if ("enum" in schema and set(schema["enum"]) == {"true", "false"}) or name.startswith("exclude"):
            syntaxes = ["true", "false"]
        elif schema.get("pattern", "").startswith("^(in:)?"):
            syntaxes = ["exact", "in"]
        elif schema.get("type") == "string" and "in:" in parameter.get("description", ""):
            syntaxes = ["exact", "in"] + (["like"] if props.get(name, {}).get("type") != "number" else [])
        else:
            syntaxes = ["exact"]
        cases += [FilterCase(name, syntax) for syntax in syntaxes]
    return cases


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _choose(items: list[dict[str, Any]], case: FilterCase) -> tuple[str, Callable[[dict[str, Any]], bool]]:
    """A filter value that selects some but not all items, and the predicate it stands for."""
    name = case.parameter
    if name in SPECIAL_FILTERS:
        if name == "contractOwnerId":
            owners = sorted({owner for item in items for owner in item.get("contractOwnerIds", [])})
            candidates = [str(owner) for owner in owners]
        else:
            candidates = [case.syntax]
        rule = SPECIAL_FILTERS[name]
        for value in candidates:
            if 0 < sum(rule(i, value) for i in items) < len(items) or name.startswith("exclude"):
                return value, lambda item, v=value: rule(item, v)
        raise NotEnoughData(f"no {name} value selects some but not all items")
    if case.syntax in ("true", "false"):
        wanted = case.syntax == "true"
        return case.syntax, lambda item: bool(item.get(name, False)) is wanted
    values = [i[name] for i in items if name in i]
    distinct = sorted({_text(v) for v in values})
    partial = [v for v in distinct if 0 < sum(_text(i.get(name)) == v for i in items) < len(items)]
    if not partial:
        raise NotEnoughData(f"no {name} value selects some but not all items")
    first = partial[0]
    if case.syntax == "exact":
        return first, lambda item: name in item and _text(item[name]) == first
    if case.syntax == "in":
        others = [v for v in partial[1:] if sum(_text(i.get(name)) in (first, v) for i in items) < len(items)]
        numeric = all(isinstance(v, int) for v in values)
        second = others[0] if others else (NO_SUCH_ID if numeric else NO_SUCH_VALUE)
        chosen = {first, second}
        return f"in:{first},{second}", lambda item: name in item and _text(item[name]) in chosen
    pattern = first[: max(3, len(first) - 2)]
    return f"like:{pattern}", lambda item: pattern.lower() in _text(item.get(name, "")).lower()


def check_filter(probe: ListProbe, case: FilterCase) -> None:
    """The filter keeps exactly the items its syntax selects (``like:`` at least those starting so)."""
    items = probe.everything(minimum=2)
    value, selects = _choose(items, case)
    answer = probe.fetch(page=1, pageSize=PAGE_ALL, **{case.parameter: value})
    key = probe.key
    got = sorted(_values(answer, key))
    if case.syntax == "like":
        pattern = value.removeprefix("like:").lower()
        starting = sorted(i[key] for i in items if _text(i.get(case.parameter, "")).lower().startswith(pattern))
        stray = [i.get(key) for i in answer if not selects(i)]
        assert not stray, f"{case.parameter}={value} kept {key} {stray[:8]} that do not match the pattern"
        missing = sorted(set(starting) - set(got))
        assert not missing, f"{case.parameter}={value} left out {key} {missing[:8]} that start with the pattern"
        return
    expected = sorted(i[key] for i in items if selects(i))
    assert got == expected, f"{case.parameter}={value}: got {key} {got[:10]}, expected {expected[:10]}"


def check_sort_across_pages(probe: ListProbe) -> None:
    """Sorted pages put together are the whole list in that order (not each page sorted on its own)."""
    items = probe.everything()
    order = sort_cases(probe, items).get("descending") or sort_cases(probe, items).get("ascending")
    if order is None:
        raise NotEnoughData(f"{probe.operation.label}: no property to sort by")
    sort = ",".join(f"{field}:desc" if descending else field for field, descending in order)
    size = max(2, math.ceil(len(items) / 3))
    keys: list[tuple[Any, ...]] = []
    for number in range(1, len(items) // size + 3):
        page = probe.fetch(page=number, pageSize=size, sort=sort)
        keys += [tuple(item.get(field) for field, _ in order) for item in page]
        if len(page) < size:
            break
    expected = _expected_order(items, order)
    assert keys == expected, f"sort={sort} over pages of {size}: got {keys[:8]}..., expected {expected[:8]}..."


DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def format_problems(operation: spec.Operation, item: dict[str, Any]) -> list[str]:
    """Dates, date-times and amounts of ``item`` not written as the contract states."""
    problems = []
    for name, prop in spec.properties(operation.item_schema).items():
        value = item.get(name)
        if value is None:
            continue
        if prop.get("format") == "date" and not (isinstance(value, str) and DATE.fullmatch(value)):
            problems.append(f"{name}={value!r} is not a date (YYYY-MM-DD)")
        elif prop.get("format") == "date-time" and not (isinstance(value, str) and DATE_TIME.fullmatch(value)):
            problems.append(f"{name}={value!r} is not an RFC 3339 date-time")
        elif is_amount(name, prop) and _more_than_pennies(value):
            problems.append(f"{name}={value!r} has more than two decimals")
    return problems


def _more_than_pennies(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return Decimal(str(value)) != Decimal(str(value)).quantize(Decimal("0.01"))


def is_amount(name: str, prop: dict[str, Any]) -> bool:
    """Money in major currency units: the contract's amounts and balances (two decimals at most)."""
    money_names = ("amountInMajorCurrency", "balance", "billAmount", "resultingCustomerBalance", "valueDifference")
    return prop.get("type") == "number" and (name in money_names or name.endswith("InMajorCurrency"))


def check_formats(probe: ListProbe) -> None:
    """Every date, date-time and amount of every item is written exactly as the contract states."""
    items = probe.everything(minimum=1)
    problems = [
        f"{probe.key} {item.get(probe.key)}: {p}" for item in items for p in format_problems(probe.operation, item)
    ]
    assert not problems, f"{len(problems)} values not in the contract's format: {problems[:5]}"


RANGE_OPERATORS = ("gte:", "gt:", "lte:", "lt:")


def range_filters(operation: spec.Operation) -> list[tuple[str, str]]:
    """(parameter, operator) pairs the contract documents for range filtering (none in 1.39)."""
    found = []
    for name, parameter in operation.filters.items():
        text = parameter.get("description", "") + str(spec.deref(parameter.get("schema", {})).get("pattern", ""))
        found += [(name, op) for op in RANGE_OPERATORS if op in text]
    return found


def check_filter_bounds(probe: ListProbe, parameter: str, operator: str) -> None:
    """``gte:``/``lte:`` keep the bound itself, ``gt:``/``lt:`` leave it out."""
    items = probe.everything(minimum=2)
    values = sorted({item[parameter] for item in items if parameter in item})
    if len(values) < 2:
        raise NotEnoughData(f"{parameter} has fewer than two values")
    bound = values[len(values) // 2]
    keep = {
        "gte:": lambda v: v >= bound,
        "gt:": lambda v: v > bound,
        "lte:": lambda v: v <= bound,
        "lt:": lambda v: v < bound,
    }[operator]
    answer = probe.fetch(page=1, pageSize=PAGE_ALL, **{parameter: f"{operator}{_text(bound)}"})
    got = sorted(_values(answer, probe.key))
    expected = sorted(item[probe.key] for item in items if parameter in item and keep(item[parameter]))
    assert got == expected, f"{parameter}={operator}{bound}: got {probe.key} {got[:10]}, expected {expected[:10]}"


def _records(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"
