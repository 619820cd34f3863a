"""The request guard: what a request may weigh before Connexion parses it, so that input never earns a 500.

In front of routing and validation it checks, in this order: the URL length (414), the number and size of
the headers (431), then reads the complete body within its size limit (413) and time limit (408) and only
then calls the app, so that a client that disconnects mid-body changes nothing. A body must say what it is
(415 without a Content-Type); the media type is matched without regard to case (RFC 9110 8.3.1) by passing
it on in lower case; a JSON body nested deeper than MAX_JSON_DEPTH is a 400 (Python's parsers and the
journal's encoder break on deep nesting long before any Elevate document needs it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elevate_sandbox.api.middleware import ClientGone, has_body, read_body, replay
from elevate_sandbox.domain.errors import (
    NESTING_TOO_DEEP,
    UNSUPPORTED_MEDIA_TYPE,
    FieldProblem,
    HeadersTooLarge,
    InvalidRequest,
    UnsupportedMediaType,
    UriTooLong,
)
from elevate_sandbox.json_depth import nesting_within

MAX_URL_BYTES = 8 * 1024
# The scope extension in which the server (serving.py) passes the length of a URL it had to shorten.
URL_EXTENSION = "elevate_sandbox.url_bytes"
MAX_HEADER_COUNT = 100
MAX_HEADER_BYTES = 32 * 1024
# The deepest Elevate or control document (a JSON Patch value, a state import) is under 8 levels.
MAX_JSON_DEPTH = 32


def _media_type(value: bytes) -> tuple[bytes, bytes]:
    """The lower-cased media type of a Content-Type value, and its parameters as given."""
    kind, _, parameters = value.partition(b";")
    return kind.strip().lower(), parameters


class BodyLimits:
    """ASGI middleware: the guard above, with ``max_bytes`` or the limit ``overrides`` gives a path."""

    def __init__(self, app: Any, max_bytes: int, overrides: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = dict(overrides or {})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.check_head(scope)
        headers = dict(scope.get("headers") or [])
        if not has_body(headers):
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(receive, headers, self.limit_for(scope.get("path", "")))
        except ClientGone:
            return  # nobody is left to answer, and the handler never runs on a part of a body
        content_type = self.content_type(headers, body)
        rebuilt = [
            (name, value)
            for name, value in scope["headers"]
            if name not in (b"content-length", b"transfer-encoding", b"content-type")
        ]
        rebuilt.append((b"content-length", str(len(body)).encode()))
        if content_type is not None:
            rebuilt.append((b"content-type", content_type))
        await self.app({**scope, "headers": rebuilt}, replay(body, receive), send)

    def limit_for(self, path: str) -> int:
        """The body limit of a request path."""
        return self.overrides.get(path, self.max_bytes)

    @staticmethod
    def check_head(scope: dict[str, Any]) -> None:
        """The URL length (414), then the number and size of the headers (431)."""
        url_bytes = len(scope.get("raw_path") or scope.get("path", "").encode()) + len(scope.get("query_string", b""))
        url_bytes = max(url_bytes, (scope.get("extensions") or {}).get(URL_EXTENSION, 0))
        if url_bytes > MAX_URL_BYTES:
            raise UriTooLong(f"The URL is {url_bytes} bytes long; the limit is {MAX_URL_BYTES}")
        headers = scope.get("headers") or []
        if len(headers) > MAX_HEADER_COUNT:
            raise HeadersTooLarge(f"The request has {len(headers)} headers; the limit is {MAX_HEADER_COUNT}")
        size = sum(len(name) + len(value) for name, value in headers)
        if size > MAX_HEADER_BYTES:
            raise HeadersTooLarge(f"The request headers hold {size} bytes; the limit is {MAX_HEADER_BYTES}")

    @staticmethod
    def content_type(headers: dict[bytes, bytes], body: bytes) -> bytes | None:
        """The Content-Type passed on (media type lower-cased); refuses a body that does not say what it is."""
        raw = headers.get(b"content-type")
        if raw is None or not raw.strip():
            if body:
                raise UnsupportedMediaType(
                    "A request body needs a Content-Type header (application/json for JSON bodies)",
                    UNSUPPORTED_MEDIA_TYPE,
                )
            return None
        kind, parameters = _media_type(raw)
        if (kind.endswith(b"/json") or kind.endswith(b"+json")) and not nesting_within(body, MAX_JSON_DEPTH):
            raise InvalidRequest(
                f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels",
                NESTING_TOO_DEEP,
                [FieldProblem("body", f"nested deeper than {MAX_JSON_DEPTH} levels")],
            )
        return kind + (b";" + parameters if parameters else b"")
