"""A Starlette router that tries only the routes a path's first segment can match, and a Swagger UI
middleware that passes on what it cannot serve without routing it.

Connexion routes every request twice (its routing middleware, then its app), each time through a
Starlette Router that tries every operation's route in order: 38 regular-expression matches for
`/v1/outbound-payments/1`, about a tenth of a get by id. Routes whose path starts with a literal
segment can only match paths with that first segment, so only those (and the routes that start with
a parameter, or mount something) are tried, in their original order: the first full match, the
partial match that answers 405, and the not-found and slash-redirect handling are Starlette's own.
"""

from __future__ import annotations

from typing import Any

from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.routing import Match, Route, Router, get_route_path
from starlette.types import Receive, Scope, Send


def _first_segment(route: Any) -> str | None:
    """The literal first segment a route's path requires, or None when it may match any."""
    if not isinstance(route, Route):
        return None
    first = route.path.lstrip("/").split("/", 1)[0]
    return None if not first or "{" in first else first


class IndexedRouter(Router):
    """Router whose first pass tries only the candidates of the path's first segment."""

    _indexed: tuple[int, int] | None = None  # (id, length) of the routes list when indexed: routes are only added
    _by_segment: dict[str, list[Any]]
    _anywhere: list[Any]

    def _candidates(self, route_path: str) -> list[Any]:
        if self._indexed != (id(self.routes), len(self.routes)):
            self._index()
        return self._by_segment.get(route_path.lstrip("/").split("/", 1)[0], self._anywhere)

    def _index(self) -> None:
        segments = {_first_segment(route) for route in self.routes} - {None}
        self._by_segment = {
            segment: [route for route in self.routes if _first_segment(route) in (segment, None)]
            for segment in segments
        }
        self._anywhere = [route for route in self.routes if _first_segment(route) is None]
        self._indexed = (id(self.routes), len(self.routes))

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        partial = None
        for route in self._candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        # Nothing matched: Starlette's own pass over every route (slash redirects, then the default).
        await super().app(scope, receive, send)


def indexed(router: Router) -> Router:
    """The same router (its routes, default and settings), routing through the index.

    Only a router without middleware of its own (as Connexion builds them): its entry point is then
    its bound ``app``, which is bound again here.
    """
    if router.middleware_stack != router.app:
        raise ValueError("only a router without middleware can be indexed")
    router.__class__ = IndexedRouter
    router.middleware_stack = router.app
    return router


def _literal_prefix(path: str) -> str:
    """The part of a route's path before its first parameter, without a trailing slash."""
    return path.split("{", 1)[0].rstrip("/")


class PassThroughSwaggerUIMiddleware(SwaggerUIMiddleware):
    """Connexion's Swagger UI middleware, passing every request it cannot serve straight on.

    Connexion sends every request through the UI's router first (a dozen route matches, slash-redirect
    checks included) only to fall through to the API for all but the UI's own few paths. A path that
    starts with none of the UI routes' literal prefixes can neither match one nor be redirected to one
    (a redirect only adds or removes a trailing slash), so it goes to the API directly, with the same
    copy of the scope Connexion's fall-through passes on.
    """

    _prefixes: tuple[str, ...] = ()

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        mount = self.router.routes[-1]  # the Mount just added holds the UI's routes for this API
        self._prefixes += tuple(mount.path + _literal_prefix(route.path) for route in mount.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not get_route_path(scope).startswith(self._prefixes):
            await self.app(scope.copy(), receive, send)
            return
        await super().__call__(scope, receive, send)
