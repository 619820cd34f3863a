"""Strictness with a source: the contract marks every inferred constraint, and strict mode adds them.

In ``openapi/elevate-payments.yaml`` a schema (or parameter) whose rule is the sandbox's guess carries
``x-inferred: <why>``. Guesses that a real Elevate might not enforce are kept out of the schema itself,
in ``x-inferred-constraints`` beside it: the contract as written is what Elevate documents (lenient,
the default), and :func:`strict_contract` merges those constraints in for ``--strict-inferred``.
"""

from __future__ import annotations

import copy
from typing import Any

MARK = "x-inferred"
CONSTRAINTS = "x-inferred-constraints"


def _merge(node: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if key == "required" and isinstance(node.get("required"), list):
            node["required"] = [*node["required"], *(name for name in value if name not in node["required"])]
        else:
            node[key] = copy.deepcopy(value)


def _walk(node: Any) -> None:
    if isinstance(node, dict):
        extra = node.pop(CONSTRAINTS, None)
        for value in node.values():
            _walk(value)
        if isinstance(extra, dict):
            _merge(node, extra)
    elif isinstance(node, list):
        for item in node:
            _walk(item)


def strict_contract(contract: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``contract`` with every ``x-inferred-constraints`` merged into the schema it sits in."""
    strict = copy.deepcopy(contract)
    _walk(strict)
    return strict


def inferred_constraints(contract: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every switchable constraint as (JSON pointer of its node, constraints), for notes and tests."""
    found: list[tuple[str, dict[str, Any]]] = []

    def visit(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get(CONSTRAINTS), dict):
                found.append((pointer, node[CONSTRAINTS]))
            for key, value in node.items():
                visit(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
        elif isinstance(node, list):
            for position, item in enumerate(node):
                visit(item, f"{pointer}/{position}")

    visit(contract, "")
    return found
