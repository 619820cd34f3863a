"""How uvicorn serves the sandbox: the connection limits an exposed sandbox needs (docs/security.md).

uvicorn's httptools parser has no bound on headers (a 32 MiB header was read whole), so the sandbox runs
h11 with a bound on the request head, closes idle keep-alive connections, and, through a protocol class of
its own (uvicorn's ``http`` option takes one: nothing of uvicorn's is changed), gives every request head a
deadline: a client that connects and sends nothing, or trickles its headers, is disconnected. Bodies have
their own deadline (sandbox/api/middleware.py). Requests past the application's own, smaller limits get
the JSON error shape (sandbox/api/body_limits.py); only a head past H11_MAX_HEAD_BYTES gets uvicorn's plain 400.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from elevate_sandbox.settings import Settings

# Over the application's URL (8 KiB) and header (32 KiB) limits, so that it answers those in JSON.
H11_MAX_HEAD_BYTES = 128 * 1024
HEAD_TIMEOUT_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
# Connections served at once; past it uvicorn answers 503 rather than queueing without end.
MAX_CONNECTIONS = 1000
# How often a thread holding the GIL hands it over (Python's default is 5 ms). A dataset build runs in a
# worker thread; with 1 ms the event loop gets the GIL back sooner and other tenants wait less: measured
# while "large" was built three times, the loop's 99th-percentile gap fell from 34-102 ms to 18-19 ms.
# Set by `elevate-sandbox serve` for its own process only (never by the app, which may live in a test run).
SWITCH_INTERVAL_SECONDS = 0.001


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with a deadline for each request head (uvicorn only times out idle keep-alive)."""

    head_timeout = HEAD_TIMEOUT_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def _arm_head_deadline(self) -> None:
        self._cancel_head_deadline()
        waiting_for = self.cycle  # a new request head replaces the cycle
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_overdue, waiting_for)

    def _cancel_head_deadline(self) -> None:
        deadline = getattr(self, "_head_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._head_deadline = None

    def _head_overdue(self, waiting_for: Any) -> None:
        if self.cycle is waiting_for and not self.transport.is_closing():
            if self.conn.our_state is not h11.ERROR:
                self.conn.send(h11.ConnectionClosed())
            self.transport.close()


def config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration of a sandbox app: h11 with the bounds above."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "warning",
        "access_log": settings.access_log,
        # Nothing reads the client address, so X-Forwarded-* need not be parsed on every request.
        "proxy_headers": False,
        "http": DeadlineH11Protocol,
        "h11_max_incomplete_event_size": H11_MAX_HEAD_BYTES,
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
