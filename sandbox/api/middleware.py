"""ASGI middleware: the runtime that handlers of this app read, and the complete-body reader in front of them."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from elevate_sandbox import deadlines
from elevate_sandbox.domain.errors import PayloadTooLarge, RequestTimeout

if TYPE_CHECKING:
    from elevate_sandbox.runtime import Runtime

Scope = dict[str, Any]
CURRENT_RUNTIME: ContextVar[Runtime] = ContextVar("sandbox_runtime")
# A client gets this long to send a whole body: a slow client holds a connection, never the sandbox.
BODY_TIMEOUT_SECONDS = 30.0


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


class ClientGone(Exception):
    """The client disconnected before its body was complete: nothing is to be done or answered."""


def has_body(headers: dict[bytes, bytes]) -> bool:
    """Whether a request announces a body (a non-zero Content-Length, or chunked transfer)."""
    declared = headers.get(b"content-length")
    if declared is not None:
        return declared.strip() not in (b"0", b"")
    return b"chunked" in headers.get(b"transfer-encoding", b"").lower()


async def read_body(receive: Any, headers: dict[bytes, bytes], max_bytes: int) -> bytes:
    """The whole body, never more than ``max_bytes`` (413) nor slower than BODY_TIMEOUT_SECONDS (408).

    The handler only ever sees a complete body: a client that disconnects half way raises ClientGone, so
    an aborted upload changes nothing (it used to be applied with whatever had arrived).
    """
    declared = headers.get(b"content-length", b"").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks, seen, more = [], 0, True
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    late: list[asyncio.Task[Any]] = []
    deadlines.watch(loop, task, BODY_TIMEOUT_SECONDS, _stop_reading, task, late)
    try:
        while more:
            message = await receive()
            if message["type"] != "http.request":
                raise ClientGone
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > max_bytes:
                raise _too_large(max_bytes)
            chunks.append(chunk)
            more = message.get("more_body", False)
    except asyncio.CancelledError:
        if not late or task is None or task.uncancel() > 0:
            raise  # cancelled by someone else (the server shutting down): not ours to turn into a 408
        raise RequestTimeout(f"The request body did not arrive within {BODY_TIMEOUT_SECONDS:g} seconds") from None
    finally:
        deadlines.forget(loop, task)
    return b"".join(chunks)


def replay(body: bytes, receive: Any) -> Any:
    """A receive callable that hands out ``body`` in one message, then whatever the client sends next."""
    sent = False

    async def replay_receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay_receive


def _stop_reading(task: asyncio.Task[Any] | None, late: list[asyncio.Task[Any]]) -> None:
    """The body's deadline passed: cancel the task reading it, saying so (read_body answers 408)."""
    if task is not None:
        late.append(task)
        task.cancel()


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body is larger than the limit of {max_bytes} bytes")
