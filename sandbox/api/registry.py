"""The map from Elevate's operationIds to handler functions, filled by the @operation decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]
OPERATIONS: dict[str, Handler] = {}


def operation(operation_id: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``operation_id`` (exactly as spelled in the spec)."""

    def register(fn: Handler) -> Handler:
        if operation_id in OPERATIONS:
            raise RuntimeError(f"operation {operation_id} has two handlers")
        OPERATIONS[operation_id] = fn
        return fn

    return register


def resolve(operation_id: str) -> Handler:
    """Connexion's function resolver: an unknown operationId stops the start (no 501s at run time)."""
    try:
        return OPERATIONS[operation_id]
    except KeyError:
        raise LookupError(f"no handler is registered for operationId {operation_id!r}") from None
