"""The request journal: each tenant's recent requests and responses, bounded, secrets redacted.

Recording is a few references per request (``Recorded``): the request's headers as the server passed them,
the first BODY_LIMIT bytes of each body, the response's headers, status and timings. Nothing is copied
byte by byte, decoded, parsed or redacted on the request's path: the entry shown (``Exchange``) is built
when somebody reads the journal, and redaction is applied then, every time, by the same ``redact``. JSON
is parsed only when it nests no deeper than MAX_DEPTH (deeper JSON is shown as text, since no encoder
takes any depth). An entry holds at most MAX_HEADERS headers of each side, of a request head the server
bounds (serving.MAX_HEAD_BYTES), and bodies cut at BODY_LIMIT. An entry is one tuple of atoms and tuples,
which the cyclic collector stops tracking at its first pass: a full journal does not slow its passes.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from elevate_sandbox.json_depth import nesting_within

BODY_LIMIT = 8 * 1024
MAX_HEADERS = 64
HEADER_VALUE_LIMIT = 1024
MAX_DEPTH = 32
DEFAULT_LIMIT = 50
REDACTED = b"[redacted]"
SECRET_HEADERS = frozenset({b"authorization", b"proxy-authorization", b"cookie", b"set-cookie"})
Headers = list[tuple[bytes, bytes]]
RawHeaders = Sequence[tuple[bytes, bytes]]


def redact(headers: Iterable[tuple[bytes, bytes]]) -> Headers:
    """Headers with credentials replaced (the scheme of an Authorization header is kept), bounded in count and size."""
    kept = []
    for name, value in itertools.islice(headers, MAX_HEADERS):
        name, value = name[:HEADER_VALUE_LIMIT], value[:HEADER_VALUE_LIMIT]
        lowered = name.lower()
        if lowered in SECRET_HEADERS:
            scheme = value.split(b" ", 1)[0] + b" " if b" " in value and lowered.endswith(b"authorization") else b""
            value = scheme + REDACTED
        kept.append((lowered, value))
    return kept


class Recorded(NamedTuple):
    """One exchange as the request path leaves it: references and raw bytes, nothing decoded or redacted.

    The header sequences must not change afterwards (the middleware keeps a bounded copy of each).
    """

    time: datetime
    method: str
    path: str
    query: bytes
    status: int
    duration: float
    request_headers: RawHeaders
    request_body: bytes
    request_size: int
    response_headers: RawHeaders
    response_body: bytes
    response_size: int

    def matches(self, method: str | None, path: str | None, status: str | None) -> bool:
        if method and self.method != method.upper():
            return False
        if path and path not in self.path:
            return False
        if status:
            wanted = status.lower()
            shown = str(self.status)
            return shown[0] == wanted[0] if wanted.endswith("xx") else shown == wanted
        return True

    def shown(self, number: int) -> Exchange:
        """The entry as the journal shows it: headers redacted."""
        return Exchange(
            number=number,
            time=self.time,
            method=self.method,
            path=self.path,
            query=self.query.decode("latin-1"),
            status=self.status,
            duration=self.duration,
            request=Message(redact(self.request_headers), self.request_body, self.request_size),
            response=Message(redact(self.response_headers), self.response_body, self.response_size),
        )


@dataclass(slots=True)
class Message:
    """One side of an exchange as shown: redacted headers, the first BODY_LIMIT bytes of the body, its full size."""

    headers: Headers
    body: bytes
    size: int

    def to_api(self) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for name, value in self.headers:
            key = name.decode("latin-1")
            headers[key] = f"{headers[key]}, {value.decode('latin-1')}" if key in headers else value.decode("latin-1")
        truncated = self.size > len(self.body)
        return {"headers": headers, "body": self._body(headers, truncated), "size": self.size, "truncated": truncated}

    def _body(self, headers: dict[str, str], truncated: bool) -> Any:
        if not self.body:
            return None
        if not truncated and "json" in headers.get("content-type", "").lower() and nesting_within(self.body, MAX_DEPTH):
            try:
                return orjson.loads(self.body)
            except orjson.JSONDecodeError:
                pass
        return self.body.decode("utf-8", "replace")


@dataclass(slots=True)
class Exchange:
    """One request and its response, as the journal shows them (built when it is read)."""

    number: int
    time: datetime
    method: str
    path: str
    query: str
    status: int
    duration: float
    request: Message
    response: Message

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.number,
            "time": self.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "durationMs": round(self.duration * 1000, 3),
            "request": self.request.to_api(),
            "response": self.response.to_api(),
        }


class Journal:
    """The last ``size`` exchanges of every tenant."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._by_tenant: dict[str, deque[tuple[int, Recorded]]] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, tenant: str, exchange: Recorded) -> None:
        """Keep one exchange, forgetting the tenant's oldest."""
        with self._lock:
            entries = self._by_tenant.get(tenant)
            if entries is None:
                entries = self._by_tenant[tenant] = deque(maxlen=self.size)
            entries.append((next(self._numbers), exchange))

    def recorded(self, tenant: str) -> list[Recorded]:
        """What the journal holds for a tenant, oldest first, as recorded (unredacted: not for showing)."""
        with self._lock:
            return [exchange for _, exchange in self._by_tenant.get(tenant, ())]

    def forget(self, tenant: str) -> None:
        """Drop a tenant's exchanges (the tenant was freed)."""
        with self._lock:
            self._by_tenant.pop(tenant, None)

    def recent(
        self,
        tenant: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> list[dict[str, Any]]:
        """The tenant's matching exchanges, newest first, at most ``limit``."""
        with self._lock:
            entries = list(self._by_tenant.get(tenant, ()))
        found = []
        for number, exchange in reversed(entries):
            if exchange.matches(method, path, status):
                found.append(exchange.shown(number).to_api())
                if len(found) >= limit:
                    break
        return found
