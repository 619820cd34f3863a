"""The operation-bound decorators give handlers exactly what Connexion's own give them.

Two apps serve one contract with recording handlers: Connexion's stock AsyncApp, and an AsyncApp with
the pieces create_app puts in (the sandbox's middleware stack, validators, URI parser and
OnceDecoratedApi, whose handlers reuse what validation parsed). One instance of each serves every
request in turn, so that nothing built once can carry one request into the next. Every request must
reach its handler with the same arguments and come back with the same status; a request that succeeds,
with the same headers and body (refusals are in each app's own error shape).
"""

from __future__ import annotations

from typing import Any

import pytest
from connexion import AsyncApp
from connexion.resolver import Resolver
from starlette.datastructures import UploadFile
from starlette.testclient import TestClient

from elevate_sandbox.api import errors as error_handlers
from elevate_sandbox.api.operations import OnceDecoratedApi, middlewares
from elevate_sandbox.api.requests import FixedDefinitionsURIParser
from elevate_sandbox.api.validation import validator_map
from elevate_sandbox.domain.errors import SandboxError

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
                    {"name": "$type", "in": "query", "schema": {"type": "string"}},  # pythonic: type, then type_
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


def _app(ours: bool, pythonic: bool = False, spec: dict[str, Any] = SPEC) -> tuple[AsyncApp, list[dict[str, Any]]]:
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
    async def form(note: str | None = None) -> Any:  # Swagger 2: each form field is an argument
        received.append({"note": note})
        return {"note": note}, 200

    handlers["form"] = form
    resolver = Resolver(function_resolver=lambda operation_id: handlers[operation_id])
    if not ours:
        app = AsyncApp(__name__, pythonic_params=pythonic)
        app.add_api(spec, resolver=resolver)
        return app, received
    app = AsyncApp(__name__, middlewares=middlewares(), pythonic_params=pythonic)
    app._middleware_app.api_cls = OnceDecoratedApi  # type: ignore[misc]
    kwargs = {"uri_parser_class": FixedDefinitionsURIParser} if "openapi" in spec else {}
    app.add_api(spec, resolver=resolver, validator_map=validator_map(), **kwargs)
    app.add_error_handler(SandboxError, error_handlers.sandbox_error)
    return app, received


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/things/7", {}),
    ("GET", "/things/7?q=hello&n=3&ratio=2&flag=true&tags=1,2,3&filter[b]=9&page-size=5", {}),
    ("GET", "/things/7?undocumented=1&filter[a]=z", {}),
    ("GET", "/things/7?n=notanumber", {}),
    ("GET", "/things/7?$type=name&page-size=1", {}),
    ("GET", "/things/7", {"content": b'{"a": 1}', "headers": {"Content-Type": "application/json"}}),
    ("GET", "/things/7", {"content": b"not json", "headers": {"Content-Type": "application/json"}}),
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


class Served:
    """One app instance of each kind, kept for every request of a test module run."""

    def __init__(self, pythonic: bool) -> None:
        self.clients = []
        self.received = []
        for ours in (False, True):
            app, received = _app(ours, pythonic)
            self.clients.append(TestClient(app, raise_server_exceptions=False).__enter__())
            self.received.append(received)

    def answers(self, method: str, url: str, options: dict[str, Any]) -> list[tuple[Any, ...]]:
        answers = []
        for client, received in zip(self.clients, self.received, strict=True):
            before = len(received)
            response = client.request(method, url, **options)
            headers = {k: v for k, v in response.headers.items() if k != "content-length"}
            answers.append((received[before:], response.status_code, headers, response.content))
        return answers

    def close(self) -> None:
        for client in self.clients:
            client.__exit__(None, None, None)


@pytest.fixture(scope="module", params=[False, True], ids=["sanitized", "pythonic"])
def served(request: pytest.FixtureRequest) -> Any:
    apps = Served(pythonic=request.param)
    yield apps
    apps.close()


@pytest.mark.parametrize(("method", "url", "options"), REQUESTS, ids=[f"{m} {u}" for m, u, _ in REQUESTS])
def test_handlers_get_what_connexion_gives_them(served: Served, method: str, url: str, options: dict) -> None:
    stock, sandbox = served.answers(method, url, options)
    assert sandbox[:2] == stock[:2]
    if stock[1] < 400:
        assert sandbox == stock
    assert stock[1] != 404  # every request reached an operation


def test_the_requests_cover_every_kind_of_answer() -> None:
    apps = Served(pythonic=False)
    statuses = {apps.answers(method, url, options)[1][1] for method, url, options in REQUESTS}
    apps.close()
    assert {200, 204, 400, 500} <= statuses


def test_pythonic_names_are_connexions() -> None:
    apps = Served(pythonic=True)
    stock, sandbox = apps.answers("GET", "/things/7?$type=name&page-size=1", {})
    apps.close()
    assert sandbox == stock
    got = stock[0][0]
    assert (got["type_"], got["page_size"], got["thing_id"]) == ("name", 1, 7)


SWAGGER2 = {
    "swagger": "2.0",
    "info": {"title": "forms", "version": "1"},
    "paths": {
        "/form": {
            "post": {
                "operationId": "form",
                "consumes": ["application/x-www-form-urlencoded"],
                "parameters": [{"name": "note", "in": "formData", "type": "string"}],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def test_swagger2_form_fields_are_arguments_as_in_connexion() -> None:
    answers = []
    for ours in (False, True):
        app, received = _app(ours, spec=SWAGGER2)
        with TestClient(app) as client:
            response = client.post("/form", data={"note": "hello"})
        answers.append((received, response.status_code, response.json()))
    assert answers[1] == answers[0] == ([{"note": "hello"}], 200, {"note": "hello"})


def test_a_middleware_after_validation_that_rewrites_the_query_is_heard() -> None:
    """What validation parsed is reused only while the scope still has the query string it parsed."""
    from connexion.middleware import MiddlewarePosition

    class Rewrite:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                scope["query_string"] = b"q=rewritten"
            await self.app(scope, receive, send)

    answers = []
    for ours in (False, True):
        app, received = _app(ours)
        app.add_middleware(Rewrite, position=MiddlewarePosition.BEFORE_CONTEXT)
        with TestClient(app) as client:
            assert client.get("/things/7?q=original").status_code == 200
        answers.append(received[0]["q"])
    assert answers == ["rewritten", "rewritten"]
