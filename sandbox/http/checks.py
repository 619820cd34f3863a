"""Request checks in the sandbox's error shape: every problem, each with the field it concerns.

Each check is built once per schema (a compiled jsonschema-rs check that may only say "valid", then
jsonschema to decide and explain: sandbox/http/compiled.py says why both). The pipeline and the stock
app's validators (stock.py) both report through these functions, so both give the same errors.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from jsonschema import Draft4Validator, FormatChecker, ValidationError

from elevate_sandbox.domain.errors import VALIDATION_ERROR, FieldProblem, InvalidRequest
from elevate_sandbox.http.compiled import INTEGER_RANGES, compiled_check

MAX_PROBLEMS = 20


def _format_checker() -> FormatChecker:
    """Draft 4's format checks plus OpenAPI's int32/int64, which jsonschema does not know."""
    checker = copy.deepcopy(Draft4Validator.FORMAT_CHECKER)
    for name, (low, high) in INTEGER_RANGES.items():
        checker.checks(name)(lambda value, low=low, high=high: not isinstance(value, int) or low <= value <= high)
    return checker


FORMATS = _format_checker()

# The schemas checked are the contract's own, fixed for the life of the app: each check is built once
# and kept, keyed by the identity of the schema object (kept too, so that an id is never reused).
_VALIDATORS: dict[int, tuple[Any, Any]] = {}
_CHECKS: dict[int, tuple[Any, Any]] = {}  # the compiled checks, kept apart: one schema object has both


def _cached(cache: dict[int, tuple[Any, Any]], schema: Any, build: Any) -> Any:
    """``build(schema)``, built on first use of this very schema object and kept in ``cache``."""
    entry = cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = cache[id(schema)] = (schema, build(schema))
    return entry[1]


def _body_validator(schema: Any) -> Any:
    from connexion.json_schema import Draft4RequestValidator  # OpenAPI's nullable and readOnly rules

    return Draft4RequestValidator(schema, format_checker=FORMATS)


def _compiled_parameter_check(param: dict[str, Any]) -> Any:
    return compiled_check(param.get("schema", {}))


def _parameter_validator(param: dict[str, Any]) -> Any:
    # A private copy: jsonschema may cache on the schema it was given, never on the contract's dict.
    return Draft4Validator(copy.deepcopy(param.get("schema", {})), format_checker=FORMATS)


def _field_name(error: ValidationError, root: str = "") -> str:
    """A readable path to the bad value: ``contractOwnerIds[0]``, or the missing property's name."""
    path = root
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if error.validator == "required" and isinstance(error.instance, dict):
        # One error per missing property, each naming its own in the message ("'x' is a required
        # property"): the field is the one this error names, not the first missing one.
        missing = [name for name in error.validator_value if name not in error.instance]
        named = next((name for name in missing if error.message.startswith(f"{name!r} ")), None)
        if named is not None or missing:
            name = named if named is not None else missing[0]
            path = f"{path}.{name}" if path else name
    return path or "body"


def problems_from(errors: Iterable[ValidationError], root: str = "") -> list[FieldProblem]:
    """Turn jsonschema errors into field problems, deepest first, capped so a huge body stays cheap."""
    problems = []
    for error in sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        problems.append(FieldProblem(field=_field_name(error, root), message=error.message))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def invalid(problems: list[FieldProblem], what: str) -> InvalidRequest:
    """One 400 for every problem found, its message naming the first."""
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return InvalidRequest(f"Invalid {what}: {first.field}: {first.message}{more}", VALIDATION_ERROR, problems)


def empty_body() -> InvalidRequest:
    problem = FieldProblem("body", "a JSON body is required")
    return InvalidRequest("The request body must not be empty", VALIDATION_ERROR, [problem])


def not_json(exc: Exception) -> InvalidRequest:
    problem = FieldProblem("body", f"not valid JSON: {exc}")
    return InvalidRequest("The request body is not valid JSON", VALIDATION_ERROR, [problem])


def check_body(schema: dict[str, Any], body: Any) -> None:
    """Raise one InvalidRequest naming every problem of a decoded JSON body."""
    if body is None:
        raise empty_body()
    check = _cached(_CHECKS, schema, compiled_check)
    if check is not None and check(body):
        return
    problems = problems_from(_cached(_VALIDATORS, schema, _body_validator).iter_errors(body))
    if problems:
        raise invalid(problems, "request body")


def body_check(schema: dict[str, Any]) -> Callable[[Any], None]:
    """``check_body`` for one schema, its checks built now rather than on the first request."""
    _cached(_CHECKS, schema, compiled_check)
    _cached(_VALIDATORS, schema, _body_validator)
    return lambda body: check_body(schema, body)


def parameter_problem(location: str, param: dict[str, Any], value: Any) -> str | None:
    """What is wrong with one parameter's parsed value (None for a missing optional one), or None."""
    name = param["name"]
    if value is None:
        return f"the {location} parameter '{name}' is required" if param.get("required") else None
    check = _cached(_CHECKS, param, _compiled_parameter_check)
    if check is not None and check(value):
        return None
    error = next(iter(_cached(_VALIDATORS, param, _parameter_validator).iter_errors(value)), None)
    return error.message if error is not None else None
