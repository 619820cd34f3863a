"""What every handler needs: the caller's tenant, money in, records out (lists: lists.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import TYPE_CHECKING, Any, Protocol, Union, get_args, get_origin, get_type_hints

from connexion.lifecycle import ConnexionResponse

from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain import limits
from elevate_sandbox.domain.errors import DATE_OUT_OF_RANGE, VALIDATION_ERROR, FieldProblem, InvalidRequest
from elevate_sandbox.domain.money import to_money
from elevate_sandbox.http.context import request_method, request_tenant
from elevate_sandbox.store import Held, Tenant

if TYPE_CHECKING:
    from elevate_sandbox.domain.backend import Backend

READS = frozenset({"GET", "HEAD"})


class Renderable(Protocol):
    def to_api(self) -> dict[str, Any]: ...


def current_tenant() -> Tenant:
    """The tenant named by the bearer token of this request."""
    return current_runtime().store.tenant(request_tenant())


def backend() -> Held:
    """``with backend() as b``: the caller's backend, held under its tenant lock for the whole operation.

    A GET only reads: its tenant then hands out shared seeded records as they are, uncopied (store.py).
    """
    tenant = current_tenant()
    return tenant.reading() if request_method() in READS else tenant.writing()


def strict_inferred() -> bool:
    """Whether this sandbox enforces the inferred constraints too (--strict-inferred)."""
    return current_runtime().settings.strict_inferred


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


def read_one(operation_id: str, id_name: str, read: Callable[[Backend, int], Renderable]) -> None:
    """Register the handler of a GET of one record by the id in its path: ``read``'s record, rendered."""

    async def handler(**params: Any) -> tuple[dict[str, Any], int]:
        with backend() as b:
            return rendered(read(b, params[id_name]))

    handler.__name__ = handler.__qualname__ = f"read_one[{operation_id}]"
    operation(operation_id)(handler)


Patch = Callable[..., Renderable]  # (backend, id, JSON Patch document, schema check) -> the changed record


def patch_one(operation_id: str, id_name: str, schema: str, update: Patch) -> None:
    """Register the handler of a JSON Patch of one record by the id in its path, checked against ``schema``."""

    async def handler(body: list[dict[str, Any]], **params: Any) -> tuple[dict[str, Any], int]:
        check = current_runtime().schema_check(schema)
        with backend() as b:
            return rendered(update(b, params[id_name], body, check))

    handler.__name__ = handler.__qualname__ = f"patch_one[{operation_id}]"
    operation(operation_id)(handler)


Reader = Callable[[Mapping[str, Any], str], Any]  # (validated body, API member) -> the argument's value


def _as_is(body: Mapping[str, Any], key: str) -> Any:
    return body[key]


def _reader(declared: Any) -> Reader:
    """How a body member becomes an argument of the declared type.

    Money and dates are checked (a refusal names the member), enums taken by value, anything else as it is.
    """
    if get_origin(declared) in (Union, UnionType):  # X | None: the value is never None here
        declared = next(arg for arg in get_args(declared) if arg is not type(None))
    if declared is Decimal:
        return money
    if declared is date:
        return optional_date
    if isinstance(declared, type) and issubclass(declared, Enum):
        kind = declared
        return lambda body, key: kind(body[key])
    return _as_is


BodyReader = Callable[[Mapping[str, Any]], dict[str, Any]]


def body_reader(declared: type, names: Mapping[str, str]) -> BodyReader:
    """The keyword arguments of a domain create (``declared``: its TypedDict in domain/inputs.py) from a body.

    ``names`` maps each API member read to its argument, in the order they are read: the first bad value
    answers. A member absent or null is left out, so that the create's default applies.
    """
    hints = get_type_hints(declared)
    steps = [(member, argument, _reader(hints[argument])) for member, argument in names.items()]

    def read(body: Mapping[str, Any]) -> dict[str, Any]:
        return {argument: reader(body, member) for member, argument, reader in steps if body.get(member) is not None}

    return read


def create_one(
    operation_id: str,
    create: Callable[..., Renderable],
    declared: type,
    names: Mapping[str, str],
    status: int = 201,
    *,
    strict: bool = False,
) -> None:
    """Register the handler of a create: the body read into ``declared``'s fields (``body_reader``), given to
    ``create`` (with ``strict`` too, from --strict-inferred, when asked), its record rendered with ``status``."""
    read = body_reader(declared, names)

    async def handler(body: dict[str, Any], **_: Any) -> tuple[dict[str, Any], int]:
        fields = read(body)
        if strict:
            fields["strict"] = strict_inferred()
        with backend() as b:
            return rendered(create(b, **fields), status)

    handler.__name__ = handler.__qualname__ = f"create_one[{operation_id}]"
    operation(operation_id)(handler)


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
