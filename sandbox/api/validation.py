"""Request validation in the sandbox's error shape: every problem, each with the field it concerns."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import orjson
from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator
from connexion.lifecycle import ConnexionRequest
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, FormatChecker, ValidationError

from elevate_sandbox.api.compiled_checks import INTEGER_RANGES, compiled_check
from elevate_sandbox.api.requests import connexion_request, keep_parsed
from elevate_sandbox.domain.errors import VALIDATION_ERROR, FieldProblem, InvalidRequest

MAX_PROBLEMS = 20


def _format_checker() -> FormatChecker:
    """Draft 4's format checks plus OpenAPI's int32/int64, which jsonschema does not know."""
    checker = copy.deepcopy(Draft4Validator.FORMAT_CHECKER)
    for name, (low, high) in INTEGER_RANGES.items():
        checker.checks(name)(lambda value, low=low, high=high: not isinstance(value, int) or low <= value <= high)
    return checker


FORMATS = _format_checker()

# Connexion builds its validators per request; the schemas they check are the contract's own, fixed
# for the life of the app, so each compiled jsonschema validator is built once and kept here, keyed
# by the identity of the schema object (the object is kept too, so that an id is never reused).
_VALIDATORS: dict[int, tuple[Any, Any]] = {}
_CHECKS: dict[int, tuple[Any, Any]] = {}  # the compiled checks, kept apart: one schema object has both


def _cached(cache: dict[int, tuple[Any, Any]], schema: Any, build: Any) -> Any:
    """``build(schema)``, built on first use of this very schema object and kept in ``cache``."""
    entry = cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = cache[id(schema)] = (schema, build(schema))
    return entry[1]


def _body_validator(schema: Any) -> Any:
    return Draft4RequestValidator(schema, format_checker=FORMATS)


def _compiled_parameter_check(param: dict) -> Any:
    return compiled_check(param.get("schema", {}))


def _parameter_validator(param: dict) -> Any:
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


class SandboxBodyValidator(JSONRequestBodyValidator):
    """JSON body validation that reports every problem, and never fails on undecodable bytes."""

    async def _parse(self, stream: Any, scope: Any) -> Any:
        raw = b"".join([message async for message in stream])
        if not raw.strip():
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            problem = FieldProblem("body", f"not valid JSON: {exc}")
            raise InvalidRequest("The request body is not valid JSON", VALIDATION_ERROR, [problem]) from exc

    def _validate(self, body: Any) -> dict | None:
        if body is None:
            problem = FieldProblem("body", "a JSON body is required")
            raise InvalidRequest("The request body must not be empty", VALIDATION_ERROR, [problem])
        check = _cached(_CHECKS, self._schema, compiled_check)
        if check is not None and check(body):
            return None
        validator = _cached(_VALIDATORS, self._schema, _body_validator)
        problems = problems_from(validator.iter_errors(body))
        if problems:
            raise invalid(problems, "request body")
        return None


class SandboxParameterValidator(ParameterValidator):
    """Query and path parameter validation that names each bad parameter."""

    def validate(self, scope: Any) -> None:
        request = connexion_request(scope, uri_parser=self.uri_parser)
        self.validate_request(request)
        keep_parsed(scope, request)  # the handler's arguments are built from the same parse

    def validate_request(self, request: ConnexionRequest) -> None:
        problems: list[FieldProblem] = []
        for location in ("path", "query", "header"):
            for param in self.parameters.get(location, []):
                message = self._check(location, param, request)
                if message:
                    problems.append(FieldProblem(param["name"], message))
        if problems:
            raise invalid(problems, "parameters")

    def _check(self, location: str, param: dict, request: ConnexionRequest) -> str | None:
        name = param["name"]
        if location == "query":
            value = request.query_params.get(name)
        elif location == "path":
            value = request.path_params.get(name.replace("-", "_"))
        else:
            value = request.headers.get(name)
        if value is None:
            return f"the {location} parameter '{name}' is required" if param.get("required") else None
        check = _cached(_CHECKS, param, _compiled_parameter_check)
        if check is not None and check(value):
            return None
        validator = _cached(_VALIDATORS, param, _parameter_validator)
        error = next(iter(validator.iter_errors(value)), None)
        return error.message if error is not None else None


def validator_map() -> dict[str, Any]:
    """Connexion's validator map with the sandbox's body and parameter validators swapped in."""
    body = MediaTypeDict(dict(VALIDATOR_MAP["body"]))
    body["*/*json"] = SandboxBodyValidator
    return {"parameter": SandboxParameterValidator, "body": body, "response": VALIDATOR_MAP["response"]}
