"""ASGI middleware: the body size limit, and the runtime that handlers of this app read."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from elevate_sandbox.domain.errors import PayloadTooLarge

if TYPE_CHECKING:
    from elevate_sandbox.runtime import Runtime

Scope = dict[str, Any]
CURRENT_RUNTIME: ContextVar[Runtime] = ContextVar("sandbox_runtime")


def current_runtime() -> Runtime:
    """The runtime of the app serving the current request."""
    return CURRENT_RUNTIME.get()


class RuntimeMiddleware:
    """Makes this app's runtime visible to its handlers (several apps may live in one process)."""

    def __init__(self, app: Any, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        token = CURRENT_RUNTIME.set(self.runtime)
        try:
            await self.app(scope, receive, send)
        finally:
            CURRENT_RUNTIME.reset(token)


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413, from Content-Length or while streaming, never reading past it.

    A chunked body (no Content-Length) is buffered up to the limit and replayed with its length, because
    Connexion's validation takes a body without Content-Length for no body at all.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if declared.strip().isdigit() and int(declared) > self.max_bytes:
                raise self._too_large()
            await self.app(scope, self._counting(receive), send)
            return
        if b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            await self.app(scope, receive, send)
            return
        body = await self._read_all(receive)
        replayed = {**scope, "headers": [*scope["headers"], (b"content-length", str(len(body)).encode())]}
        await self.app(replayed, self._replay(body, receive), send)

    def _counting(self, receive: Any) -> Any:
        seen = 0

        async def limited_receive() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise self._too_large()
            return message

        return limited_receive

    async def _read_all(self, receive: Any) -> bytes:
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                raise self._too_large()
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    @staticmethod
    def _replay(body: bytes, receive: Any) -> Any:
        sent = False

        async def replay_receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay_receive

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The request body is larger than the limit of {self.max_bytes} bytes")
