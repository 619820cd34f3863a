"""A tenant's tables as plain JSON data and back: every record, every field, checked on the way in.

Records are written field for field under their Python names (snake_case); Decimals, dates and instants
as strings, enums as their values. Reading builds a whole new TenantState or refuses the document with
SNAPSHOT_INVALID naming the first bad value: a wrong type, a value outside what the domain holds (limits.py:
int64 ids, money in pennies, bounded text, dates the rules can compute with), an unknown or missing field, a
duplicate id, a reference to a record that does not exist, or a sequence behind its table. A copy-on-write
tenant (domain/overlay.py) is written as its own part only: its changed and new records, the base keys it
removed and its sequences (``dump_changes``); ``load_changes`` lays them over the same base again.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from elevate_sandbox.clock import parse_instant
from elevate_sandbox.domain import limits, models
from elevate_sandbox.domain.enums import BillRunType, PaymentMethod
from elevate_sandbox.domain.errors import SNAPSHOT_INVALID, FieldProblem, InvalidRequest
from elevate_sandbox.domain.overlay import OverlayState
from elevate_sandbox.domain.state import TenantState

D = TypeVar("D", bound=date)  # a date or a datetime

# TenantState's tables and the record each holds (a test holds this equal to TenantState's fields).
TABLES: dict[str, type] = {
    "contract_owners": models.ContractOwner,
    "customers": models.Customer,
    "sites": models.Site,
    "invoices": models.Invoice,
    "payment_providers": models.PaymentProvider,
    "invoice_payments": models.InvoicePayment,
    "adhoc_invoice_payments": models.InvoicePayment,
    "refunds": models.Refund,
    "customer_payments": models.CustomerPayment,
    "balance_adjustments": models.BalanceAdjustment,
    "site_mandates": models.SitePaymentMandate,
    "provider_mandates": models.ProviderMandate,
    "instant_bank_payments": models.InstantBankPayment,
    "payment_links": models.PaymentLink,
    "outbound_payments": models.OutboundPayment,
}
# (table, field, table it must name a record of); optional fields may be null.
REFERENCES = (
    ("customers", "contract_owner_id", "contract_owners"),
    ("sites", "customer_id", "customers"),
    ("invoices", "customer_id", "customers"),
    ("invoices", "site_id", "sites"),
    ("invoice_payments", "invoice_id", "invoices"),
    ("invoice_payments", "customer_id", "customers"),
    ("adhoc_invoice_payments", "invoice_id", "invoices"),
    ("adhoc_invoice_payments", "customer_id", "customers"),
    ("refunds", "invoice_id", "invoices"),
    ("refunds", "customer_id", "customers"),
    ("customer_payments", "customer_id", "customers"),
    ("balance_adjustments", "customer_id", "customers"),
    ("site_mandates", "site_id", "sites"),
    ("provider_mandates", "customer_id", "customers"),
    ("provider_mandates", "site_id", "sites"),
    ("provider_mandates", "contract_owner_id", "contract_owners"),
    ("payment_links", "payment_provider_id", "payment_providers"),
    ("payment_links", "invoice_id", "invoices"),
    ("payment_links", "adhoc_invoice_id", "invoices"),
    ("payment_links", "customer_id", "customers"),
    ("outbound_payments", "customer_id", "customers"),
)


class BadValue(Exception):
    """A value that does not fit its field."""


def _problem(where: str, message: str) -> InvalidRequest:
    return InvalidRequest(
        f"The state document is not valid: {where}: {message}", SNAPSHOT_INVALID, [FieldProblem(where, message)]
    )


# --- writing ------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A field value as JSON data."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def dump_state(state: TenantState) -> dict[str, Any]:
    """Every table as a list of records in id order, and the id sequences."""
    tables = {
        name: [{f.name: plain(getattr(record, f.name)) for f in fields(record)} for record in table.values()]
        for name, table in ((name, getattr(state, name)) for name in TABLES)
    }
    return {"sequences": dict(state.sequences), "tables": tables}


# --- reading ------------------------------------------------------------------------------------------


def _expect(kind: type | tuple[type, ...], what: str) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise BadValue(f"expected {what}, not {type(value).__name__}")
        return value

    return read


def _integer(value: Any) -> int:
    number: int = _expect(int, "an integer")(value)
    if not 0 <= number <= limits.MAX_INTEGER:
        raise BadValue(f"{number} is outside 0..{limits.MAX_INTEGER} (int64, JSON-safe)")
    return number


def _text(value: Any) -> str:
    text: str = _expect(str, "a string")(value)
    if len(text) > limits.MAX_TEXT:
        raise BadValue(f"longer than {limits.MAX_TEXT} characters")
    return text


def _decimal(value: Any) -> Decimal:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise BadValue(f"expected a decimal string, not {type(value).__name__}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise BadValue(f"{value!r} is not a decimal") from exc
    if not amount.is_finite():
        raise BadValue(f"{value!r} is not a finite decimal")
    exponent = amount.as_tuple().exponent  # an int: the amount is finite
    if abs(amount) > limits.MAX_AMOUNT or (isinstance(exponent, int) and exponent < limits.MONEY_EXPONENT):
        raise BadValue(f"{value!r} is not an amount in pennies up to {limits.MAX_AMOUNT}")
    return amount


def _in_range(day: D) -> D:
    if not limits.date_in_range(day):
        raise BadValue(f"{day.isoformat()} is not {limits.date_range_text()}")
    return day


def _instant(value: Any) -> datetime:
    try:
        return _in_range(parse_instant(_expect(str, "an ISO instant")(value)))
    except (ValueError, OverflowError) as exc:
        raise BadValue(f"{value!r} is not an ISO instant") from exc


def _date(value: Any) -> date:
    try:
        return _in_range(date.fromisoformat(_expect(str, "an ISO date")(value)))
    except ValueError as exc:
        raise BadValue(f"{value!r} is not an ISO date") from exc


def _member(enum: type[Enum]) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        try:
            return enum(_expect(str, f"a {enum.__name__}")(value))
        except ValueError as exc:
            raise BadValue(f"{value!r} is not a {enum.__name__}") from exc

    return read


def _bounded_list(value: Any) -> list[Any]:
    entries: list[Any] = _expect(list, "a list")(value)
    if len(entries) > limits.MAX_LIST:
        raise BadValue(f"more than {limits.MAX_LIST} entries")
    return entries


@cache
def reader(hint: Any) -> Callable[[Any], Any]:
    """A function that checks a JSON value against a field's type hint and returns the field value."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = reader(next(arg for arg in typing.get_args(hint) if arg is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is list:
        item = reader(typing.get_args(hint)[0])
        return lambda value: [item(entry) for entry in _bounded_list(value)]
    simple: dict[Any, Callable[[Any], Any]] = {
        Decimal: _decimal,
        datetime: _instant,
        date: _date,
        bool: _expect(bool, "true or false"),
        int: _integer,
        str: _text,
    }
    if hint in simple:
        return simple[hint]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _member(hint)
    raise TypeError(f"no reader for {hint!r}")


@cache
def _field_readers(model: type) -> tuple[frozenset[str], tuple[tuple[str, Callable[[Any], Any], bool], ...]]:
    """A model's field names, and (name, reader, required) per field, worked out once per model."""
    hints = typing.get_type_hints(model)
    specs = tuple(
        (spec.name, reader(hints[spec.name]), spec.default is MISSING and spec.default_factory is MISSING)
        for spec in fields(model)
    )
    return frozenset(name for name, _, _ in specs), specs


def load_record(model: type, raw: Any, where: str) -> Any:
    """One record from its JSON object: every field known, every required one present, every value typed."""
    if not isinstance(raw, dict):
        raise _problem(where, "expected an object")
    names, specs = _field_readers(model)
    if not names.issuperset(raw):
        raise _problem(f"{where}.{sorted(set(raw) - names)[0]}", "unknown field")
    values = {}
    for name, read, required in specs:
        if name not in raw:
            if required:
                raise _problem(f"{where}.{name}", "missing")
            continue
        try:
            values[name] = read(raw[name])
        except BadValue as exc:
            raise _problem(f"{where}.{name}", str(exc)) from None
    return model(**values)


def _key(name: str, record: Any) -> Any:
    return (record.payment_method, record.mandate_reference) if name == "provider_mandates" else record.id


def load_state(document: Any) -> TenantState:
    """A new TenantState from ``{"tables": ..., "sequences": ...}``, or SNAPSHOT_INVALID."""
    tables = document.get("tables") if isinstance(document, dict) else None
    if not isinstance(tables, dict):
        raise _problem("tables", "expected an object of tables")
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise _problem(f"tables.{unknown[0]}", "unknown table")
    state = TenantState()
    for name, model in TABLES.items():
        rows = tables.get(name, [])
        if not isinstance(rows, list):
            raise _problem(f"tables.{name}", "expected a list of records")
        table: dict[Any, Any] = {}
        for position, raw in enumerate(rows):
            record = load_record(model, raw, f"tables.{name}[{position}]")
            if _key(name, record) in table:
                raise _problem(f"tables.{name}[{position}]", f"duplicate key {_key(name, record)!r}")
            table[_key(name, record)] = record
        # Tables are kept in key (= id) order, which lists rely on; a document may give rows in any order.
        setattr(state, name, dict(sorted(table.items())))
    state.sequences = _load_sequences(document.get("sequences"))
    check_integrity(state)
    return state


def _load_sequences(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise _problem("sequences", "expected an object of integers")
    for name, value in raw.items():
        if name not in TABLES:
            raise _problem(f"sequences.{name}", "unknown sequence")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limits.MAX_INTEGER:
            raise _problem(f"sequences.{name}", f"expected an integer in 0..{limits.MAX_INTEGER}")
    return dict(raw)


def check_integrity(state: TenantState) -> None:
    """Every reference names an existing record, tables hold their own kind, sequences are ahead of ids."""
    for table, field_name, target in REFERENCES:
        existing = getattr(state, target)
        for record in getattr(state, table).values():
            value = getattr(record, field_name)
            if value is not None and value not in existing:
                raise _problem(f"tables.{table}[id {_key(table, record)}].{field_name}", f"no {target} {value}")
    for provider in state.payment_providers.values():
        for owner in provider.contract_owner_ids:
            if owner not in state.contract_owners:
                raise _problem(f"tables.payment_providers[id {provider.id}].contract_owner_ids", f"no owner {owner}")
    for payment in state.instant_bank_payments.values():
        if (payment.payment_method, payment.mandate_reference) not in state.provider_mandates:
            raise _problem(f"tables.instant_bank_payments[id {payment.id}]", "no such provider mandate")
    for table, kind in (("invoice_payments", BillRunType.NORMAL), ("adhoc_invoice_payments", BillRunType.ADHOC)):
        for payment in getattr(state, table).values():
            if payment.bill_run_type is not kind:
                raise _problem(f"tables.{table}[id {payment.id}].bill_run_type", f"must be {kind.value}")
    for name in TABLES:
        if name != "provider_mandates" and getattr(state, name):
            highest = max(getattr(state, name))
            if state.sequences.get(name, 0) < highest:
                raise _problem(f"sequences.{name}", f"is behind the highest id {highest}")


# --- a copy-on-write tenant's own part (format version 2) -------------------------------------------


def dump_changes(state: OverlayState) -> dict[str, Any]:
    """What a tenant changed over its base: its own records per table, the base keys it removed, sequences."""
    tables: dict[str, list[dict[str, Any]]] = {}
    removed: dict[str, list[Any]] = {}
    for name, table in state.used_tables().items():
        changed, added, gone = table.changes()
        rows = [*changed.values(), *added.values()]
        if rows:
            tables[name] = [{f.name: plain(getattr(record, f.name)) for f in fields(record)} for record in rows]
        if gone:
            removed[name] = [plain(list(key)) if isinstance(key, tuple) else key for key in gone]
    return {"sequences": dict(state.sequences), "tables": tables, "removed": removed}


def load_changes(document: dict[str, Any], base: TenantState) -> OverlayState:
    """A tenant's state over ``base`` from ``dump_changes`` data, checked whole, or SNAPSHOT_INVALID."""
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise _problem("tables", "expected an object of tables")
    unknown = sorted(set(tables) - set(TABLES))
    removed = document.get("removed", {})
    if not isinstance(removed, dict):
        raise _problem("removed", "expected an object of key lists")
    unknown += sorted(set(removed) - set(TABLES))
    if unknown:
        raise _problem(f"tables.{unknown[0]}", "unknown table")
    state = OverlayState(base)
    for name, model in TABLES.items():
        shared = getattr(base, name)
        changed: dict[Any, Any] = {}
        added: dict[Any, Any] = {}
        rows = tables.get(name, [])
        if not isinstance(rows, list):
            raise _problem(f"tables.{name}", "expected a list of records")
        for position, raw in enumerate(rows):
            record = load_record(model, raw, f"tables.{name}[{position}]")
            key = _key(name, record)
            if key in changed or key in added:
                raise _problem(f"tables.{name}[{position}]", f"duplicate key {key!r}")
            (changed if key in shared else added)[key] = record
        if name != "provider_mandates":  # ids are issued in order; mandates keep the order they came in
            added = dict(sorted(added.items()))
        gone = _load_removed(name, removed.get(name, []), shared, changed)
        if changed or added or gone:
            getattr(state, name).restore(changed, added, gone)
    state.sequences = _load_sequences(document.get("sequences"))
    state.scope.reading = True  # checking reads every record: nothing to copy
    try:
        check_integrity(state)
    finally:
        state.scope.reading = False
    return state


def _load_removed(name: str, raw: Any, shared: dict[Any, Any], changed: dict[Any, Any]) -> set[Any]:
    if not isinstance(raw, list):
        raise _problem(f"removed.{name}", "expected a list of keys")
    gone = set()
    for position, value in enumerate(raw):
        key: Any = value
        if name == "provider_mandates":
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)):
                raise _problem(f"removed.{name}[{position}]", "expected [paymentMethod, mandateReference]")
            try:
                key = (PaymentMethod(value[0]), value[1])
            except ValueError:
                raise _problem(f"removed.{name}[{position}]", f"{value[0]!r} is not a PaymentMethod") from None
        elif not isinstance(value, int) or isinstance(value, bool):
            raise _problem(f"removed.{name}[{position}]", "expected an id")
        if key not in shared or key in changed:
            raise _problem(f"removed.{name}[{position}]", f"the base has no {key!r} to remove (or it is also given)")
        gone.add(key)
    return gone
