"""Connexion's request objects, made cheaply, and the parameters validation parsed, parsed once.

Connexion makes a ``ConnexionRequest`` three times a request (security, parameter validation, the
handler's arguments). Its constructor asks ``hasattr`` of an attribute it has not set yet, which its
``__getattr__`` answers by raising and catching: ``from_starlette_request`` makes the same object
without that. Validation and the handler's arguments each parse the query string and path with the
operation's URI parser (both built from the same definitions, so their results are the same): the
handler's request takes the dicts validation parsed instead of parsing them again, and the parser
builds its tables of the definitions once.
"""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.uri_parsing import OpenAPIURIParser
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
    first read); connexion is pinned, and tests/api/test_decorators.py holds handlers' arguments to
    Connexion's own. The dicts are kept, not the request: it refers to the scope, and a cycle through
    every request's scope would leave each one to the cyclic collector.
    """
    path = dict(scope.get("path_params") or {})  # a copy: a change made in place must show
    parsed = (scope.get("query_string"), path, request._query_params, request._path_params)
    scope.setdefault("extensions", {})[PARSED] = parsed


def reuse_parsed(scope: Scope, request: ConnexionRequest) -> ConnexionRequest:
    """``request`` with the query and path parameters validation parsed for this scope, if it did and
    nothing (a middleware after validation) has changed the query string or the path since."""
    parsed = scope.get("extensions", {}).get(PARSED)
    if parsed is not None and parsed[0] is scope.get("query_string") and parsed[1] == (scope.get("path_params") or {}):
        request._query_params, request._path_params = parsed[2], parsed[3]
    return request


class FixedDefinitionsURIParser(OpenAPIURIParser):
    """Connexion's OpenAPI URI parser, with its per-name schema tables built once.

    ``param_schemas`` (and ``form_defns``) rebuild a dict of every parameter on each access, and
    parsing a query reads them once per name and more: they depend only on the definitions the
    parser was made from, which nothing changes afterwards.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._param_schemas = super().param_schemas
        self._form_defns = super().form_defns

    @property
    def param_schemas(self) -> dict[str, Any]:
        return self._param_schemas

    @property
    def form_defns(self) -> dict[str, Any]:
        return self._form_defns
