"""The operation-bound decorators give handlers exactly what Connexion's own give them.

Two apps serve one contract with recording handlers: Connexion's stock AsyncApp, and the same app as
create_app assembles it (the sandbox's middleware stack, validators, URI parser and OnceDecoratedApi,
whose handlers reuse what validation parsed). Every request must reach its handler with the same arguments
and come back with the same status; a request that succeeds, with the same headers and body (refusals
are in each app's own error shape).
"""

from __future__ import annotations

from typing import Any

import pytest
from connexion import AsyncApp
from connexion.resolver import Resolver
from starlette.datastructures import UploadFile
from starlette.testclient import TestClient

from sandbox.api import errors as error_handlers
from sandbox.api.operations import OnceDecoratedApi, middlewares
from sandbox.api.requests import FixedDefinitionsURIParser
from sandbox.api.validation import validator_map
from sandbox.domain.errors import SandboxError

THING = {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "decorators", "version": "1"},
    "paths": {
        "/things/{thing_id}": {
            "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getThing",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "default": "x"}},
                    {"name": "n", "in": "query", "schema": {"type": "integer"}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number", "default": 0.5}},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean", "default": False}},
                    {
                        "name": "tags", "in": "query", "style": "form", "explode": False,
                        "schema": {"type": "array", "items": {"type": "integer"}},
                    },
                    {
                        "name": "filter", "in": "query", "style": "deepObject", "explode": True,
                        "schema": {
                            "type": "object",
                            "properties": {"a": {"type": "string", "default": "A"}, "b": {"type": "integer"}},
                        },
                    },
                    {"name": "page-size", "in": "query", "schema": {"type": "integer", "default": 20}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
            "put": {
                "operationId": "putThing",
                "requestBody": {"required": True, "content": {"application/json": {"schema": THING}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
            "trace": {
                "operationId": "traceThing",
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
        },
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {
                    "content": {"application/json": {"schema": {**THING, "default": {"name": "default"}}}}
                },
                "responses": {"201": {"description": "made", "content": {"application/json": {"schema": {}}}}},
            },
        },
        "/uploads": {
            "post": {
                "operationId": "upload",
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "note": {"type": "string"},
                                    "file": {"type": "string", "format": "binary"},
                                    "more": {"type": "array", "items": {"type": "string", "format": "binary"}},
                                },
                            }
                        },
                        "application/x-www-form-urlencoded": {
                            "schema": {"type": "object", "properties": {"note": {"type": "string"}}}
                        },
                    }
                },
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
        },
        "/named": {
            "post": {
                "operationId": "named",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "requestBody": {
                    "x-body-name": "thing",
                    "content": {"application/json": {"schema": THING}},
                },
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
        },
        "/text": {
            "get": {
                "operationId": "getText",
                "parameters": [{"name": "shape", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "either",
                        "content": {"application/json": {"schema": {}}, "text/plain": {"schema": {}}},
                    }
                },
            },
        },
        "/plain": {
            "get": {
                "operationId": "getPlain",
                "responses": {"200": {"description": "text", "content": {"text/plain": {"schema": {}}}}},
            },
        },
        "/empty": {
            "delete": {"operationId": "deleteEmpty", "responses": {"204": {"description": "nothing"}}},
        },
    },
}


def _plain(value: Any) -> Any:
    """What a handler received, comparable across apps (uploaded files by name and content)."""
    if isinstance(value, UploadFile):
        return {"file": value.filename, "content": value.file.read().decode()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _app(ours: bool) -> tuple[AsyncApp, list[dict[str, Any]]]:
    received: list[dict[str, Any]] = []

    async def record(**kwargs: Any) -> Any:
        received.append({key: _plain(value) for key, value in kwargs.items()})
        return {"ok": True}, 200

    async def named(thing: dict[str, Any], q: str | None = None) -> Any:
        received.append({"thing": thing, "q": q})
        return thing, 200

    def sync_thing(thing_id: int, **kwargs: Any) -> Any:  # a plain function: run in the thread pool
        received.append({"thing_id": thing_id, **kwargs})
        return {"id": thing_id}

    async def text(shape: str | None = None) -> Any:
        received.append({"shape": shape})
        if shape == "headers":
            return "hi", 200, {"Content-Type": "text/csv"}  # not declared: Connexion refuses it
        if shape == "bytes":
            return b"raw", 200
        return ("plain text" if shape == "str" else {"json": True}), 200, (
            {"Content-Type": "application/json"} if shape != "str" else {}
        )

    async def plain() -> Any:
        received.append({})
        return "just text"

    async def empty() -> Any:
        received.append({})
        return None, 204

    handlers = {
        "getThing": record, "putThing": sync_thing, "traceThing": record, "createThing": record,
        "upload": record, "named": named, "getText": text, "getPlain": plain, "deleteEmpty": empty,
    }  # fmt: skip
    resolver = Resolver(function_resolver=lambda operation_id: handlers[operation_id])
    if not ours:
        app = AsyncApp(__name__)
        app.add_api(SPEC, resolver=resolver)
        return app, received
    app = AsyncApp(__name__, middlewares=middlewares())
    app._middleware_app.api_cls = OnceDecoratedApi  # type: ignore[misc]
    app.add_api(SPEC, resolver=resolver, validator_map=validator_map(), uri_parser_class=FixedDefinitionsURIParser)
    app.add_error_handler(SandboxError, error_handlers.sandbox_error)
    return app, received


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/things/7", {}),
    ("GET", "/things/7?q=hello&n=3&ratio=2&flag=true&tags=1,2,3&filter[b]=9&page-size=5", {}),
    ("GET", "/things/7?undocumented=1&filter[a]=z", {}),
    ("GET", "/things/7?n=notanumber", {}),
    ("PUT", "/things/8", {"json": {"name": "n", "size": 2}}),
    ("PUT", "/things/8", {"content": b"", "headers": {"Content-Type": "application/json"}}),
    ("TRACE", "/things/8", {}),
    ("POST", "/things", {"json": {"name": "given"}}),
    ("POST", "/things", {}),
    ("POST", "/things", {"content": b"null", "headers": {"Content-Type": "application/json"}}),
    ("POST", "/uploads", {"data": {"note": "a note"}}),
    ("POST", "/uploads", {"data": {"note": "n"}, "files": [("file", ("a.txt", b"A")), ("more", ("b.txt", b"B"))]}),
    ("POST", "/named?q=yes", {"json": {"name": "x"}}),
    ("GET", "/text?shape=str", {}),
    ("GET", "/text?shape=json", {}),
    ("GET", "/text?shape=bytes", {}),
    ("GET", "/text?shape=headers", {}),
    ("GET", "/plain", {}),
    ("DELETE", "/empty", {}),
]


@pytest.mark.parametrize(("method", "url", "options"), REQUESTS, ids=[f"{m} {u}" for m, u, _ in REQUESTS])
def test_handlers_get_what_connexion_gives_them(method: str, url: str, options: dict[str, Any]) -> None:
    answers = []
    for ours in (False, True):
        app, received = _app(ours)
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.request(method, url, **options)
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        answers.append((received, response.status_code, headers, response.content))
    stock, sandbox = answers
    assert sandbox[:2] == stock[:2]
    if stock[1] < 400:
        assert sandbox == stock
    assert stock[1] != 404  # every request reached an operation


def test_the_requests_cover_every_kind_of_answer() -> None:
    statuses = set()
    for method, url, options in REQUESTS:
        app, _ = _app(True)
        with TestClient(app, raise_server_exceptions=False) as client:
            statuses.add(client.request(method, url, **options).status_code)
    assert {200, 204, 400, 500} <= statuses
