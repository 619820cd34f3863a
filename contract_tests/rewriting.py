"""The tools of faults.py: rewriting an ASGI app's requests and responses, serving an app on a free port."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

import httpx
import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(slots=True)
class Exchange:
    """A buffered request and (after the app answered) its response, open to rewriting."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]
    status: int = 0
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.response_body) if self.response_body else None

    def set_json(self, value: Any, status: int | None = None) -> None:
        self.response_body = json.dumps(value).encode()
        self.status = status or self.status


Rewrite = Callable[[Exchange], None]


class Caller(Protocol):
    """``await call(method, path, body)``: a request a rewrite sends to the wrapped app with the exchange's
    own headers, answering (status, JSON body)."""

    def __call__(self, method: str, path: str, body: Any = None) -> Awaitable[tuple[int, Any]]: ...


# A rewrite that may send more requests to the wrapped app.
Then = Callable[[Exchange, Caller], Awaitable[None]]


class Rewriting:
    """ASGI middleware: for requests matching ``method`` and ``path`` (a regex), rewrite before and after."""

    def __init__(
        self,
        app: ASGIApp,
        method: str,
        path: str,
        before: Rewrite | None = None,
        after: Rewrite | None = None,
        then: Then | None = None,
    ) -> None:
        self.app, self.method, self.path = app, method.upper(), re.compile(path)
        self.before, self.after, self.then = before, after, then

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._matches(scope):
            await self.app(scope, receive, send)
            return
        exchange = await self._read(scope, receive)
        if self.before:
            self.before(exchange)
        scope = dict(scope)
        scope["query_string"] = urlencode(exchange.query).encode()
        scope["headers"] = [(k.encode(), v.encode()) for k, v in exchange.headers.items() if k != "content-length"]
        scope["headers"].append((b"content-length", str(len(exchange.body)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": exchange.body, "more_body": False}

        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        exchange.response_body = b"".join(chunks)
        if self.after:
            self.after(exchange)
        if self.then:

            async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
                return await call_app(self.app, scope, method, path, body)

            await self.then(exchange, call)
        headers = [(k, v) for k, v in exchange.response_headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(exchange.response_body)).encode()))
        await send({"type": "http.response.start", "status": exchange.status, "headers": headers})
        await send({"type": "http.response.body", "body": exchange.response_body})

    def _matches(self, scope: Scope) -> bool:
        return (self.method in ("*", scope["method"])) and bool(self.path.fullmatch(scope["path"]))

    @staticmethod
    async def _read(scope: Scope, receive: Receive) -> Exchange:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        return Exchange(scope["method"], scope["path"], query, body, headers)


async def call_app(app: ASGIApp, scope: Scope, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """Send one more request to ``app`` with the headers of ``scope``; answer (status, parsed JSON or None)."""
    raw = b"" if body is None else json.dumps(body).encode()
    path, _, query = path.partition("?")
    headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-length", b"content-type")]
    kind = b"application/json-patch+json" if method == "PATCH" else b"application/json"
    headers += [(b"content-length", str(len(raw)).encode()), (b"content-type", kind)]
    inner = {**scope, "method": method, "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "headers": headers}  # fmt: skip
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(inner, receive, send)
    text = b"".join(chunks)
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, None


# -- serving a variant --------------------------------------------------------------------------------


class Served:
    """An ASGI app served by uvicorn on a free loopback port in a thread (``with Served(app) as url:``)."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1") -> None:
        from elevate_sandbox.live import free_port

        self.url = f"http://{host}:{free_port(host)}"
        port = int(self.url.rsplit(":", 1)[1])
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"fault-{port}", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/_sandbox/health", timeout=1.0)
                return self.url
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"the broken variant did not start on {self.url}")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
