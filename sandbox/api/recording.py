"""ASGI middleware that records every request of a known tenant in the journal; it never breaks a request.

It keeps references, not copies: the request's header list (a bounded slice), the body chunks as they
stream past (the first BODY_LIMIT bytes; a body in one chunk is kept as that same bytes object), the
response's status and headers. It parses, decodes and redacts nothing: the journal does that when it is
read. The tenant comes from the token Connexion already verified (or, when it refused the token, from
the token's signed claim).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from typing import Any

from elevate_sandbox.auth import signed_tenant
from elevate_sandbox.journal import BODY_LIMIT, MAX_HEADERS, Recorded
from elevate_sandbox.store import Store

logger = logging.getLogger("elevate_sandbox.journal")
# Reading the journal is not recorded: a reader polling it would fill it with itself.
UNRECORDED_PATHS = frozenset({"/_sandbox/requests", "/_sandbox/requests/"})
# The journal's status for a client that disconnected before its request was answered (nginx's 499).
CLIENT_CLOSED = 499


class Capture:
    """What one exchange let through: the status, response headers and the first bytes of both bodies."""

    __slots__ = ("request", "request_size", "response", "response_headers", "response_size", "status")

    def __init__(
        self,
        request: bytes = b"",
        response: bytes = b"",
        response_headers: Any = (),
        status: int = 500,  # an exchange that ends without a response start failed
    ) -> None:
        # bytes, not bytearray: the first chunk is kept as it is (b"" + chunk is chunk, not a copy).
        self.request = request[:BODY_LIMIT]
        self.request_size = len(request)
        self.response = response[:BODY_LIMIT]
        self.response_size = len(response)
        self.response_headers = _bounded(response_headers)
        self.status = status

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
            self.response_headers = _bounded(message.get("headers") or ())
        elif kind == "http.response.body":
            body = message.get("body") or b""
            self.response_size += len(body)
            if len(self.response) < BODY_LIMIT:
                self.response += body[: BODY_LIMIT - len(self.response)]


class JournalMiddleware:
    """Records each exchange in the store's journal under the tenant that made it."""

    def __init__(self, app: Any, store: Store, secret: str) -> None:
        self.app = app
        self.recorder = Recorder(store, secret)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") in UNRECORDED_PATHS:
            await self.app(scope, receive, send)
            return
        capture = Capture()

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
                self.recorder.record(scope, capture, time.perf_counter() - started)
            except Exception:
                logger.exception("journal: could not record %s %s", scope.get("method"), scope.get("path"))


class Recorder:
    """Files exchanges in the store's journal: the middleware's for the stock app, the pipeline's for its own."""

    def __init__(self, store: Store, secret: str) -> None:
        self.store = store
        self.secret = secret

    def record(self, scope: dict[str, Any], capture: Capture, duration: float, tenant: str | None = None) -> None:
        """File one exchange under ``tenant`` (when the caller knows it) or the tenant its token names."""
        name = tenant or self._tenant_of(scope)
        found = self.store.find(name) if name else None
        if found is None:  # no token, or a tenant that does not exist: nothing to file it under
            return
        exchange = Recorded(
            found.backend.clock.now(),  # the tenant's time now: its clock may move before anyone reads
            scope.get("method", ""),
            scope.get("path", ""),
            scope.get("query_string") or b"",
            capture.status,
            duration,
            _bounded(scope.get("headers") or ()),
            capture.request,
            capture.request_size,
            capture.response_headers,
            capture.response,
            capture.response_size,
        )
        self.store.journal.record(found.name, exchange)

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


def _bounded(headers: Any) -> tuple[tuple[bytes, bytes], ...]:
    """At most MAX_HEADERS headers, as a tuple: a copy nobody changes later, which the collector untracks."""
    return tuple(itertools.islice(headers, MAX_HEADERS))


def journal_recorder(store: Store, secret: str) -> Callable[[dict[str, Any], Capture, float, str | None], None]:
    """The journal's entry point for an exchange the request pipeline (sandbox/http/) answered itself:
    ``record(scope, capture, duration, tenant)``, where ``tenant`` is the one its token named, if known."""
    recorder = Recorder(store, secret)

    def record(scope: dict[str, Any], capture: Capture, duration: float, tenant: str | None) -> None:
        if scope.get("path") in UNRECORDED_PATHS:
            return
        try:
            recorder.record(scope, capture, duration, tenant)
        except Exception:  # the journal must never break a request
            logger.exception("journal: could not record %s %s", scope.get("method"), scope.get("path"))

    return record
