"""The indexed router (sandbox/api/routing.py) must route exactly as Starlette's own Router does: the same
route for every path and method, the same 405 for a path with other methods, the same slash redirect and
the same default for everything else, with routes that start with a parameter or mount an app in between."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route, Router

from elevate_sandbox.api.routing import IndexedRouter, indexed


def _answer(name: str) -> Any:
    async def endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name} {request.method} {dict(request.path_params)}")

    return endpoint


def _routes() -> list:
    return [
        Route("/refunds", _answer("refunds"), methods=["GET", "POST"]),
        Route("/outbound-payments", _answer("payouts"), methods=["POST"]),
        Route("/outbound-payments/{outbound_payment_id}", _answer("payout"), methods=["GET", "PATCH"]),
        Route("/{anything}/status", _answer("status-of"), methods=["GET"]),  # a parameter first
        Route("/refunds/{refund_id}", _answer("refund"), methods=["GET"]),  # after it: /refunds/status is status-of
        Mount("/static", routes=[Route("/{name}", _answer("static"))]),
        Route("/payment-provider-mandates/{paymentMethod}/{mandateReference}", _answer("mandate"), methods=["GET"]),
        Route("/outbound-payments/{outbound_payment_id}", _answer("shadowed"), methods=["DELETE"]),
        Route("/", _answer("root"), methods=["GET"]),
    ]


REQUESTS = [
    ("GET", "/refunds"), ("POST", "/refunds"), ("DELETE", "/refunds"), ("GET", "/refunds/"),
    ("POST", "/outbound-payments"), ("GET", "/outbound-payments"), ("GET", "/outbound-payments/7"),
    ("PATCH", "/outbound-payments/7"), ("DELETE", "/outbound-payments/7"), ("PUT", "/outbound-payments/7"),
    ("GET", "/outbound-payments/7/"), ("GET", "/refunds/status"), ("GET", "/nothing/status"),
    ("GET", "/static/app.css"), ("GET", "/payment-provider-mandates/GO_CARDLESS/MD123"), ("GET", "/"),
    ("GET", "/unknown"), ("GET", "/unknown/deeper/path"), ("GET", "//double"), ("POST", "/"),
]  # fmt: skip


async def _answers(router: Router) -> list[tuple[int, str, str | None]]:
    transport = httpx.ASGITransport(app=router)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", follow_redirects=False) as client:
        answers = []
        for method, path in REQUESTS:
            response = await client.request(method, path)
            answers.append((response.status_code, response.text, response.headers.get("location")))
        return answers


def test_it_routes_every_request_as_starlettes_router_does() -> None:
    stock = asyncio.run(_answers(Router(routes=_routes())))
    mine = asyncio.run(_answers(indexed(Router(routes=_routes()))))
    assert mine == stock
    texts = {text for _, text, _ in stock}
    assert {"payout GET {'outbound_payment_id': '7'}", "status-of GET {'anything': 'refunds'}"} <= texts


def test_routes_added_after_the_first_request_are_found() -> None:
    router = indexed(Router(routes=_routes()))
    asyncio.run(_answers(router))
    router.routes.append(Route("/late", _answer("late"), methods=["GET"]))

    async def late() -> str:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=router), base_url="http://t") as client:
            return (await client.get("/late")).text

    assert asyncio.run(late()) == "late GET {}"


def test_a_router_with_middleware_of_its_own_is_refused() -> None:
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware

    with pytest.raises(ValueError, match="without middleware"):
        indexed(Router(routes=_routes(), middleware=[Middleware(GZipMiddleware)]))
    assert not isinstance(Router(routes=_routes()), IndexedRouter)


UI_PATHS = [
    "/v1/ui", "/v1/ui/", "/v1/ui/index.html", "/v1/ui/swagger-ui.css", "/v1/ui/missing.js", "/v1/openapi.json",
    "/v1/openapi.json/", "/v1/openapi.yaml", "/v1/openapi.jsonx", "/v1/uix", "/v1/things", "/v1/things/",
    "/v1/things/3", "/v1", "/v1/", "/", "/other", "/_sandbox/ui/", "/_sandbox/openapi.json", "/v1//ui",
]  # fmt: skip


def _ui_app(swagger_ui: type) -> Any:
    from connexion import AsyncApp
    from connexion.middleware.main import ConnexionMiddleware
    from connexion.middleware.swagger_ui import SwaggerUIMiddleware

    async def things(**_: Any) -> Any:
        return {"things": []}, 200

    spec = {
        "openapi": "3.0.3",
        "info": {"title": "ui", "version": "1"},
        "paths": {
            "/things": {"get": {"operationId": "things", "responses": {"200": {"description": "ok"}}}},
            "/things/{id}": {
                "get": {
                    "operationId": "thing",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok"}},
                }
            },
        },
    }
    stack = [swagger_ui if m is SwaggerUIMiddleware else m for m in ConnexionMiddleware.default_middlewares]
    app = AsyncApp(__name__, middlewares=stack)
    for base in ("/v1", "/_sandbox"):
        app.add_api(spec, base_path=base, resolver=lambda _operation_id: things)
    return app


def test_the_swagger_ui_middleware_answers_every_path_as_connexions_does() -> None:
    from connexion.middleware.swagger_ui import SwaggerUIMiddleware
    from starlette.testclient import TestClient

    from elevate_sandbox.api.routing import PassThroughSwaggerUIMiddleware

    answers = []
    for middleware in (SwaggerUIMiddleware, PassThroughSwaggerUIMiddleware):
        with TestClient(_ui_app(middleware), raise_server_exceptions=False) as client:
            answers.append(
                [
                    (r.status_code, r.headers.get("location"), r.headers.get("content-type"), r.content)
                    for r in (client.get(path, follow_redirects=False) for path in UI_PATHS)
                ]
            )
    stock, mine = answers
    assert mine == stock
    statuses = {status for status, *_ in stock}
    assert {200, 307, 404} <= statuses
