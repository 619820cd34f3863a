"""The request journal: each tenant's recent requests and responses, bounded, secrets redacted.

Recording keeps raw bytes only, bounded (at most MAX_HEADERS headers of HEADER_VALUE_LIMIT bytes, bodies
cut at BODY_LIMIT); JSON is parsed when somebody reads the journal, never on the request's path, and only
when it nests no deeper than MAX_DEPTH (deeper JSON is shown as text, since no encoder takes any depth).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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


@dataclass(slots=True)
class Message:
    """One side of an exchange: headers and the first BODY_LIMIT bytes of the body, with its full size."""

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
    """One request and its response, as the journal keeps them."""

    number: int
    time: datetime
    method: str
    path: str
    query: str
    status: int
    duration: float
    request: Message
    response: Message

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
        self._by_tenant: dict[str, deque[Exchange]] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, tenant: str, **fields: Any) -> None:
        """Keep one exchange (``Exchange``'s fields but its number), forgetting the tenant's oldest."""
        with self._lock:
            entries = self._by_tenant.get(tenant)
            if entries is None:
                entries = self._by_tenant[tenant] = deque(maxlen=self.size)
            entries.append(Exchange(number=next(self._numbers), **fields))

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
        for entry in reversed(entries):
            if entry.matches(method, path, status):
                found.append(entry.to_api())
                if len(found) >= limit:
                    break
        return found
