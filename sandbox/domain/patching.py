"""JSON Patch (RFC 6902) on a record's API rendering, refused whole with a stable code if anything fails."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Any

import jsonpatch
import jsonpointer

from elevate_sandbox.domain.errors import (
    PATCH_INVALID,
    PATCH_READ_ONLY,
    PATCH_TEST_FAILED,
    FieldProblem,
    InvalidRequest,
)

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
    members: frozenset[str],
    read_only: frozenset[str],
    validate: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """The patched copy of ``document``, checked by ``validate``; the original is never touched."""
    # ``members`` names every member the resource has (absent optional ones included): a patch may not
    # invent others, since nothing could store them.
    if not isinstance(operations, list):
        raise InvalidRequest("A JSON Patch is an array of operations", PATCH_INVALID)
    check_read_only(operations, read_only)
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
