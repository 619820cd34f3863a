"""Reading the contract itself: operations, item schemas, read-only properties and list parameters.

The kit derives what it probes from the contract (never from a list typed by hand where the contract
can say it), so a change to ``openapi/elevate-payments.yaml`` changes what is checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from elevate_sandbox.runtime import load_spec
from elevate_sandbox.settings import ELEVATE_SPEC

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
LIST_PARAMETERS = frozenset({"page", "pageSize", "sort", "fields"})


@cache
def contract() -> dict[str, Any]:
    """The parsed contract document."""
    return load_spec(ELEVATE_SPEC)  # libyaml's loader when present: start-up time


def deref(node: Any) -> Any:
    """Follow a local ``$ref`` (repeatedly) to the node it names."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = contract()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def properties(schema: Any) -> dict[str, dict[str, Any]]:
    """All properties of an object schema, merging ``allOf`` parts."""
    schema = deref(schema)
    merged: dict[str, dict[str, Any]] = {}
    for part in schema.get("allOf", []):
        merged.update(properties(part))
    merged.update({name: deref(prop) for name, prop in schema.get("properties", {}).items()})
    return merged


def required(schema: Any) -> set[str]:
    """The required properties of an object schema, merging ``allOf`` parts."""
    schema = deref(schema)
    names = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        names |= required(part)
    return names


def read_only(schema: Any) -> set[str]:
    """Properties the server sets: a client may not write them (JSON Patch included)."""
    return {name for name, prop in properties(schema).items() if prop.get("readOnly")}


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the contract."""

    method: str
    path: str
    raw: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str:
        return str(self.raw["operationId"])

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in (deref(item) for item in self.raw.get("parameters", []))}

    @property
    def body_schema(self) -> dict[str, Any] | None:
        content = self.raw.get("requestBody", {}).get("content", {})
        for media in content.values():
            return deref(media.get("schema", {}))
        return None

    def response_schema(self, status: str = "200") -> dict[str, Any] | None:
        response = deref(self.raw.get("responses", {}).get(status, {}))
        for media in response.get("content", {}).values():
            return deref(media.get("schema", {}))
        return None

    @property
    def is_list(self) -> bool:
        """A paged list: it takes ``page`` and ``pageSize`` and answers an array."""
        return {"page", "pageSize"} <= set(self.parameters)

    @property
    def item_schema(self) -> dict[str, Any]:
        schema = self.response_schema() or {}
        return deref(schema.get("items", schema))

    @property
    def filters(self) -> dict[str, dict[str, Any]]:
        """Query parameters of a list other than paging, sort and fields."""
        return {name: p for name, p in self.parameters.items() if p["in"] == "query" and name not in LIST_PARAMETERS}

    def references_records(self) -> bool:
        """Whether the request names other records (ids, references): they may not exist."""
        names = list(self.parameters)
        if self.body_schema is not None:
            names += list(properties(self.body_schema))
        return any(name.endswith(("Id", "_id", "Ids", "Reference")) or name == "id" for name in names)


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation, in the contract's order."""
    found = []
    for path, item in contract()["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                found.append(Operation(method, path, item[method]))
    return tuple(found)


def operation(operation_id: str) -> Operation:
    """The operation with this operationId."""
    for candidate in operations():
        if candidate.operation_id == operation_id:
            return candidate
    raise KeyError(operation_id)


def by_label(label: str) -> Operation:
    """The operation labelled ``METHOD /path``."""
    for candidate in operations():
        if candidate.label == label:
            return candidate
    raise KeyError(label)


def list_operations() -> list[Operation]:
    return [op for op in operations() if op.is_list]


def label_for(method: str, path: str) -> str:
    """The label of the operation a concrete request goes to (``GET /refunds/7`` -> its template)."""
    path = path.split("?", 1)[0]
    for candidate in operations():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(candidate.path))
        if candidate.method == method.lower() and re.fullmatch(pattern, path):
            return candidate.label
    return f"{method.upper()} {path}"
