"""JSON out: orjson with exact money (Decimal rounded to pennies) and the one error shape."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from connexion.jsonifier import Jsonifier
from connexion.lifecycle import ConnexionResponse
from starlette.responses import Response

from elevate_sandbox.domain.errors import SandboxError
from elevate_sandbox.domain.money import PENNY

JSON = "application/json"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Money leaves the sandbox here, and only here, as a JSON number with at most 2 places.
        return float(value.quantize(PENNY))
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def dumps(data: Any) -> bytes:
    """Serialise a response payload."""
    return orjson.dumps(data, default=_default)


def json_response(data: Any, status: int = 200) -> Response:
    """A response rendered here, once: Connexion hands a framework response on as it is."""
    return Response(dumps(data), status_code=status, media_type=JSON)


def json_list_response(rows: list[Any]) -> Response:
    """A JSON array of rows; rows rendered by a RenderCache bring their JSON along."""
    try:
        parts = [row.json for row in rows]
    except AttributeError:  # plain mappings (projected rows, computed objects)
        return json_response(rows)
    if not parts:
        return Response(b"[]", media_type=JSON)
    # orjson's compact output of a list is its items' outputs joined by commas; one join, one copy.
    parts[0] = b"[" + parts[0]
    parts[-1] = parts[-1] + b"]"
    return Response(b",".join(parts), media_type=JSON)


class Row(dict):
    """A record's API object with its JSON, the record and the field values it was rendered from.

    Shared by every response that lists the record: never to be changed.
    """

    __slots__ = ("json", "record", "revision", "snapshot")
    json: bytes
    record: Any
    revision: int
    snapshot: tuple[Any, ...]


Snapshot = Callable[[Any], tuple[Any, ...]]
_SNAPSHOTS: dict[type, Snapshot] = {}


def _snapshot_of(kind: type) -> Snapshot:
    """A function giving a record's field values: equal snapshots render equal API objects.

    ``to_api()`` reads only the record's own fields, so a record whose fields are the same objects
    (or equal values) as when it was rendered renders the same. Lists, dicts and sets can change in
    place, so their snapshot is a copy.
    """
    names = tuple(f.name for f in dataclasses.fields(kind))
    values = operator.attrgetter(*names) if len(names) > 1 else (lambda r: (getattr(r, names[0]),))
    containers = [i for i, f in enumerate(dataclasses.fields(kind)) if str(f.type).startswith(("list", "dict", "set"))]
    if not containers:
        return values

    def snapshot(record: Any) -> tuple[Any, ...]:
        taken = list(values(record))
        for i in containers:
            item = taken[i]
            taken[i] = tuple(item.items()) if isinstance(item, dict) else tuple(item) if item is not None else None
        return tuple(taken)

    return snapshot


class RenderCache:
    """Each record's API object and JSON, rendered once and reused while the record is unchanged.

    Unchanged means: the backend's revision has not moved since the rendering was last checked
    (revisions.py: every backend call that may change records moves it), or else the record's field
    values are those it was rendered from. After any change, each record is compared once more,
    field by field, and only the records that did change are rendered again. Bounded: past
    ``limit`` records it starts again.
    """

    def __init__(self, limit: int = 100_000, pages: int = 64) -> None:
        self._limit = limit
        self._rows: dict[int, Row] = {}
        # Whole pages of whole tables: (table, page, pageSize) -> (revision, JSON). Valid while the
        # revision stands still, like the rows they are made of; the oldest goes past ``pages``.
        self._pages: dict[tuple[Any, ...], tuple[int, bytes]] = {}
        self._max_pages = pages
        # A tenant over a shared base (store.py): the base's frozen records are rendered once for every
        # tenant, in the base's cache; ``shares`` tells them from the tenant's own.
        self.shares: Callable[[Any], bool] | None = None
        self.shared: Callable[[Any], Any] | None = None

    def page(self, key: tuple[Any, ...], revision: int) -> bytes | None:
        """The JSON of a page kept at this revision, or None."""
        kept = self._pages.get(key)
        return kept[1] if kept is not None and kept[0] == revision else None

    def keep_page(self, key: tuple[Any, ...], revision: int, body: bytes) -> None:
        """Keep a page's JSON for the next request at the same revision."""
        self._pages.pop(key, None)
        if len(self._pages) >= self._max_pages:
            del self._pages[next(iter(self._pages))]
        self._pages[key] = (revision, body)

    def renderer(self, revision: int) -> Callable[[Any], Any]:
        """The render function for records of a backend now at ``revision`` (mappings pass through)."""
        rows = self._rows
        shares, shared = self.shares, self.shared

        def row(record: Any) -> Any:
            if shares is not None and shared is not None and shares(record):
                return shared(record)
            found = rows.get(id(record))
            # The record is kept in its row, so its id cannot be reused by another object meanwhile.
            if found is not None and found.record is record:
                if found.revision == revision:
                    return found
                if _SNAPSHOTS[type(record)](record) == found.snapshot:
                    found.revision = revision
                    return found
            return self._render(record, revision)

        return row

    def _render(self, record: Any, revision: int) -> Any:
        kind = type(record)
        snapshot = _SNAPSHOTS.get(kind)
        if snapshot is None:
            if not dataclasses.is_dataclass(kind):
                return record
            snapshot = _SNAPSHOTS[kind] = _snapshot_of(kind)
        row = Row(record.to_api())
        row.json = dumps(row)
        row.record, row.revision, row.snapshot = record, revision, snapshot(record)
        if len(self._rows) >= self._limit:
            self._rows.clear()
        self._rows[id(record)] = row
        return row


_CACHES: WeakKeyDictionary[Any, RenderCache] = WeakKeyDictionary()


def render_cache(owner: Any) -> RenderCache:
    """The render cache of one tenant's backend (it goes when the backend goes, e.g. on reset)."""
    cache = _CACHES.get(owner)
    if cache is None:
        cache = _CACHES[owner] = RenderCache()
    state = owner.state
    caches = getattr(state, "caches", None)
    if caches is not None:
        shared = caches.get("render")
        if shared is None:
            # Base records never change: their renderings stay valid at any revision (0 here).
            shared = caches.setdefault("render", RenderCache().renderer(0))
        cache.shares, cache.shared = state.shares, shared
    else:
        cache.shares = cache.shared = None
    return cache


class OrjsonJsonifier(Jsonifier):
    """Connexion's serialisation hook, backed by orjson (about 4x the default on large pages)."""

    def __init__(self) -> None:
        super().__init__(json_=orjson)

    def dumps(self, data: Any, **kwargs: Any) -> str:
        return dumps(data).decode()

    def loads(self, data: Any) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return data


def error_response(error: SandboxError) -> ConnexionResponse:
    """Render any sandbox error in the contract's error shape."""
    headers = {"WWW-Authenticate": 'Bearer realm="elevate-sandbox"'} if error.status == 401 else None
    return ConnexionResponse(
        status_code=error.status, body=dumps(error.to_body()), mimetype=JSON, content_type=JSON, headers=headers
    )
