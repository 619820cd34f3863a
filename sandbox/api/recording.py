"""ASGI middleware that records every request of a known tenant in the journal; it never breaks a request.

It copies at most BODY_LIMIT bytes of each body as it streams past and parses nothing: the tenant comes
from the token Connexion already verified (or, when it refused the token, from the token's signed claim).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from elevate_sandbox.auth import signed_tenant
from elevate_sandbox.journal import BODY_LIMIT, Message, redact
from elevate_sandbox.store import Store

logger = logging.getLogger("elevate_sandbox.journal")
# Reading the journal is not recorded: a reader polling it would fill it with itself.
UNRECORDED_PATHS = frozenset({"/_sandbox/requests", "/_sandbox/requests/"})
# The journal's status for a client that disconnected before its request was answered (nginx's 499).
CLIENT_CLOSED = 499


class _Capture:
    """What one exchange let through: the status, response headers and the first bytes of both bodies."""

    __slots__ = ("request", "request_size", "response", "response_headers", "response_size", "status")

    def __init__(self) -> None:
        self.request = bytearray()
        self.request_size = 0
        self.response = bytearray()
        self.response_size = 0
        self.response_headers: list[tuple[bytes, bytes]] = []
        self.status = 500  # an exchange that ends without a response start failed

    def saw_request(self, message: dict[str, Any]) -> None:
        if message.get("type") == "http.disconnect" and not self.response_headers:
            self.status = CLIENT_CLOSED  # gone before an answer: not a failure of the sandbox
        elif message.get("type") == "http.request":
            body = message.get("body") or b""
            self.request_size += len(body)
            if len(self.request) < BODY_LIMIT:
                self.request += body[: BODY_LIMIT - len(self.request)]

    def saw_response(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "http.response.start":
            self.status = message.get("status", 500)
            self.response_headers = list(message.get("headers") or [])
        elif kind == "http.response.body":
            body = message.get("body") or b""
            self.response_size += len(body)
            if len(self.response) < BODY_LIMIT:
                self.response += body[: BODY_LIMIT - len(self.response)]


class JournalMiddleware:
    """Records each exchange in the store's journal under the tenant that made it."""

    def __init__(self, app: Any, store: Store, secret: str) -> None:
        self.app = app
        self.store = store
        self.secret = secret

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") in UNRECORDED_PATHS:
            await self.app(scope, receive, send)
            return
        capture = _Capture()

        async def receive_and_copy() -> dict[str, Any]:
            message = await receive()
            try:
                capture.saw_request(message)
            except Exception:  # the journal must never break a request
                logger.exception("journal: could not copy a request body")
            return message

        async def copy_and_send(message: dict[str, Any]) -> None:
            try:
                capture.saw_response(message)
            except Exception:
                logger.exception("journal: could not copy a response")
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive_and_copy, copy_and_send)
        finally:
            try:
                self._record(scope, capture, time.perf_counter() - started)
            except Exception:
                logger.exception("journal: could not record %s %s", scope.get("method"), scope.get("path"))

    def _record(self, scope: dict[str, Any], capture: _Capture, duration: float) -> None:
        name = self._tenant_of(scope)
        tenant = self.store.find(name) if name else None
        if tenant is None:  # no token, or a tenant that does not exist: nothing to file it under
            return
        self.store.journal.record(
            tenant.name,
            time=tenant.backend.clock.now(),
            method=scope.get("method", ""),
            path=scope.get("path", ""),
            query=(scope.get("query_string") or b"").decode("latin-1"),
            status=capture.status,
            duration=duration,
            request=Message(redact(scope.get("headers") or ()), bytes(capture.request), capture.request_size),
            response=Message(redact(capture.response_headers), bytes(capture.response), capture.response_size),
        )

    def _tenant_of(self, scope: dict[str, Any]) -> str | None:
        token_info = scope.get("extensions", {}).get("connexion_context", {}).get("token_info")
        if isinstance(token_info, dict) and isinstance(token_info.get("tenant"), str):
            return token_info["tenant"]
        # Refused before or by security (expired token, 413, ...): trust the claim only if we signed it.
        for header, value in scope.get("headers") or ():
            if header.lower() == b"authorization" and value[:7].lower() == b"bearer ":
                # Cached per token (auth.py): decoding it again on every request cost a sixth of a request.
                return signed_tenant(value[7:].strip().decode("latin-1"), self.secret)
        return None


def journal_recorder(store: Store, secret: str) -> Any:
    """The journal's entry point for an exchange the request pipeline (sandbox/http/) answered itself:
    ``record(scope, exchange, duration)``, where ``exchange`` has the attributes of a _Capture."""
    recorder = JournalMiddleware(None, store, secret)

    def record(scope: dict[str, Any], exchange: Any, duration: float) -> None:
        if scope.get("path") in UNRECORDED_PATHS:
            return
        capture = _Capture()
        capture.request = exchange.request[:BODY_LIMIT]
        capture.request_size = exchange.request_size
        capture.response = exchange.response[:BODY_LIMIT]
        capture.response_size = exchange.response_size
        capture.response_headers = exchange.response_headers
        capture.status = exchange.status
        try:
            recorder._record(scope, capture, duration)
        except Exception:  # the journal must never break a request
            logger.exception("journal: could not record %s %s", scope.get("method"), scope.get("path"))

    return record
