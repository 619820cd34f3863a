"""How uvicorn serves the sandbox: the connection limits an exposed sandbox needs (docs/security.md).

uvicorn bounds neither the request head with its httptools parser (a 32 MiB header was read whole) nor the
time a client takes to send it (only idle keep-alive connections time out). uvicorn's ``http`` option takes
a protocol class, so the sandbox passes its own: uvicorn's, plus a bound on the bytes of each request head
(past it, uvicorn's own plain-text 400) and a deadline for each head (a client that connects and sends
nothing, or trickles its headers, is disconnected). Nothing of uvicorn's is changed. httptools is used when
installed (h11, uvicorn's pure-Python parser, cost 100-400 us more CPU a request here), h11 with its own
bound otherwise. Bodies have their own deadline (sandbox/api/middleware.py). Requests within these bounds but
past the application's smaller limits get the JSON error shape (sandbox/api/body_limits.py).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from elevate_sandbox import deadlines
from elevate_sandbox.api.body_limits import MAX_URL_BYTES, URL_EXTENSION
from elevate_sandbox.settings import Settings

# Over the application's URL (8 KiB) and header (32 KiB) limits, so that it answers those in JSON.
MAX_HEAD_BYTES = 128 * 1024
HEAD_TIMEOUT_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
# Connections served at once; past it uvicorn answers 503 rather than queueing without end.
MAX_CONNECTIONS = 1000
# How often a thread holding the GIL hands it over (Python's default is 5 ms). A dataset build runs in a
# worker thread; with 1 ms the event loop gets the GIL back sooner and other tenants wait less: measured
# while "large" was built three times, the loop's 99th-percentile gap fell from 34-102 ms to 18-19 ms.
# Set by `elevate-sandbox serve` for its own process only (never by the app, which may live in a test run).
SWITCH_INTERVAL_SECONDS = 0.001


class HeadDeadline(asyncio.Protocol):
    """Mixin for uvicorn's protocols: each request head must arrive within ``head_timeout`` seconds.

    The wait starts when the connection opens and after each response; a new request head replaces the
    protocol's ``cycle``, which is how the deadline knows the head arrived (deadlines.py checks them).
    """

    head_timeout = HEAD_TIMEOUT_SECONDS
    # Set by the uvicorn protocol this is mixed into (its ``cycle`` is the request/response in progress).
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._await_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]  # uvicorn's protocols have it, asyncio's has not
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        deadlines.forget(self.loop, self)
        super().connection_lost(exc)

    def _await_head(self) -> None:
        """The next head is due within head_timeout, after the cycle in progress now."""
        deadlines.watch(self.loop, self, self.head_timeout, self._head_overdue, self.cycle)

    def _head_overdue(self, waiting_for: Any) -> None:
        transport, cycle = self.transport, self.cycle
        # Still the cycle it waited after, and that one answered: no new head came (a request being served,
        # pipelined or slow, is never cut).
        if cycle is waiting_for and (cycle is None or cycle.response_complete) and not transport.is_closing():
            transport.close()


class DeadlineH11Protocol(HeadDeadline, H11Protocol):
    """uvicorn's h11 protocol with a head deadline (h11 bounds the head by h11_max_incomplete_event_size)."""


def _httptools_protocol() -> type[asyncio.Protocol] | None:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is optional (uvicorn[standard])
        return None

    class DeadlineHttpToolsProtocol(HeadDeadline, HttpToolsProtocol):
        """uvicorn's httptools protocol with a head deadline and a bound on the bytes of each head."""

        _head_bytes = 0
        _in_head = True

        def data_received(self, data: bytes) -> None:
            if self._in_head:
                self._head_bytes += len(data)
            super().data_received(data)
            if self._in_head and self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.send_400_response("Request head too large")

        def on_headers_complete(self) -> None:
            self._in_head = False
            if len(self.url) > MAX_URL_BYTES:
                # httptools.parse_url fails past 65,535 bytes, and uvicorn then answers a plain-text 400. The
                # application refuses any URL over MAX_URL_BYTES in JSON: it gets the length, and a shortened URL
                # that is never routed.
                # ASGI types an extension's value as a dict; this one is the URL's length (body_limits.py reads it).
                self.scope["extensions"] = {**self.scope.get("extensions", {}), URL_EXTENSION: len(self.url)}  # type: ignore[dict-item]
                self.url = self.url[:MAX_URL_BYTES]
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            self._in_head, self._head_bytes = True, 0
            super().on_response_complete()

    return DeadlineHttpToolsProtocol


# The protocol `serve` and LiveSandbox use: httptools when installed, h11 otherwise.
PROTOCOL: type[asyncio.Protocol] = _httptools_protocol() or DeadlineH11Protocol


def config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration of a sandbox app: PROTOCOL with the bounds above."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        # uvicorn logs each request at INFO: --access-log needs that level, otherwise warnings only.
        "log_level": "info" if settings.access_log else "warning",
        "access_log": settings.access_log,
        # Nothing reads the client address, so X-Forwarded-* need not be parsed on every request.
        "proxy_headers": False,
        "http": PROTOCOL,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": MAX_CONNECTIONS,
        **overrides,
    }
    return uvicorn.Config(app, **options)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound before the start line is printed so that it prints the real address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host.strip("[]"), port), family=family)
    sock.set_inheritable(True)
    return sock


def address_of(sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
