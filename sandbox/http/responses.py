"""A handler's return value as the response Connexion would have made of it, and errors as responses.

Handlers return a Starlette response, a ``ConnexionResponse``, or data with a status (and headers); the
rules (content type from the operation's media types, JSON through the app's jsonifier, 204 for no
data) are Connexion 3.3's ``BaseResponseDecorator`` and Starlette framework's, so that both ways of
serving answer byte for byte alike.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from connexion.exceptions import NonConformingResponseHeaders
from connexion.lifecycle import ConnexionResponse
from connexion.utils import extract_content_type, is_json_mimetype, split_content_type
from starlette.responses import JSONResponse, Response

ErrorHandler = Callable[[Any, Exception], ConnexionResponse]


def _unpack(result: Any) -> tuple[Any, int | None, dict[str, Any]]:
    if not isinstance(result, tuple):
        return result, None, {}
    if len(result) == 1:
        return result[0], None, {}
    if len(result) == 2:
        data, second = result
        if isinstance(second, int):
            return data, int(second), {}
        if isinstance(second, Enum) and isinstance(second.value, int):
            return data, second.value, {}
        return data, None, second
    if len(result) == 3:
        return result
    raise TypeError(
        "The view function did not return a valid response tuple. The tuple must have the form (body), "
        "(body, status, headers), (body, status), or (body, headers)."
    )


def _content_type(data: Any, headers: dict[str, Any], produces: list[str]) -> str | None:
    content_type = extract_content_type(headers) if headers else None
    offered = list(set(produces))
    if data is not None and not offered:
        offered = ["application/json"]
    if content_type:
        if content_type not in offered:
            raise NonConformingResponseHeaders(
                f"Returned content type ({content_type}) is not defined in operation spec ({produces})."
            )
        return content_type
    if len(offered) <= 1:
        return offered[0] if offered else None
    for wanted, kind in (("text/plain", str), ("application/octet-stream", bytes)):
        if isinstance(data, kind):
            chosen = next((c for c in offered if wanted in c), None)
            if chosen is not None:
                return chosen
    raise NonConformingResponseHeaders(
        "Multiple response content types are defined in the operation spec, but the handler response did "
        "not specify which one to return."
    )


def build(data: Any, *, content_type: str | None, headers: Any, status_code: int | None) -> Response:
    """Connexion's Starlette ``build_response``."""
    response_class = JSONResponse if isinstance(data, (dict, list)) else Response
    status = status_code if status_code is not None else 200  # Starlette's own default
    return response_class(content=data, status_code=status, media_type=content_type, headers=headers)


def json_default(produces: list[str]) -> str | None:
    """The content type a handler's data without headers gets, when that is a JSON media type."""
    try:
        content_type = _content_type({}, {}, produces)
    except NonConformingResponseHeaders:
        return None
    return content_type if content_type and is_json_mimetype(split_content_type(content_type)[0]) else None


def from_handler(
    result: Any, produces: list[str], json_type: str | None, dumps: Callable[[Any], str | bytes]
) -> Response:
    """The response for whatever a handler returned; ``json_type`` is ``json_default(produces)``."""
    if isinstance(result, Response):
        return result
    if json_type is not None and type(result) is tuple and len(result) == 2 and type(result[1]) is int:
        # The common case, (data, status): the same response as below, without working it out again.
        data, status = result
        if isinstance(data, (dict, list)):
            body = dumps(data)
            return Response(body, status_code=status, media_type=json_type, headers={"Content-Type": json_type})
    if isinstance(result, ConnexionResponse):
        return build(
            result.body, content_type=result.content_type, headers=result.headers, status_code=result.status_code
        )
    data, status, headers = _unpack(result)
    content_type = _content_type(data, headers, produces)
    if not isinstance(data, Response):
        if data is not None and content_type and is_json_mimetype(split_content_type(content_type)[0]):
            data = dumps(data)
        status = status or (204 if data is None else 200)
        if content_type and not any(key.lower() == "content-type" for key in headers):
            headers["Content-Type"] = content_type
    return build(data, content_type=content_type, headers=headers, status_code=status)


def from_error(handler: ErrorHandler, request: Any, exc: Exception) -> Response:
    """An error handler's answer, converted as Connexion's exception middleware converts it."""
    answer = handler(request, exc)
    return Response(
        content=answer.body, status_code=answer.status_code, media_type=answer.mimetype, headers=answer.headers
    )
