"""Connexion's request objects, made cheaply, and the parameters validation parsed, parsed once.

Connexion makes a ``ConnexionRequest`` three times a request (security, parameter validation, the
handler's arguments). Its constructor asks ``hasattr`` of an attribute it has not set yet, which its
``__getattr__`` answers by raising and catching: ``from_starlette_request`` makes the same object
without that. Validation and the handler's arguments each parse the query string and path with the
operation's URI parser (both built from the same definitions, so their results are the same): the
handler's request takes the dicts validation parsed instead of parsing them again.
"""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionRequest
from starlette.requests import Request
from starlette.types import Receive, Scope

PARSED = "sandbox.parsed_parameters"  # scope["extensions"] key: the request validation parsed


def connexion_request(scope: Scope, receive: Receive | None = None, uri_parser: Any = None) -> ConnexionRequest:
    """``ConnexionRequest(scope, receive, uri_parser=uri_parser)``, without the constructor's exception."""
    starlette = Request(scope) if receive is None else Request(scope, receive)
    return ConnexionRequest.from_starlette_request(starlette, uri_parser=uri_parser)


def keep_parsed(scope: Scope, request: ConnexionRequest) -> None:
    """Keep what validating ``request`` parsed, for the handler's request of the same operation.

    ConnexionRequest keeps its parsed parameters in ``_query_params`` and ``_path_params`` (None until
    first read); connexion is pinned, and tests/test_decorators.py holds handlers' arguments to
    Connexion's own. The dicts are kept, not the request: it refers to the scope, and a cycle through
    every request's scope would leave each one to the cyclic collector.
    """
    scope.setdefault("extensions", {})[PARSED] = (request._query_params, request._path_params)


def reuse_parsed(scope: Scope, request: ConnexionRequest) -> ConnexionRequest:
    """``request`` with the query and path parameters validation parsed for this scope, if it did."""
    parsed = scope.get("extensions", {}).get(PARSED)
    if parsed is not None:
        request._query_params, request._path_params = parsed
    return request
