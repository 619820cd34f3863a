"""What a handler may know about the request it serves, whichever way it was served.

The pipeline sets one context variable per request; on the stock app, Connexion's documented request
context answers the same questions. Handlers ask here, so that neither they nor the list pipeline read
a framework's context directly.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """The few facts of a request that handlers use: its method, headers and verified token."""

    method: str
    headers: list[tuple[bytes, bytes]]
    token_info: dict[str, Any] | None


CURRENT_REQUEST: ContextVar[RequestInfo | None] = ContextVar("elevate_sandbox_request", default=None)


def _current() -> RequestInfo | None:
    return CURRENT_REQUEST.get()


def request_method() -> str:
    """The HTTP method of the request being served."""
    info = _current()
    if info is not None:
        return info.method
    from connexion.context import scope

    return str(scope["method"])


def request_tenant() -> str:
    """The tenant named by the request's verified bearer token."""
    info = _current()
    token_info = info.token_info if info is not None else _connexion_token_info()
    if not token_info:
        raise LookupError("this request carries no verified token")
    return str(token_info["tenant"])


def request_header(name: str, default: str = "") -> str:
    """A request header's first value (names are case-insensitive), or ``default``."""
    info = _current()
    if info is None:
        from connexion import request

        return str(request.headers.get(name, default))
    value = first_header(info.headers, name.lower().encode("latin-1"))
    return value.decode("latin-1") if value is not None else default


def first_header(headers: list[tuple[bytes, bytes]], lower_name: bytes) -> bytes | None:
    """A header's first value, as Starlette's ``Headers.get`` finds it (ASGI servers give names in lower case)."""
    for key, value in headers:
        if key == lower_name:
            return value
    return None


def _connexion_token_info() -> dict[str, Any] | None:
    from connexion.context import context

    token_info: dict[str, Any] | None = context.get("token_info")
    return token_info
