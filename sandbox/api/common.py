"""What every handler needs: the caller's tenant, money in, records out, one list pipeline."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote

from connexion.lifecycle import ConnexionResponse
from starlette.responses import Response

from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.api.rendering import JSON, json_list_response, render_cache
from elevate_sandbox.domain import limits
from elevate_sandbox.domain.errors import DATE_OUT_OF_RANGE, VALIDATION_ERROR, FieldProblem, InvalidRequest
from elevate_sandbox.domain.money import to_money
from elevate_sandbox.http.context import request_method, request_tenant
from elevate_sandbox.listing import FilterSpec, list_page, paging
from elevate_sandbox.store import Tenant

READS = frozenset({"GET", "HEAD"})


class Renderable(Protocol):
    def to_api(self) -> dict[str, Any]: ...


def current_tenant() -> Tenant:
    """The tenant named by the bearer token of this request."""
    return current_runtime().store.tenant(request_tenant())


@contextmanager
def backend():  # type: ignore[no-untyped-def]
    """The caller's backend, held under its tenant lock for the whole operation.

    A GET only reads: its tenant then hands out shared seeded records as they are, uncopied (store.py).
    """
    tenant = current_tenant()
    with tenant.reading() if request_method() in READS else tenant.lock:
        yield tenant.backend


# Lenient mode's answer to list parameters it did not use: unknown sort/fields names (the docs' shared
# example names `name`, which most lists do not have) and unreadable filter values.
IGNORED_HEADER = "X-Sandbox-Ignored"


def strict_inferred() -> bool:
    """Whether this sandbox enforces the inferred constraints too (--strict-inferred)."""
    return current_runtime().settings.strict_inferred


def _noted(response: Response, ignored: list[str] | None) -> Response:
    """Say in a header what a lenient list left out, so that nothing is ignored silently."""
    if ignored:
        # Header values are Latin-1: whatever a client sent is percent-encoded beyond printable ASCII.
        note = "; ".join(ignored) + " (not used by this list; --strict-inferred refuses them)"
        response.headers[IGNORED_HEADER] = quote(note, safe=" !\"#$&'()*+,/:;<=>?@[]^`{|}~")
    return response


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
    *,
    in_id_order: bool = True,
    render: Callable[[Any], Mapping[str, Any]] | None = None,
    table: str | None = None,
) -> Response:
    """One page of records as a JSON response, through the shared page/sort/fields/filter pipeline.

    ``schema`` names the contract's list-item schema: its properties are what may be sorted and
    projected, so an empty list still refuses an unknown sort field. Records come in id order (the
    tables and the index lists are kept so), which lets a list in the default order render one page;
    each record's rendering is cached while its fields stay unchanged. ``render`` replaces ``to_api()``
    (uncached) for list items computed from more than one record. ``table`` names the table when
    ``records`` are all of it: a plain page of it (no filter, sort or fields) is then kept whole until
    the backend's revision moves.
    """
    allowed = current_runtime().fields_of(schema)
    ignored: list[str] | None = None if strict_inferred() else []
    if render is not None:
        rows = list_page(
            records, params, filters, sortable=allowed, projectable=allowed, render=render, presorted=in_id_order,
            ignored=ignored,
        )
        return _noted(json_list_response(rows), ignored)
    owner = current_tenant().backend
    cache = render_cache(owner)
    plain = table is not None and in_id_order and _plain(params, filters)
    key = (table, *paging(params)) if plain else None
    body = cache.page(key, owner.revision) if key else None
    if body is not None:
        return Response(body, media_type=JSON)
    rows = list_page(
        records, params, filters, sortable=allowed, projectable=allowed, render=cache.renderer(owner.revision),
        presorted=in_id_order, ignored=ignored,
    )  # fmt: skip
    response = json_list_response(rows)
    if key:
        cache.keep_page(key, owner.revision, response.body)
    return _noted(response, ignored)


def _plain(params: Mapping[str, Any], filters: Sequence[FilterSpec]) -> bool:
    """A page in the default order with every field: no filter, sort or fields asked."""
    asked = ("sort", "fields", *(spec.param for spec in filters))
    return all(params.get(name) in (None, "") for name in asked)


def no_content(status: int) -> ConnexionResponse:
    """A documented success with no body (reprocess 200, cancel 202)."""
    return ConnexionResponse(status_code=status, body=b"")


def optional_date(body: Mapping[str, Any], key: str) -> date | None:
    """Read an optional yyyy-MM-dd date; a malformed one is a 400 naming the field."""
    raw = body.get(key)
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw)
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"{key} must be a date as yyyy-MM-dd, not {raw!r}", VALIDATION_ERROR, [FieldProblem(key, str(exc))]
        ) from exc
    if not limits.date_in_range(day):  # 9999-12-31 plus payment terms overflowed: a 500
        message = f"must be a date {limits.date_range_text()}"
        raise InvalidRequest(f"{key} {message}, not {raw!r}", DATE_OUT_OF_RANGE, [FieldProblem(key, message)])
    return day
