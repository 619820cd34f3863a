"""One place turns every failure (ours, Connexion's, Starlette's, unexpected) into the error shape."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.api.rendering import error_response
from elevate_sandbox.domain import errors
from elevate_sandbox.domain.errors import SandboxError

logger = logging.getLogger("elevate_sandbox")

# Framework statuses and the stable codes and messages the sandbox gives them.
_BY_STATUS: dict[int, tuple[type[SandboxError], str, str]] = {
    400: (errors.InvalidRequest, errors.VALIDATION_ERROR, "The request is not valid"),
    401: (errors.Unauthorized, errors.UNAUTHORIZED, "A bearer token is required: Authorization: Bearer <JWT>"),
    403: (errors.Forbidden, errors.FORBIDDEN, "Forbidden"),
    404: (errors.NotFound, errors.NOT_FOUND, "No such resource"),
    405: (errors.MethodNotAllowed, errors.METHOD_NOT_ALLOWED, "This method is not allowed on this path"),
    413: (errors.PayloadTooLarge, errors.PAYLOAD_TOO_LARGE, "The request body is too large"),
    415: (errors.UnsupportedMediaType, errors.UNSUPPORTED_MEDIA_TYPE, "Unsupported content type"),
}


class _OtherClientError(SandboxError):
    """A 4xx status that the table above does not name (406, 409, ...)."""


def _from_status(status: int, detail: str | None) -> SandboxError:
    kind, code, default_message = _BY_STATUS.get(status, (_OtherClientError, f"HTTP_{status}", "Request refused"))
    if status == 404 and not detail:
        default_message = "No such path in this API"
    error = kind(message=detail or default_message, code=code)
    if kind is _OtherClientError:
        error.status = status
    return error


def sandbox_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Render a typed sandbox error."""
    assert isinstance(exc, SandboxError)
    return error_response(exc)


def problem_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Render Connexion's problems (401 from security, 415, routing) in the sandbox's shape."""
    assert isinstance(exc, ProblemException)
    if exc.status >= 500:
        logger.error("framework problem: %r", exc)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status == 401 and detail in (None, "No authorization token provided"):
        detail = "A bearer token is required: send Authorization: Bearer <JWT> (see `elevate-sandbox token`)"
    return error_response(_from_status(exc.status if exc.status < 500 else 400, detail))


def http_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Render Starlette's HTTP errors (unknown path, method not allowed)."""
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail not in ("Not Found", "Method Not Allowed") else None
    response = error_response(_from_status(exc.status_code, detail))
    if exc.status_code == 405:
        # Starlette only knows the first route of the path; the contract knows every method on it.
        response.headers["Allow"] = ", ".join(current_runtime().allowed_methods(request.url.path))
    return response


def unexpected_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Last resort: a bug. Logged with its traceback; the client gets the error shape, never a trace."""
    logger.exception("unexpected error", exc_info=exc)
    error = SandboxError(message="The sandbox failed unexpectedly; see its log", code="INTERNAL_ERROR")
    error.status = 500
    return error_response(error)


# Each failure's renderer, looked up by the exception's class (most specific first) by both ways of serving.
HANDLERS: dict[type[BaseException], Callable[..., Any]] = {
    SandboxError: sandbox_error,
    ProblemException: problem_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
