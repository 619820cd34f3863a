"""JSON Patch (RFC 6902) on a record's API rendering, refused whole with a stable code if anything fails.

What a patch may write, and how each member reads back into the record, comes from the resource's
table (resources.py): its members, its read-only members, and each member's type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import jsonpatch
import jsonpointer

from elevate_sandbox.domain import limits
from elevate_sandbox.domain.errors import (
    PATCH_INVALID,
    PATCH_READ_ONLY,
    PATCH_TEST_FAILED,
    FieldProblem,
    InvalidRequest,
)
from elevate_sandbox.domain.money import to_money
from elevate_sandbox.domain.resources import Field, Resource, ValueType

# Operations that write at `path`; `move` also removes at `from`. `test` and copy's `from` only read.
WRITING_OPS = frozenset({"add", "remove", "replace", "move", "copy"})


def _plain(value: Any) -> Any:
    """The document as JSON would carry it: Decimals as numbers, enums as their strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _written_pointers(operation: object) -> list[str]:
    if not isinstance(operation, dict):
        return []
    pointers = [operation.get("path")] if operation.get("op") in WRITING_OPS else []
    if operation.get("op") == "move":
        pointers.append(operation.get("from"))
    return [p for p in pointers if isinstance(p, str)]


def _touches(pointer: str, member: str) -> bool:
    """Whether writing at ``pointer`` changes the top-level ``member`` (the root pointer changes them all)."""
    if pointer == "":
        return True
    try:
        parts = jsonpointer.JsonPointer(pointer).parts
    except jsonpointer.JsonPointerException:
        return False  # not a pointer at all: the patch itself reports it
    return parts[0] == member


def check_read_only(operations: list[Any], read_only: frozenset[str]) -> None:
    """Refuse a patch that would write a read-only member (ids the server assigned)."""
    for operation in operations:
        for pointer in _written_pointers(operation):
            for member in sorted(read_only):
                if _touches(pointer, member):
                    raise InvalidRequest(
                        f"/{member} is read-only and cannot be patched", PATCH_READ_ONLY,
                        [FieldProblem(f"/{member}", "read-only")],
                    )


def apply_patch(
    document: dict[str, Any],
    operations: list[Any],
    resource: Resource,
    validate: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """The patched copy of ``document``, checked by ``validate``; the original is never touched."""
    # The resource's members (absent optional ones included) are all a patch may leave: it may not
    # invent others, since nothing could store them.
    members = resource.members
    if not isinstance(operations, list):
        raise InvalidRequest("A JSON Patch is an array of operations", PATCH_INVALID)
    check_read_only(operations, resource.read_only)
    try:
        patched = jsonpatch.JsonPatch(operations).apply(_plain(document))
    except jsonpatch.JsonPatchTestFailed as exc:
        raise InvalidRequest(f"A test operation failed: {exc}", PATCH_TEST_FAILED) from exc
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, LookupError, TypeError) as exc:
        raise InvalidRequest(f"The patch cannot be applied: {exc}", PATCH_INVALID) from exc
    if not isinstance(patched, dict):
        raise InvalidRequest("The patch must leave an object", PATCH_INVALID)
    validate(patched)
    unknown = sorted(set(patched) - members)
    if unknown:
        raise InvalidRequest(
            f"Unknown member {', '.join('/' + u for u in unknown)}", PATCH_INVALID,
            [FieldProblem(f"/{u}", "not a member of this resource") for u in unknown],
        )
    return patched


def _read_integers(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(type(item) is int for item in value):
        raise TypeError("a list of integers is required")
    return list(value)


def _read_date(value: Any) -> date:
    day = date.fromisoformat(value)
    if not limits.date_in_range(day):
        raise ValueError(f"must be a date {limits.date_range_text()}")
    return day


def _read_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"a date-time is required, not {value!r}")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _read_checked(kind: type) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"a {kind.__name__} is required, not {value!r}")
        return value

    return read


_READERS: dict[ValueType, Callable[[Any], Any]] = {
    ValueType.INTEGER: _read_checked(int),
    ValueType.DECIMAL: to_money,
    ValueType.TEXT: _read_checked(str),
    ValueType.BOOLEAN: _read_checked(bool),
    ValueType.DATE: _read_date,
    ValueType.DATETIME: _read_datetime,
    ValueType.INTEGERS: _read_integers,
}


def _read(field: Field, value: Any) -> Any:
    """A member's value as the record holds it: an enum member, exact money, a date, a checked type."""
    kind = field.type
    return _READERS[kind](value) if isinstance(kind, ValueType) else kind(value)


def _default(attribute: dataclasses.Field[Any]) -> Any:
    if attribute.default is not dataclasses.MISSING:
        return attribute.default
    if attribute.default_factory is not dataclasses.MISSING:
        return attribute.default_factory()
    raise ValueError("is required")


def patched_values(
    record: Any, operations: list[Any], resource: Resource, validate: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """The record's writable attributes as the patch leaves them; nothing is written to ``record``.

    A member the patched document no longer has takes the model's default (False for a flag, None for
    an optional text); a member with no default is required.
    """
    patched = apply_patch(resource.render(record), operations, resource, validate)
    defaults = {f.name: f for f in dataclasses.fields(record)}
    values: dict[str, Any] = {}
    try:
        for field in resource.fields:
            if field.read_only:
                continue
            value = patched.get(field.api)
            if value is not None:
                values[field.attr] = _read(field, value)
            else:
                values[field.attr] = _default(defaults[field.attr])
    except (TypeError, ValueError) as exc:
        name = type(record).__name__
        raise InvalidRequest(
            f"The patched {name} is not valid: {field.api}: {exc}", PATCH_INVALID, [FieldProblem(field.api, str(exc))]
        ) from exc
    return values
