"""The request pipeline: one ASGI callable that serves every JSON operation of the sandbox's contracts.

For each request, in the order Connexion's stack would apply the same rules:

    route once -> size limits and the whole body (guard) -> authenticate -> parse and validate the
    parameters -> check and decode the body -> call the handler with explicit arguments -> render
    -> (validate the response, when asked) -> send -> journal

What it does not serve goes to the stock Connexion app, unchanged: paths and methods no operation
has (404, 405, slash redirects), HEAD, form posts, Swagger UI, and the rare shapes of request whose
handling is Connexion's to decide (a body operation without a body, a body that is not JSON, a JSON
``null``). A request handed over after its body was read gets its body back (``replay``); the stock
app then applies every rule again, so its answer is the stock answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import orjson
from connexion.decorators.parameter import _get_val_from_param
from connexion.exceptions import OAuthProblem, OAuthResponseProblem
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.response_validation import ResponseValidationOperation
from connexion.utils import split_content_type
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import get_route_path

from elevate_sandbox.api.body_limits import BodyLimits
from elevate_sandbox.api.middleware import CURRENT_RUNTIME, ClientGone, has_body, read_body, replay
from elevate_sandbox.api.recording import CLIENT_CLOSED, Capture
from elevate_sandbox.domain.errors import FieldProblem
from elevate_sandbox.http import responses
from elevate_sandbox.http.checks import invalid, not_json, parameter_problem
from elevate_sandbox.http.context import CURRENT_REQUEST, RequestInfo, first_header
from elevate_sandbox.http.operations import RouteTable, ServedOperation
from elevate_sandbox.http.parsing import sanitized

ASGIApp = Callable[..., Any]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AUTHORIZATION = b"authorization"


class _HandOver(Exception):
    """This request is the stock app's to answer; ``body`` is what was read of it already."""

    def __init__(self, body: bytes | None) -> None:
        self.body = body


class Pipeline:
    """Serves the operations in ``operations``; hands everything else to the app ``build_stock`` makes.

    The stock app is built in a worker thread when the server starts (or on the first request that needs
    it, without a lifespan): Connexion checks both contracts against the OpenAPI meta-schema when it is
    built, and the sandbox need not wait for that to answer. ``lifespan`` is run by the pipeline itself.
    """

    def __init__(
        self,
        build_stock: Callable[[], ASGIApp],
        operations: list[ServedOperation],
        *,
        runtime: Any,
        token_info: Callable[[str], dict[str, Any] | None],
        guard: BodyLimits,
        error_handlers: dict[type[BaseException], responses.ErrorHandler],
        dumps: Callable[[Any], str | bytes],
        validate_responses: bool,
        journal: Callable[[dict[str, Any], Capture, float, str | None], None] | None,
        touch: Callable[[], None] | None,
        lifespan: Callable[[Any], Any] | None = None,
    ) -> None:
        self.build_stock = build_stock
        self.lifespan = lifespan
        self._stock: ASGIApp | None = None
        self._building: asyncio.Future[ASGIApp] | None = None
        self.routes = RouteTable(operations)
        self.runtime = runtime
        self.token_info = token_info
        self.guard = guard
        self.error_handlers = error_handlers
        self.dumps = dumps
        self.validate_responses = validate_responses
        self.journal = journal
        self.touch = touch

    async def stock(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Hand a request to the stock app, built first if it is not yet."""
        app = self._stock if self._stock is not None else await self._stock_app()
        await app(scope, receive, send)

    async def _stock_app(self) -> ASGIApp:
        if self._building is None:
            self._building = asyncio.ensure_future(asyncio.to_thread(self.build_stock))
        self._stock = await asyncio.shield(self._building)
        return self._stock

    async def _serve_lifespan(self, receive: Any, send: Any) -> None:
        """ASGI lifespan: the app's own (the state file), and the stock app built in the background."""
        message = await receive()
        context = self.lifespan(self) if self.lifespan is not None else None
        try:
            if context is not None:
                await context.__aenter__()
            self._building = asyncio.ensure_future(asyncio.to_thread(self.build_stock))
        except Exception as exc:
            await send({"type": "lifespan.startup.failed", "message": str(exc)})
            return
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        assert message["type"] == "lifespan.shutdown"
        try:
            if context is not None:
                await context.__aexit__(None, None, None)
        finally:
            await send({"type": "lifespan.shutdown.complete"})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._serve_lifespan(receive, send)
            return
        if scope["type"] != "http":
            await self.stock(scope, receive, send)
            return
        served, path_params = self.routes.match(scope["method"], get_route_path(scope))
        if served is None or served.forms:
            await self.stock(scope, receive, send)
            return
        started = time.perf_counter()
        runtime_token = CURRENT_RUNTIME.set(self.runtime)
        kept = _Kept()
        try:
            response = await self._answer(served, path_params, scope, receive, kept)
        except _HandOver as handed:
            receive = receive if handed.body is None else replay(handed.body, receive)
            await self.stock(scope, receive, send)
            return
        except ClientGone:
            self._after(scope, kept, None, started)
            return
        except Exception as exc:  # every failure is answered in the error shape, as the stock app does
            response = self._error(scope, exc)
        finally:
            CURRENT_RUNTIME.reset(runtime_token)
        await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})
        self._after(scope, kept, response, started)

    def _after(self, scope: dict[str, Any], kept: _Kept, response: Response | None, started: float) -> None:
        """Journal the exchange (``response`` None: the client left first), then note a possible change."""
        if self.journal is not None:
            if response is None:
                capture = Capture(kept.body, status=CLIENT_CLOSED)
            else:
                body = response.body  # bytes here; Starlette also allows a memoryview
                sent = body if isinstance(body, bytes) else bytes(body)
                capture = Capture(kept.body, sent, response.raw_headers, response.status_code)
            self.journal(scope, capture, time.perf_counter() - started, kept.tenant)
        if self.touch is not None and scope["method"] not in SAFE_METHODS:
            self.touch()

    async def _answer(
        self, served: ServedOperation, path_params: dict[str, Any], scope: dict[str, Any], receive: Any, kept: _Kept
    ) -> Response:
        self.guard.check_head(scope)
        headers = scope["headers"]
        body = None
        media_type = None
        listed = dict(headers)  # the guard's view: the last of repeated headers
        if has_body(listed):
            body = kept.body = await read_body(receive, listed, self.guard.limit_for(scope.get("path", "")))
            content_type = self.guard.content_type(listed, body)
            media_type = content_type.decode("latin-1") if content_type is not None else None
        token_info = self._authenticate(headers) if served.secured else None
        if token_info is not None:
            kept.tenant = token_info.get("tenant")
        query, path = self._parameters(served, scope, path_params, headers)
        decoded = self._body(served, body, media_type)
        kwargs = self._arguments(served, query, path, decoded, token_info)
        request = CURRENT_REQUEST.set(RequestInfo(served.method, headers, token_info))
        try:
            result = await served.handler(**kwargs)
        finally:
            CURRENT_REQUEST.reset(request)
        response = responses.from_handler(result, served.produces, self.dumps)
        if self.validate_responses:
            await self._check_response(served, scope, response)
        return response

    def _authenticate(self, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        """Connexion's bearer check: the same refusals, in the same words."""
        authorization = first_header(headers, AUTHORIZATION) or b""
        if not authorization:
            raise OAuthProblem(detail="No authorization token provided")
        try:
            scheme, token = authorization.decode("latin-1").split(maxsplit=1)
        except ValueError:
            raise OAuthProblem(detail="Invalid authorization header") from None
        if scheme.lower() != "bearer":
            raise OAuthProblem(detail="No authorization token provided")
        token_info = self.token_info(token)
        if token_info is None:
            raise OAuthResponseProblem(detail="Provided token is not valid")
        return token_info

    @staticmethod
    def _parameters(
        served: ServedOperation, scope: dict[str, Any], path_params: dict[str, Any], headers: list[tuple[bytes, bytes]]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The query and path parameters parsed as Connexion parses them, then checked; one 400 for all."""
        raw_query = scope.get("query_string", b"")
        if not raw_query and not path_params and not served.parameters:
            return {}, {}  # nothing to parse or check (most creates): the parser would return the same
        listed: dict[str, list[str]] = {}
        if raw_query:
            for name, value in parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True):
                listed.setdefault(name, []).append(value)
        query = served.parser.resolve_query(listed)
        path = served.parser.resolve_path(dict(path_params))
        problems = []
        for location in ("path", "query", "header"):  # Connexion's validator's order
            for parameter in served.parameters.get(location, ()):
                name = parameter["name"]
                if location == "query":
                    value = query.get(name)
                elif location == "path":
                    value = path.get(name.replace("-", "_"))
                else:
                    raw = first_header(headers, name.lower().encode("latin-1"))
                    value = raw.decode("latin-1") if raw is not None else None
                message = parameter_problem(location, parameter, value)
                if message:
                    problems.append(FieldProblem(name, message))
        if problems:
            raise invalid(problems, "parameters")
        return query, path

    @staticmethod
    def _body(served: ServedOperation, body: bytes | None, media_type: str | None) -> Any:
        """The decoded, checked JSON body, or None for an operation without one."""
        if not served.consumes:
            return None  # an operation without a body: what a client sent is read and left
        if body is None or media_type is None:
            raise _HandOver(body)  # no body for an operation that has one: Connexion's defaults decide
        mime_type, encoding = split_content_type(media_type)
        if mime_type not in served.json_consumes or encoding not in (None, "utf-8") or not body.strip():
            raise _HandOver(body)
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise not_json(exc) from exc
        if decoded is None:
            raise _HandOver(body)
        check = served.body_checks.get(mime_type)
        if check is not None:
            check(decoded)
        return decoded

    @staticmethod
    def _arguments(
        served: ServedOperation,
        query: dict[str, Any],
        path: dict[str, Any],
        body: Any,
        token_info: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """The handler's arguments, as Connexion's parameter decorator builds them."""
        kwargs: dict[str, Any] = {}
        for name, value in path.items():
            definition = served.path_definitions.get(name)
            if definition is None:
                kwargs[sanitized(name)] = value
            else:
                kwargs[served.path_names[name]] = _get_val_from_param(value, definition)
        takes_all = served.has_kwargs
        for name, value in {**served.query_defaults, **query}.items():
            definition = served.query_definitions.get(name)
            if definition is None:
                continue
            key = served.query_names[name]
            if takes_all or key in served.arguments:
                kwargs[key] = _get_val_from_param(value, definition)
        if served.takes_body:
            kwargs["body"] = body
        if token_info is not None:
            user = token_info.get("sub", token_info.get("uid"))
            for key, value in (("user", user), ("token_info", token_info)):
                if takes_all or key in served.arguments:
                    kwargs[key] = value
        return kwargs

    @staticmethod
    async def _check_response(served: ServedOperation, scope: dict[str, Any], response: Response) -> None:
        """Connexion's own response validation (only with --validate-responses): it raises, sends nothing."""

        async def respond(_scope: Any, _receive: Any, send: Any) -> None:
            await response(_scope, _receive, send)

        async def discard(_message: Any) -> None:
            return None

        async def nothing() -> dict[str, Any]:
            return {"type": "http.disconnect"}

        await ResponseValidationOperation(respond, operation=served.operation)(scope, nothing, discard)

    def _error(self, scope: dict[str, Any], exc: Exception) -> Response:
        for kind in type(exc).__mro__:
            handler = self.error_handlers.get(kind)
            if handler is not None:
                request = ConnexionRequest.from_starlette_request(Request(scope))
                return responses.from_error(handler, request, exc)
        raise exc


class _Kept:
    """What the journal needs of a request once it is answered: its body as read (empty until read) and
    the tenant its token named (None until authenticated)."""

    __slots__ = ("body", "tenant")

    def __init__(self) -> None:
        self.body = b""
        self.tenant: str | None = None
