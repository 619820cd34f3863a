"""Connexion's async operations, decorated once instead of on every request.

Connexion 3.3 (``AsyncOperation.fn`` and ``ASGIDecorator.__call__``) builds the parameter and response
decorators again for every request and inspects the handler's signature each time: a profile under
load put a fifth of a request's time there, and building the URI parser from the operation's
definitions nearly another tenth. Nothing in that chain depends on the request (the request itself is still
read from Connexion's context at call time), so each is built once per operation here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.operations import AbstractOperation
from connexion.uri_parsing import AbstractURIParser
from starlette.types import Receive, Scope, Send


class _DecorateOnce(StarletteDecorator):
    # One decorator serves one operation, whose URI parser (built from its parameter and body
    # definitions, and stateless after that) is therefore built once too.
    _parser: AbstractURIParser | None = None

    @property
    def uri_parser(self) -> AbstractURIParser:
        if self._parser is None:
            self._parser = super().uri_parser
        return self._parser

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated = self.decorate(function)

        @functools.wraps(function)
        async def wrapper(*_args: Any, **_kwargs: Any) -> Any:
            request = self.framework.get_request(uri_parser=self.uri_parser, scope=scope, receive=receive)
            return await decorated(request)

        return wrapper


class OnceDecoratedOperation(AsyncOperation):
    """An AsyncOperation whose decorated handler is built on first use and kept."""

    _decorated: Callable[..., Any] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        if self._decorated is None:
            decorator = _DecorateOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
            self._decorated = decorator(self._fn)
        response = await self._decorated()
        return await response(scope, receive, send)


class OnceDecoratedApi(AsyncApi):
    """The AsyncApi that makes OnceDecoratedOperations."""

    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return OnceDecoratedOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )
