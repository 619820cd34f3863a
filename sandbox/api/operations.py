"""Connexion's per-operation objects, built once per operation instead of on every request.

Connexion 3.3 (``AsyncOperation.fn`` and ``ASGIDecorator.__call__``) builds the parameter and response
decorators again for every request and inspects the handler's signature each time: a profile under
load put a fifth of a request's time there, and building the URI parser from the operation's
definitions nearly another tenth. Nothing in that chain depends on the request (the request itself is still
read from Connexion's context at call time), so each is built once per operation here, with decorators
that read the operation's definitions once too (decorators.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import _receive, _scope
from connexion.decorators import StarletteDecorator
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityAPI, SecurityMiddleware, SecurityOperation
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.uri_parsing import AbstractURIParser
from connexion.utils import is_nullable, split_content_type
from starlette.types import Receive, Scope, Send

from elevate_sandbox.api.decorators import OperationParameterDecorator, OperationResponseDecorator, awaitable
from elevate_sandbox.api.requests import connexion_request, reuse_parsed
from elevate_sandbox.api.routing import PassThroughSwaggerUIMiddleware, indexed

logger = logging.getLogger("connexion.middleware.validation")
MEMO_LIMIT = 64
CONTENT_TYPE = b"content-type"


class _DecorateOnce(StarletteDecorator):
    """One operation's decorators (sandbox/api/decorators.py) and URI parser, built once: both are
    stateless once built from the operation's definitions."""

    def __init__(self, operation: AbstractOperation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.operation = operation
        parser_class = self.uri_parser_class or operation.uri_parser_class
        self._parser: AbstractURIParser = parser_class(operation.parameters, operation.body_definition())

    def decorate(self, function: Callable[..., Any]) -> Callable[..., Any]:
        framework, operation = self.framework, self.operation
        function = OperationParameterDecorator(
            operation=operation, framework=framework, pythonic_params=self.pythonic_params
        )(awaitable(function))
        return OperationResponseDecorator(operation=operation, framework=framework, jsonifier=self.jsonifier)(function)

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated = self.decorate(function)
        parser = self._parser

        @functools.wraps(function)
        async def wrapper(*_args: Any, **_kwargs: Any) -> Any:
            # The context variables themselves: through Connexion's proxies, every read of the scope
            # while the request is parsed costs three calls more.
            scope = _scope.get()
            return await decorated(reuse_parsed(scope, connexion_request(scope, _receive.get(), parser)))

        return wrapper


class OnceDecoratedOperation(AsyncOperation):
    """An AsyncOperation whose decorated handler is built on first use and kept."""

    _decorated: Callable[..., Any] | None = None
    operation: AbstractOperation

    @classmethod
    def from_operation(cls, operation: AbstractOperation, **kwargs: Any) -> OnceDecoratedOperation:
        made = super().from_operation(operation, **kwargs)
        made.operation = operation
        return made  # type: ignore[return-value]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        if self._decorated is None:
            decorator = _DecorateOnce(self.operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
            self._decorated = decorator(self._fn)
        response = await self._decorated()
        return await response(scope, receive, send)


class OnceDecoratedApi(AsyncApi):
    """The AsyncApi that makes OnceDecoratedOperations, routed through the index (routing.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indexed(self.router)

    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return OnceDecoratedOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class OnceBuiltValidationOperation(RequestValidationOperation):
    """Connexion's request validation, with what depends only on the operation built once.

    Connexion 3.3 builds the operation's URI parser twice, its parameter validator, its body definition
    (three times) and a media-type table on every request; none of them depends on the request. The
    order of the checks and every error are Connexion's own (``RequestValidationOperation.__call__``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operation = self._operation
        self._parser = operation._uri_parser_class(operation.parameters, operation.body_definition())
        self._parameter_validator = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=self._parser,
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )
        # Without a Content-Type header, Connexion takes the operation's first media type as a guess.
        self._default_mime_type = operation.consumes[0] if operation.consumes else "application/octet-stream"
        self._accepted: dict[str, bool] = {}  # mime type -> whether the operation consumes it
        self._body_validators: dict[tuple[str, str], Any] = {}  # (mime type, encoding) -> validator or None

    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        # Connexion's utils.extract_content_type builds typing unions on every call; the same answer.
        content_type = next((value.decode("latin-1") for key, value in headers if key.lower() == CONTENT_TYPE), None)
        mime_type, encoding = split_content_type(content_type)
        return (
            self._default_mime_type if mime_type is None else mime_type,
            "utf-8" if encoding is None else encoding,
        )

    def validate_mime_type(self, mime_type: str) -> None:
        accepted = self._accepted.get(mime_type)
        if accepted is None:
            try:
                super().validate_mime_type(mime_type)
                accepted = True
            except UnsupportedMediaTypeProblem:
                accepted = False
            if len(self._accepted) < MEMO_LIMIT:  # client-chosen strings: the memo stays bounded
                self._accepted[mime_type] = accepted
        if not accepted:
            super().validate_mime_type(mime_type)  # raises Connexion's own problem

    def _body_validator(self, mime_type: str, encoding: str) -> Any:
        key = (mime_type, encoding)
        if key in self._body_validators:
            return self._body_validators[key]
        validator = None
        schema = self._operation.body_schema(mime_type)
        if schema:
            try:
                validator_cls = self._validator_map["body"][mime_type]
            except KeyError:
                logger.info("Skipping validation. No validator registered for content type: %s.", mime_type)
            else:
                validator = validator_cls(
                    schema=schema,
                    required=self._operation.request_body.get("required", False),
                    nullable=is_nullable(self._operation.body_definition(mime_type)),
                    encoding=encoding,
                    strict_validation=self.strict_validation,
                    uri_parser=self._parser,
                )
        if len(self._body_validators) < MEMO_LIMIT:
            self._body_validators[key] = validator
        return validator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._parameter_validator.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        validator = self._body_validator(mime_type, encoding)
        if validator is not None:
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


class _OnceBuiltValidationApi(RequestValidationAPI):
    def make_operation(self, operation: AbstractOperation) -> RequestValidationOperation:
        return OnceBuiltValidationOperation(
            self.next_app, operation=operation, strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )  # fmt: skip


class OnceBuiltValidationMiddleware(RequestValidationMiddleware):
    """Connexion's RequestValidationMiddleware, making OnceBuiltValidationOperations."""

    api_cls = _OnceBuiltValidationApi


class _CheapRequestSecurityOperation(SecurityOperation):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.security:
            await self.verification_fn(connexion_request(scope))
        await self.next_app(scope, receive, send)


class _CheapRequestSecurityApi(SecurityAPI):
    def make_operation(self, operation: Any) -> SecurityOperation:
        return _CheapRequestSecurityOperation.from_operation(
            operation, next_app=self.next_app, security_handler_factory=self.security_handler_factory
        )


class CheapRequestSecurityMiddleware(SecurityMiddleware):
    """Connexion's SecurityMiddleware, its request made without the constructor's exception (requests.py)."""

    api_cls = _CheapRequestSecurityApi


class IndexedRoutingMiddleware(RoutingMiddleware):
    """Connexion's RoutingMiddleware, each API's routes tried through the index (routing.py)."""

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        indexed(self.router.routes[-1].app)  # the Mount just added holds the API's router


REPLACED = {
    RequestValidationMiddleware: OnceBuiltValidationMiddleware,
    RoutingMiddleware: IndexedRoutingMiddleware,
    SwaggerUIMiddleware: PassThroughSwaggerUIMiddleware,
    SecurityMiddleware: CheapRequestSecurityMiddleware,
}


def middlewares() -> list[Any]:
    """Connexion's default middleware stack with validation built once per operation, indexed routing,
    a Swagger UI that passes API requests straight on and security that makes its request cheaply."""
    return [REPLACED.get(middleware, middleware) for middleware in ConnexionMiddleware.default_middlewares]


def add_middleware_before(app: Any, stock: type, middleware_class: type, **options: Any) -> None:
    """``app.add_middleware(middleware_class, position=BEFORE_<stock>)`` for a stack built by middlewares():
    Connexion finds a position by its exact class, which that stack may have replaced."""
    if app.middleware.middleware_stack is not None:
        raise RuntimeError("Cannot add middleware after an application has started")
    stack = app.middleware.middlewares
    stack.insert(stack.index(REPLACED.get(stock, stock)), functools.partial(middleware_class, **options))
