"""Connexion's parameter and response decorators, with what depends only on the operation read once.

Connexion 3.3's ``AsyncParameterDecorator`` works out, on every request and through the ``operation``
context proxy, the operation's path and query definitions, their defaults (deep-copied), every
parameter name's sanitized form (three regular expressions each) and the body's name; its
``AsyncResponseDecorator`` works out the operation's media types. None of that depends on the request:
a profile under load put two fifths of a list's time in the parameter decorator. Here it is read once
per operation, and each request does only what depends on it. The arguments a handler gets, and the
order they are built in, are Connexion's own (``prep_kwargs`` and ``get_arguments``): the casts, the
body and file helpers are Connexion's functions, called with the operation itself.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from connexion.context import _context, context
from connexion.decorators.parameter import (
    CONTEXT_NAME,
    AsyncParameterDecorator,
    _get_body_argument,
    _get_file_arguments,
    _get_query_defaults,
    _get_val_from_param,
    sanitized,
    unwrap_decorators,
)
from connexion.decorators.response import AsyncResponseDecorator, BaseResponseDecorator
from connexion.exceptions import NonConformingResponseHeaders
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.lifecycle import ConnexionRequest
from connexion.operations import AbstractOperation, Swagger2Operation
from connexion.utils import deep_merge, extract_content_type, inspect_function_arguments


class OperationParameterDecorator(AsyncParameterDecorator):
    """Handler arguments from the request, as Connexion builds them, for one known operation."""

    def __init__(self, *, operation: AbstractOperation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.operation = operation
        parameters = operation.parameters
        self.path_definitions = {p["name"]: p for p in parameters if p["in"] == "path"}
        self.query_definitions = {p["name"]: p for p in parameters if p["in"] == "query"}
        self.query_defaults = _get_query_defaults(self.query_definitions)
        # Scalar defaults need no deep copy: deep_merge only ever writes into the dicts it is given.
        self.defaults_are_flat = not any(isinstance(v, (dict, list)) for v in self.query_defaults.values())
        self.sanitized_query_names = {name: self.sanitize_fn(name) for name in self.query_definitions}
        self.body_name = self.sanitize_fn(operation.body_name(None))
        self.reads_body = operation.method.upper() != "TRACE"  # TRACE requests carry no body (RFC 7231)
        self.defines_body = operation.is_request_body_defined
        # Swagger 2 passes form fields as arguments of their own, so its forms are always read.
        self.swagger2 = isinstance(operation, Swagger2Operation)
        # prep_kwargs sanitizes every name a second time: a no-op for `sanitized`, not for `pythonic`
        # ("$filter" -> "filter" -> "filter_").
        self.sanitizes_twice = self.sanitize_fn is not sanitized

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        arguments, has_kwargs = inspect_function_arguments(unwrap_decorators(function))
        # Connexion reads the body whenever the handler could take it, but passes it on only when the
        # operation defines one (and never for TRACE): without a definition its bytes are only drained
        # (the journal records what passed), never decoded.
        reads = self.body_name in arguments or has_kwargs
        decodes = reads and self.reads_body and self.defines_body

        @functools.wraps(function)
        async def wrapper(request: ConnexionRequest) -> Any:
            mimetype = request.mimetype
            if decodes or (self.swagger2 and mimetype in FORM_CONTENT_TYPES):
                body = await request.get_body()
            else:
                body = None
                if reads and declares_body(request.scope["headers"]):
                    await request.body()
            # Starlette's form() parses only form media types; anything else has no files.
            files = await request.files() if mimetype in FORM_CONTENT_TYPES else {}
            kwargs = self.arguments_of(request, body, files, mimetype, arguments, has_kwargs)
            for key, value in _context.get().items():  # what the security check added (token_info, user)
                if has_kwargs or key in arguments:
                    kwargs[key] = value
            if CONTEXT_NAME in arguments:
                kwargs[CONTEXT_NAME] = context
            return await function(**kwargs)

        return wrapper

    def arguments_of(
        self,
        request: ConnexionRequest,
        body: Any,
        files: dict[str, Any],
        mimetype: str,
        arguments: list[str],
        has_kwargs: bool,
    ) -> dict[str, Any]:
        """Connexion's ``get_arguments`` for this operation: path, query, body, then files."""
        sanitize = self.sanitize_fn
        result: dict[str, Any] = {}
        for name, value in request.path_params.items():
            definition = self.path_definitions.get(name)
            # A path value the contract does not define is passed on as it came (Connexion's injection).
            result[sanitize(name)] = value if definition is None else _get_val_from_param(value, definition)
        defaults = dict(self.query_defaults) if self.defaults_are_flat else deepcopy(self.query_defaults)
        for name, value in deep_merge(defaults, request.query_params).items():
            definition = self.query_definitions.get(name)
            if definition is None:  # not in the contract: Connexion drops it
                continue
            key = self.sanitized_query_names[name]
            if has_kwargs or key in arguments:
                result[key] = _get_val_from_param(value, definition)
        if self.reads_body:
            result.update(
                _get_body_argument(
                    body, operation=self.operation, arguments=arguments, has_kwargs=has_kwargs,
                    sanitize=sanitize, content_type=mimetype,
                )
            )  # fmt: skip
            if files:
                body_schema = self.operation.body_schema(mimetype)
                result.update(_get_file_arguments(files, arguments, body_schema, has_kwargs))
        # prep_kwargs renames every argument once more (the file names for the first time).
        if self.sanitizes_twice or files:
            return {sanitize(key): value for key, value in result.items()}
        return result


class OperationResponseDecorator(AsyncResponseDecorator):
    """Connexion's response building, the operation's media types read once."""

    def __init__(self, *, operation: AbstractOperation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.produces = list(set(operation.produces))
        self.declared = operation.produces

    def _infer_content_type(self, data: Any, headers: dict) -> str | None:  # type: ignore[override]
        content_type = extract_content_type(headers) if headers else None
        produces = self.produces if (data is None or self.produces) else ["application/json"]
        if content_type:
            if content_type not in produces:
                raise NonConformingResponseHeaders(
                    f"Returned content type ({content_type}) is not defined in operation spec ({self.declared})."
                )
            return content_type
        if len(produces) == 1:
            return produces[0]
        if not produces:
            return None
        # Several media types and none named: Connexion's own choice (text, bytes) or its error.
        return BaseResponseDecorator._infer_content_type(data, headers)


def declares_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request has a body at all: HTTP/1.1 says so by Content-Length or Transfer-Encoding."""
    for key, value in headers:
        key = key.lower()
        if key == b"transfer-encoding" or (key == b"content-length" and value.strip() != b"0"):
            return True
    return False


def awaitable(function: Callable[..., Any]) -> Callable[..., Any]:
    """The handler itself when it is a coroutine function; otherwise Connexion's thread-pool wrapper."""
    if asyncio.iscoroutinefunction(function):
        return function
    from starlette.concurrency import run_in_threadpool

    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(function, *args, **kwargs)

    return wrapper
