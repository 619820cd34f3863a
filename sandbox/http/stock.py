"""The stock app: plain Connexion serving the sandbox's contracts, configured through public options.

Everything the sandbox needs from Connexion is passed in, never patched: the resolver, the JSON encoder,
a bearer handler bound to this app's secret, validators that report in the sandbox's error shape, the
request guard placed in the middleware list, and the error handlers. With ``--stock-connexion`` this
app serves every request; otherwise the pipeline serves the JSON operations and this app the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import orjson
from connexion import AsyncApp
from connexion.datastructures import MediaTypeDict
from connexion.lifecycle import ConnexionRequest
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.resolver import Resolver
from connexion.security import BearerSecurityHandler
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator

from elevate_sandbox.api.body_limits import BodyLimits
from elevate_sandbox.domain.errors import FieldProblem
from elevate_sandbox.http.checks import check_body, invalid, not_json, parameter_problem


def bearer_handler(token_info: Callable[[str], dict[str, Any]]) -> type[BearerSecurityHandler]:
    """A bearer handler that checks tokens with ``token_info``, so the contract needs no x-bearerInfoFunc."""

    class SandboxBearer(BearerSecurityHandler):
        def _resolve_func(self, security_scheme: dict[str, Any]) -> Any:
            return token_info

    return SandboxBearer


class SandboxBodyValidator(JSONRequestBodyValidator):
    """JSON body validation that reports every problem, and never fails on undecodable bytes."""

    async def _parse(self, stream: Any, scope: Any) -> Any:
        raw = b"".join([message async for message in stream])
        if not raw.strip():
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise not_json(exc) from exc

    def _validate(self, body: Any) -> dict[str, Any] | None:
        check_body(self._schema, body)
        return None


class SandboxParameterValidator(ParameterValidator):
    """Query, path and header parameter validation that names each bad parameter."""

    def validate(self, scope: Any) -> None:
        self.validate_request(ConnexionRequest(scope, uri_parser=self.uri_parser))

    def validate_request(self, request: ConnexionRequest) -> None:
        problems: list[FieldProblem] = []
        for location in ("path", "query", "header"):
            for param in self.parameters.get(location, []):
                name = param["name"]
                if location == "query":
                    value = request.query_params.get(name)
                elif location == "path":
                    value = request.path_params.get(name.replace("-", "_"))
                else:
                    value = request.headers.get(name)
                message = parameter_problem(location, param, value)
                if message:
                    problems.append(FieldProblem(name, message))
        if problems:
            raise invalid(problems, "parameters")


def validator_map() -> dict[str, Any]:
    """Connexion's validator map with the sandbox's body and parameter validators swapped in."""
    body = MediaTypeDict(dict(VALIDATOR_MAP["body"]))
    body["*/*json"] = SandboxBodyValidator
    return {"parameter": SandboxParameterValidator, "body": body, "response": VALIDATOR_MAP["response"]}


def _middlewares(guard: Callable[..., Any]) -> list[Any]:
    """Connexion's default middleware list with the request guard before Swagger UI and routing."""
    stack = list(ConnexionMiddleware.default_middlewares)
    stack.insert(stack.index(SwaggerUIMiddleware), guard)
    return stack


def stock_app(
    *,
    specs: list[tuple[str, str, dict[str, Any], bool]],
    resolve: Callable[[str], Callable[..., Any]],
    token_info: Callable[[str], dict[str, Any]],
    jsonifier: Any,
    validate_responses: bool,
    max_body_bytes: int,
    body_overrides: dict[str, int],
    lifespan: Any = None,
    outer: list[tuple[type, dict[str, Any]]],
    error_handlers: dict[type[BaseException], Callable[..., Any]],
) -> AsyncApp:
    """Plain Connexion with the sandbox's handlers, checks and error shape.

    ``specs`` are (base path, API name, contract, whether it gets Swagger UI).

    ``outer`` are middlewares placed before Connexion's exception handling, innermost last.
    """
    guard = functools.partial(BodyLimits, max_bytes=max_body_bytes, overrides=body_overrides)
    app = AsyncApp(__name__, jsonifier=jsonifier, lifespan=lifespan, middlewares=_middlewares(guard))
    options = {
        "resolver": Resolver(function_resolver=resolve),
        "validate_responses": validate_responses,
        "security_map": {"bearer": bearer_handler(token_info)},
        "validator_map": validator_map(),
        "pythonic_params": False,
        "strict_validation": False,
    }
    for base_path, name, document, swagger_ui in specs:
        extra = {} if swagger_ui else {"swagger_ui_options": None}
        app.add_api(document, base_path=base_path, name=name, **options, **extra)
    for middleware, arguments in outer:
        app.add_middleware(middleware, position=MiddlewarePosition.BEFORE_EXCEPTION, **arguments)
    for kind, handler in error_handlers.items():
        app.add_error_handler(kind, handler)
    return app
