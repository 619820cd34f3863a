"""The one list pipeline: a resource's records filtered, sorted, paged and projected into a JSON response.

A list handler chooses which records are listed (a whole table, or an index's records for a scope
such as one customer), and passes them here with the request's parameters, the resource's table
(domain/resources.py: its filters, sort keys and members) and the backend whose render cache keeps
each record's JSON. Everything arrives as an argument: nothing here reads the request from context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from elevate_sandbox.api.rendering import JSON, json_list_response, render_cache
from elevate_sandbox.domain.resources import Resource
from elevate_sandbox.listing import FilterKind, FilterSpec, Predicate, list_page, make_predicate, paging

# Lenient mode's answer to list parameters it did not use: unknown sort/fields names (the docs' shared
# example names `name`, which most lists do not have) and unreadable filter values.
IGNORED_HEADER = "X-Sandbox-Ignored"


@dataclass
class ListQuery:
    """A list request's parameters, as the handler collected them, and what a lenient list left out.

    ``strict`` (--strict-inferred) refuses unknown sort and fields names and unreadable filters;
    otherwise they are left out, collected in ``ignored`` and named in the X-Sandbox-Ignored header.
    """

    params: Mapping[str, Any]
    strict: bool
    ignored: list[str] | None = field(init=False)

    def __post_init__(self) -> None:
        self.ignored = None if self.strict else []

    def given(self, name: str) -> Any:
        """A parameter's value; None when it is absent or empty (an empty filter filters nothing)."""
        value = self.params.get(name)
        return None if value == "" else value

    def related_filter(self, name: str, kind: FilterKind) -> Predicate | None:
        """The test of a filter on another record than the listed one (a payment's invoice), if given.

        The predicate reads a mapping holding the related value under ``name``.
        """
        raw = self.given(name)
        return None if raw is None else make_predicate(FilterSpec(name, name, kind), raw, self.ignored)


def list_response(
    records: Iterable[Any],
    query: ListQuery,
    resource: Resource,
    *,
    owner: Any,
    table: str | None = None,
    render: Callable[[Any], Mapping[str, Any]] | None = None,
) -> Response:
    """One page of ``records`` as a JSON response; InvalidRequest on a bad page, sort, fields or filter.

    ``records`` come in id order (the tables and the index lists are kept so), which lets a list in the
    default order render one page only. ``owner`` is the tenant's backend: its render cache keeps each
    record's rendering while the record's fields stay unchanged. ``render`` replaces ``to_api()``
    (uncached) for items the domain computes from more than one record. ``table`` names the table when
    ``records`` are all of it: a plain page of it (no filter, sort or fields) is then kept whole until
    the backend's revision moves.
    """
    params, ignored = query.params, query.ignored

    def page(render_row: Callable[[Any], Mapping[str, Any]]) -> list[Any]:
        return list_page(
            records, params, resource.filters, sortable=resource.sortable, projectable=resource.projectable,
            render=render_row, presorted=True, ignored=ignored,
        )  # fmt: skip

    if render is not None:
        return _noted(json_list_response(page(render)), ignored)
    cache = render_cache(owner)
    key = (table, *paging(params)) if table is not None and _plain(query, resource) else None
    body = cache.page(key, owner.revision) if key else None
    if body is not None:
        return Response(body, media_type=JSON)
    response = json_list_response(page(cache.renderer(owner.revision)))
    if key and isinstance(response.body, bytes):
        cache.keep_page(key, owner.revision, response.body)
    return _noted(response, ignored)


def _plain(query: ListQuery, resource: Resource) -> bool:
    """A page in the default order with every field: no filter, sort or fields asked."""
    asked = ("sort", "fields", *(spec.param for spec in resource.filters))
    return all(query.given(name) is None for name in asked)


def _noted(response: Response, ignored: list[str] | None) -> Response:
    """Say in a header what a lenient list left out, so that nothing is ignored silently."""
    if ignored:
        # Header values are Latin-1: whatever a client sent is percent-encoded beyond printable ASCII.
        note = "; ".join(ignored) + " (not used by this list; --strict-inferred refuses them)"
        response.headers[IGNORED_HEADER] = quote(note, safe=" !\"#$&'()*+,/:;<=>?@[]^`{|}~")
    return response
