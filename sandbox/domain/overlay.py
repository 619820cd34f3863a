"""Copy on write: a tenant's tables and lookups as its own changes over a shared, frozen base.

A ``Base`` (bases.py) holds the records a dataset and seed produce, built once and never changed again.
Each tenant sees them through an ``OverlayState``: a ``TenantState`` whose tables are ``Table`` views
that keep only the tenant's own records (changed copies of base records, new ones, removed keys).

The rules change records in place (``invoice.collected += ...``), so a base record must never reach
them: while a tenant may write, every base record it reaches (by key, by iteration, through a lookup)
is first copied into the tenant's table, and every later access finds that same copy. When the
holder of the tenant lets go, the copies it did not change are dropped again (``Scope.settle``), so
a tenant keeps only what it changed. While a holder only reads (``Scope.reading``), base records are
handed out as they are: nothing is copied, reads cost no memory. The rules, the list pipeline and
the snapshots see ordinary mappings in id order.
"""

from __future__ import annotations

import functools
import itertools
import typing
from collections import ChainMap
from collections.abc import Callable, Collection, Iterable, Iterator, KeysView, MutableMapping
from dataclasses import fields
from typing import Any

from elevate_sandbox.domain.context import Index
from elevate_sandbox.domain.enums import BillRunType
from elevate_sandbox.domain.models import InvoicePayment
from elevate_sandbox.domain.state import TenantState

_COPIERS: dict[type, Callable[[Any], Any]] = {}
_NOTHING_GONE: frozenset[Any] = frozenset()


def copier(kind: type) -> Callable[[Any], Any]:
    """A function copying a record of ``kind``: every field, lists as new lists (rules append to them)."""
    found = _COPIERS.get(kind)
    if found is not None:
        return found
    hints = typing.get_type_hints(kind)
    names = tuple(spec.name for spec in fields(kind))
    lists = tuple(name for name in names if typing.get_origin(hints[name]) is list)
    new = object.__new__

    def copy(record: Any) -> Any:
        mine: Any = new(kind)
        for name in names:
            setattr(mine, name, getattr(record, name))
        for name in lists:
            setattr(mine, name, list(getattr(record, name)))
        return mine

    _COPIERS[kind] = copy
    return copy


class Scope:
    """How the current holder of a tenant uses it, shared by all of the tenant's tables.

    ``reading``: the holder only reads, base records are handed out as they are. Otherwise every base
    record reached is copied first, and remembered in ``fresh`` until ``settle`` drops the unchanged ones.
    """

    __slots__ = ("fresh", "reading")

    def __init__(self) -> None:
        self.reading = False
        self.fresh: list[tuple[Table, Any]] = []

    def settle(self) -> None:
        """Drop the copies made since the last settle that still equal their base record."""
        fresh, self.fresh = self.fresh, []
        for table, key in fresh:
            table.drop_if_unchanged(key)


class _Values:
    """``table.values()`` of a Table: iterable (forwards and backwards) and sized, like a dict's."""

    __slots__ = ("_table",)

    def __init__(self, table: Table) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[Any]:
        return self._table.iter_values()

    def __reversed__(self) -> Iterator[Any]:
        return self._table.iter_values(backwards=True)


class Table(MutableMapping[Any, Any]):
    """One table of a tenant: the base's records in their order, then the tenant's new ones.

    ``_changed`` holds the tenant's copies of base records (at the base record's place), ``_added``
    the records the base does not have (after the base's, in insertion order, like a dict's), ``_gone``
    base keys the tenant removed.
    """

    __slots__ = ("_added", "_base", "_changed", "_copy", "_gone", "_scope", "_shares", "key_of")

    def __init__(
        self,
        base: dict[Any, Any],
        scope: Scope,
        copy: Callable[[Any], Any],
        key_of: Callable[[Any], Any],
        shares: bool = True,
    ) -> None:
        self._base = base
        self._changed: dict[Any, Any] = {}
        self._added: dict[Any, Any] = {}
        self._gone: set[Any] | frozenset[Any] = _NOTHING_GONE  # a set of its own on the first removal
        self._scope = scope
        self._copy = copy
        # False: base records differ per tenant (adapted on copy): a reader gets a copy it does not keep.
        self._shares = shares
        self.key_of = key_of

    # --- what the tenant changed (snapshots) -----------------------------------------------------------

    def changes(self) -> tuple[dict[Any, Any], dict[Any, Any], Collection[Any]]:
        """(changed base records, added records, removed base keys): the tenant's own part."""
        return self._changed, self._added, self._gone

    def restore(self, changed: dict[Any, Any], added: dict[Any, Any], gone: Collection[Any]) -> None:
        """Take the tenant's own part from a snapshot."""
        self._changed, self._added, self._gone = changed, added, set(gone) if gone else _NOTHING_GONE

    def drop_if_unchanged(self, key: Any) -> None:
        mine = self._changed.get(key)
        if mine is None or key not in self._base:
            return
        record = self._base[key]
        if mine == (record if self._shares else self._copy(record)):
            del self._changed[key]

    def _own(self, key: Any, record: Any) -> Any:
        mine = self._changed[key] = self._copy(record)
        self._scope.fresh.append((self, key))
        return mine

    # --- the mapping ---------------------------------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        found = self._changed.get(key)
        if found is not None:
            return found
        found = self._added.get(key)
        if found is not None:
            return found
        if key in self._gone:
            raise KeyError(key)
        record = self._base[key]
        return self._shown(record) if self._scope.reading else self._own(key, record)

    def _shown(self, record: Any) -> Any:
        """A base record for a reader: itself, or a copy adapted to the tenant that is not kept."""
        return record if self._shares else self._copy(record)

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except (KeyError, TypeError):  # TypeError: an unhashable key, which no table holds
            return default

    def __contains__(self, key: Any) -> bool:
        try:
            return key in self._added or (key in self._base and key not in self._gone)
        except TypeError:
            return False

    def __len__(self) -> int:
        return len(self._base) - len(self._gone) + len(self._added)

    def __iter__(self) -> Iterator[Any]:
        if not self._gone:
            return itertools.chain(self._base, self._added)
        return itertools.chain((key for key in self._base if key not in self._gone), self._added)

    def __setitem__(self, key: Any, record: Any) -> None:
        if key in self._base and key not in self._gone:
            self._changed[key] = record
        else:
            self._added[key] = record

    def __delitem__(self, key: Any) -> None:
        if key in self._added:
            del self._added[key]
        elif key in self._base and key not in self._gone:
            if not isinstance(self._gone, set):
                self._gone = set()
            self._gone.add(key)
            self._changed.pop(key, None)
        else:
            raise KeyError(key)

    def keys(self) -> KeysView[Any]:
        return KeysView(self)

    # values() and items() are lazy and in key order, without the per-key lookups of the ValuesView and
    # ItemsView that MutableMapping's signatures promise: the hot path of every list.
    def values(self) -> _Values:  # type: ignore[override]
        return _Values(self)

    def items(self) -> Iterator[tuple[Any, Any]]:  # type: ignore[override]
        return ((self.key_of(record), record) for record in self.iter_values())

    def iter_values(self, backwards: bool = False) -> Iterator[Any]:
        """Every record in key order (``backwards``: newest first); copied first unless only reading."""
        base: Iterable[tuple[Any, Any]] = self._base.items()
        added: Iterable[Any] = self._added.values()
        if backwards:
            base, added = reversed(self._base.items()), reversed(self._added.values())
        changed, gone = self._changed, self._gone
        if self._scope.reading:
            if self._shares and not changed and not gone:
                plain = reversed(self._base.values()) if backwards else self._base.values()
                return itertools.chain(plain, added)
            show = self._shown
            shown = (changed[key] if key in changed else show(record) for key, record in base if key not in gone)
            return itertools.chain(shown, added) if not backwards else itertools.chain(added, shown)
        owned = (self._mine(key, record) for key, record in base if key not in gone)
        return itertools.chain(owned, added) if not backwards else itertools.chain(added, owned)

    def _mine(self, key: Any, record: Any) -> Any:
        found = self._changed.get(key)
        return found if found is not None else self._own(key, record)

    def resolve(self, record: Any, key: Any) -> Any:
        """The tenant's version of a record met in a shared lookup (itself when the table lacks it)."""
        found = self._changed.get(key)
        if found is not None:
            return found
        if self._added.get(key) is record or key in self._gone:
            return record
        base = self._base.get(key)
        if base is not record:
            return record
        return self._shown(record) if self._scope.reading else self._own(key, record)


class Bucket(list[Any]):
    """One key's list in a Lookup, resolved for the tenant; what a rule appends stays the tenant's."""

    __slots__ = ("_appended",)

    def __init__(self, records: list[Any], appended: list[Any]) -> None:
        super().__init__(records)
        self._appended = appended

    def append(self, record: Any) -> None:
        super().append(record)
        self._appended.append(record)


class Lookup:
    """A shared one-to-many lookup (customer id -> invoices, ...) seen by one tenant.

    The base's lists hold base records: each is resolved to the tenant's version when handed out. The
    records a tenant's rules append are kept apart, after the base's (they are newer: id order holds).
    """

    __slots__ = ("_added", "_base", "_resolve")

    def __init__(self, base: dict[Any, list[Any]], resolve: Callable[[Any], Any]) -> None:
        self._base = base
        self._added: dict[Any, list[Any]] = {}
        self._resolve = resolve

    def get(self, key: Any, default: Any = None) -> Any:
        shared, mine = self._base.get(key), self._added.get(key)
        if shared is None and mine is None:
            return default
        resolve = self._resolve
        return [resolve(record) for record in itertools.chain(shared or (), mine or ())]

    def __getitem__(self, key: Any) -> list[Any]:
        found: list[Any] | None = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: Any) -> bool:
        return key in self._added or key in self._base

    def adopt(self, added: dict[Any, list[Any]]) -> None:
        """Take the tenant's own records per key (derived from a restored tenant's new records)."""
        self._added = {key: list(records) for key, records in added.items()}

    def setdefault(self, key: Any, default: Any = None) -> Bucket:
        return Bucket(self.get(key, []), self._added.setdefault(key, []))


class OverlayState(TenantState):
    """A tenant's state over a shared base: Table views, the tenant's own sequences, one Scope.

    A table's view is made the first time the tenant uses the table: a tenant that read one table
    holds one view. ``caches`` is the base's place for what is derived from its frozen records alone
    (renderings shared by every tenant).
    """

    def __init__(
        self,
        base: TenantState,
        adapt: Callable[[Any], Any] | None = None,
        kinds: Collection[type] = (),
        caches: dict[str, Any] | None = None,
    ) -> None:
        """``adapt`` changes the tenant's copy of a base record of one of ``kinds`` (URLs naming it)."""
        # Not TenantState's __init__: it would make every table's view now.
        self.scope = Scope()
        self.shared = base
        self.caches = caches if caches is not None else {}
        self.sequences = dict(base.sequences)
        self._adapt = adapt
        self._kinds = kinds

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes not set yet: a table's view, made on first use.
        if name not in _TABLE_SET:
            raise AttributeError(name)
        kind = _record_kind(name)
        copy = copier(kind)
        adapt = self._adapt if kind in self._kinds else None
        if adapt is not None:
            copy = _then(copy, adapt)
        table = Table(getattr(self.shared, name), self.scope, copy, _key_of(name), shares=adapt is None)
        setattr(self, name, table)
        return table

    def used_tables(self) -> dict[str, Table]:
        """The tables the tenant used so far (the others hold nothing of its own)."""
        return {name: table for name, table in vars(self).items() if name in _TABLE_SET}

    def shares(self, record: Any) -> bool:
        """Whether ``record`` is the base's own (frozen, the same for every tenant), not a tenant's copy."""
        for name in _TABLES_OF.get(type(record), ()):
            if getattr(self.shared, name).get(_key_of(name)(record)) is record:
                return True
        return False

    def resolver(self) -> Callable[[Any], Any]:
        """The function a Lookup uses to find the tenant's version of a base record."""

        def resolve(record: Any) -> Any:
            kind = type(record)
            if kind is InvoicePayment:
                name = "invoice_payments" if record.bill_run_type is BillRunType.NORMAL else "adhoc_invoice_payments"
            else:
                name = _TABLES_OF[kind][0]
            table = getattr(self, name)
            if isinstance(table, Table):
                return table.resolve(record, record.id)
            return table.get(record.id, record)  # a table replaced by a plain mapping holds its own records

        return resolve


TABLES = tuple(spec.name for spec in fields(TenantState) if spec.name != "sequences")
_TABLE_SET = frozenset(TABLES)


def _then(first: Callable[[Any], Any], second: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda record: second(first(record))


@functools.cache
def _key_of(table: str) -> Callable[[Any], Any]:
    """How a table files its records: by id, provider mandates by (payment method, reference)."""
    if table == "provider_mandates":
        return lambda record: (record.payment_method, record.mandate_reference)
    return lambda record: record.id


@functools.cache
def _record_kind(table: str) -> type:
    hint = typing.get_type_hints(TenantState)[table]
    kind: type = typing.get_args(hint)[1]
    return kind


def overlay_index(base_index: Index, state: OverlayState) -> Index:
    """A tenant's Index over the base's: one-to-many lookups resolved per tenant, token maps layered."""
    # Not Index's __init__: each lookup is a Lookup or a ChainMap that reads like the dict it layers.
    index = object.__new__(Index)
    resolve = state.resolver()
    for name, one_to_many in _lookup_fields(Index):
        shared = getattr(base_index, name)
        setattr(index, name, Lookup(shared, resolve) if one_to_many else ChainMap({}, shared))
    return index


@functools.cache
def _lookup_fields(kind: type) -> tuple[tuple[str, bool], ...]:
    """The Index's fields, each with whether it maps a key to a list of records (else to one value)."""
    hints = typing.get_type_hints(kind)
    return tuple(
        (spec.name, typing.get_origin(typing.get_args(hints[spec.name])[1]) is list) for spec in fields(kind)
    )


def index_over(base_index: Index, state: OverlayState) -> Index:
    """``overlay_index`` with the lookups of the tenant's own new records derived again (a restored tenant)."""
    index = overlay_index(base_index, state)
    own = TenantState(**{name: dict(table.changes()[1]) for name, table in state.used_tables().items()})
    derived = Index.build(own)
    for name, _ in _lookup_fields(Index):
        layered, mine = getattr(index, name), getattr(derived, name)
        if isinstance(layered, Lookup):
            layered.adopt(mine)
        else:
            layered.maps[0].update(mine)
    return index


def _tables_of() -> dict[type, tuple[str, ...]]:
    found: dict[type, tuple[str, ...]] = {}
    for name in TABLES:
        kind = _record_kind(name)
        found[kind] = (*found.get(kind, ()), name)
    return found


# The tables that hold each kind of record (invoice payments: the normal and the adhoc one).
_TABLES_OF = _tables_of()
