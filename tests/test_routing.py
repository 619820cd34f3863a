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

from sandbox.api.routing import IndexedRouter, indexed


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
