"""What every handler needs: the caller's tenant, money in, records out, one list pipeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from connexion.context import context
from connexion.lifecycle import ConnexionResponse

from sandbox.api.middleware import current_runtime
from sandbox.domain.errors import VALIDATION_ERROR, FieldProblem, InvalidRequest
from sandbox.domain.money import to_money
from sandbox.listing import FilterSpec, list_page
from sandbox.store import Tenant


class Renderable(Protocol):
    def to_api(self) -> dict[str, Any]: ...


def current_tenant() -> Tenant:
    """The tenant named by the bearer token of this request."""
    return current_runtime().store.tenant(context["token_info"]["tenant"])


@contextmanager
def backend():  # type: ignore[no-untyped-def]
    """The caller's backend, held under its tenant lock for the whole operation."""
    tenant = current_tenant()
    with tenant.lock:
        yield tenant.backend


def money(body: Mapping[str, Any], key: str = "amountInMajorCurrency") -> Decimal:
    """Read an amount from a validated body as exact pennies."""
    try:
        return to_money(body[key])
    except ValueError as exc:
        raise InvalidRequest(f"{key} is not an amount", VALIDATION_ERROR, [FieldProblem(key, str(exc))]) from exc


def optional_money(body: Mapping[str, Any], key: str) -> Decimal | None:
    """Like money(), for an optional amount."""
    return money(body, key) if body.get(key) is not None else None


def rendered(record: Renderable, status: int = 200) -> tuple[dict[str, Any], int]:
    """A record as its API object with a status."""
    return record.to_api(), status


def page_of(
    records: Iterable[Renderable | Mapping[str, Any]],
    params: Mapping[str, Any],
    filters: Sequence[FilterSpec],
    schema: str,
) -> list[dict[str, Any]]:
    """Render records and apply the shared page/sort/fields/filter pipeline.

    ``schema`` names the contract's list-item schema: its properties are what may be sorted and
    projected, so an empty list still refuses an unknown sort field.
    """
    allowed = current_runtime().fields_of(schema)
    items = (r if isinstance(r, Mapping) else r.to_api() for r in records)
    return list_page(items, params, filters, sortable=allowed, projectable=allowed)


def no_content(status: int) -> ConnexionResponse:
    """A documented success with no body (reprocess 200, cancel 202)."""
    return ConnexionResponse(status_code=status, body=b"")


def optional_date(body: Mapping[str, Any], key: str) -> date | None:
    """Read an optional yyyy-MM-dd date; a malformed one is a 400 naming the field."""
    raw = body.get(key)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"{key} must be a date as yyyy-MM-dd, not {raw!r}", VALIDATION_ERROR, [FieldProblem(key, str(exc))]
        ) from exc
