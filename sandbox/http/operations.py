"""Each operation of a contract, read once at start-up into what serving it needs.

Connexion's own operation objects (``OpenAPIOperation``, over its resolved ``Specification``) are the
source, so that consumes, produces, parameter, body and response definitions, and the defaults, are
read exactly as Connexion reads them; everything that depends only on the operation (the route's
pattern, the URI parser, the parameter tables, the compiled checks, the handler's signature) is worked
out here, once.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
from connexion.datastructures import MediaTypeDict
from connexion.frameworks.starlette import starlettify_path
from connexion.operations import OpenAPIOperation
from connexion.resolver import Resolver
from connexion.spec import OpenAPISpecification
from connexion.utils import inspect_function_arguments, is_json_mimetype, is_nullable
from starlette.concurrency import run_in_threadpool
from starlette.routing import compile_path

from elevate_sandbox.http.checks import body_check
from elevate_sandbox.http.parsing import FixedDefinitionsURIParser, sanitized

METHODS = ("get", "put", "post", "delete", "patch")
CONTEXT_NAME = "context_"  # the argument name through which Connexion hands a handler its context


class CheckedSpecification(OpenAPISpecification):
    """Connexion's OpenAPI specification, its meta-schema check compiled (jsonschema-rs).

    Connexion checks every document against the OpenAPI 3.0 meta-schema with jsonschema (0.4 s for the
    two contracts, on every start). Only the sandbox's own contracts are read through this class; on a
    failure Connexion's own check runs and raises its own error.
    """

    _compiled: Callable[[Any], bool] | None = None

    @classmethod
    def _validate_spec(cls, spec: dict[str, Any]) -> None:
        if CheckedSpecification._compiled is None:
            CheckedSpecification._compiled = jsonschema_rs.validator_for(cls.openapi_schema).is_valid
        if not CheckedSpecification._compiled(spec):
            super()._validate_spec(spec)


@dataclass(eq=False)
class ServedOperation:
    """One operation of one contract, ready to serve."""

    operation: OpenAPIOperation
    base_path: str
    method: str
    pattern: re.Pattern[str]
    convertors: dict[str, Any]
    handler: Callable[..., Any]
    arguments: frozenset[str]
    has_kwargs: bool
    secured: bool
    parser: FixedDefinitionsURIParser
    parameters: dict[str, list[dict[str, Any]]]  # by location: path, query, header
    path_definitions: dict[str, dict[str, Any]]
    query_definitions: dict[str, dict[str, Any]]
    query_defaults: dict[str, Any]
    query_names: dict[str, str]  # contract name -> argument name
    consumes: list[str]
    json_consumes: frozenset[str]  # the lower-cased media types whose body the pipeline parses itself
    body_checks: dict[str, Any] = field(default_factory=dict)  # media type -> check
    takes_body: bool = False
    produces: list[str] = field(default_factory=list)
    forms: bool = False  # a form body: served by the stock app
    path_names: dict[str, str] = field(default_factory=dict)  # contract name -> argument name

    @property
    def operation_id(self) -> str:
        return str(self.operation.operation_id)

    def mime_accepted(self, mime_type: str) -> bool:
        """Connexion's test of a Content-Type against what the operation consumes (media ranges too)."""
        return not self.consumes or mime_type.lower() in MediaTypeDict([(c.lower(), None) for c in self.consumes])


def _route(operation: OpenAPIOperation) -> tuple[re.Pattern[str], dict[str, Any]]:
    """Starlette's pattern and convertors for the route Connexion adds for this operation in its API's mount."""
    path = starlettify_path(operation.path, operation.get_path_parameter_types())
    pattern, _format, convertors = compile_path(path)
    return pattern, convertors


def _awaitable(function: Callable[..., Any]) -> Callable[..., Any]:
    if asyncio.iscoroutinefunction(function):
        return function

    async def in_thread(**kwargs: Any) -> Any:
        return await run_in_threadpool(function, **kwargs)

    return in_thread


def _query_defaults(definitions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Connexion's query defaults: a parameter's own default, or its schema's."""
    defaults = {}
    for name, definition in definitions.items():
        if "default" in definition:
            defaults[name] = definition["default"]
        elif "default" in definition.get("schema", {}):
            defaults[name] = definition["schema"]["default"]
    return defaults


def _serve(operation: OpenAPIOperation, base_path: str, function: Callable[..., Any]) -> ServedOperation:
    arguments, has_kwargs = inspect_function_arguments(function)
    pattern, convertors = _route(operation)
    by_location: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for parameter in operation.parameters:
        by_location[parameter["in"]].append(parameter)
    query = {p["name"]: p for p in operation.parameters if p["in"] == "query"}
    if any(p.get("schema", {}).get("type") == "object" for p in query.values()):
        raise ValueError(f"{operation.operation_id}: object query parameters are not served by the pipeline")
    consumes = list(operation.consumes)
    served = ServedOperation(
        operation=operation,
        base_path=base_path,
        method=operation.method.upper(),
        pattern=pattern,
        convertors=convertors,
        handler=_awaitable(function),
        arguments=frozenset(arguments),
        has_kwargs=has_kwargs,
        secured=any(requirement for requirement in (operation.security or [])),
        parser=FixedDefinitionsURIParser(operation.parameters, operation.body_definition()),
        parameters=dict(by_location),
        path_definitions={p["name"]: p for p in operation.parameters if p["in"] == "path"},
        query_definitions=query,
        query_defaults=_query_defaults(query),
        query_names={name: sanitized(name) for name in query},
        consumes=consumes,
        json_consumes=frozenset(c.lower() for c in consumes if is_json_mimetype(c)),
        produces=list(operation.produces),
    )
    served.forms = any(not is_json_mimetype(c) for c in consumes) or CONTEXT_NAME in served.arguments
    served.path_names = {name: sanitized(name) for name in served.path_definitions}
    for media_type in served.json_consumes:
        definition = operation.body_definition(media_type)
        schema = definition.get("schema", {})
        if schema:
            served.body_checks[media_type] = body_check(schema)
        if is_nullable(definition) or "default" in schema:
            served.forms = True  # a nullable or defaulted JSON body: Connexion's rules, the stock app
    served.takes_body = operation.is_request_body_defined and (
        sanitized(operation.body_name(None)) in served.arguments or has_kwargs
    )
    if operation.body_name(None) != "body":
        served.forms = True
    return served


def served_operations(
    specs: Iterable[tuple[str, dict[str, Any]]], resolve: Callable[[str], Callable[..., Any]]
) -> list[ServedOperation]:
    """Every operation of the given (base path, contract) pairs, in the order Starlette would route them."""
    resolver = Resolver(function_resolver=resolve)
    served = []
    for base_path, document in specs:
        specification = CheckedSpecification(document)
        for path, item in specification.raw["paths"].items():
            for method in (m for m in item if m in METHODS):
                operation = OpenAPIOperation.from_spec(specification, path=path, method=method, resolver=resolver)
                served.append(_serve(operation, base_path, operation.function))
    return served


class RouteTable:
    """Starlette's routing: each API's mount, then the first route of it whose path and method match, in
    contract order, trying only the routes whose first segment can match (a literal matches itself).

    A path the mount would not pass on whole (Starlette's ``.*`` stops at a newline) is left to the
    stock app, whose routing decides what such a path means.
    """

    def __init__(self, operations: list[ServedOperation]) -> None:
        self._mounts: dict[str, re.Pattern[str]] = {}
        self._by_segment: dict[tuple[str, str], list[ServedOperation]] = defaultdict(list)
        self._anywhere: dict[str, list[ServedOperation]] = defaultdict(list)  # a parameter first
        order = {id(served): i for i, served in enumerate(operations)}
        for served in operations:
            base = served.base_path
            if base not in self._mounts:
                self._mounts[base] = compile_path(base + "/{path:path}")[0]
            first = served.operation.path.split("/", 2)[1]
            if "{" in first:
                self._anywhere[base].append(served)
            else:
                self._by_segment[(base, first)].append(served)
        for (base, _first), listed in self._by_segment.items():  # merged once here, not on every request
            if self._anywhere.get(base):
                listed[:] = sorted([*listed, *self._anywhere[base]], key=lambda served: order[id(served)])

    def match(self, method: str, path: str) -> tuple[ServedOperation | None, dict[str, Any]]:
        """The operation a request is routed to and its path parameters, or None when Starlette
        would not route it to an operation with this method (a 404, a 405, a redirect)."""
        for base, mount in self._mounts.items():
            mounted = mount.match(path)
            if mounted is None:
                continue
            rest = "/" + mounted["path"]
            if base + rest != path:
                return None, {}
            candidates = self._by_segment.get((base, rest.split("/", 2)[1]))
            if candidates is None:
                candidates = self._anywhere.get(base, [])
            for served in candidates:
                found = served.pattern.match(rest)
                # Starlette takes the first route whose path and method match; a route of the path with
                # another method is only a partial match, looked past (and a 405 if nothing else matches).
                if found is not None and served.method == method:
                    convertors = served.convertors
                    return served, {name: convertors[name].convert(value) for name, value in found.groupdict().items()}
            return None, {}
        return None, {}
