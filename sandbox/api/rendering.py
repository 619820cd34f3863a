"""JSON out: orjson with exact money (Decimal rounded to pennies) and the one error shape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from connexion.jsonifier import Jsonifier
from connexion.lifecycle import ConnexionResponse

from sandbox.domain.errors import SandboxError
from sandbox.domain.money import PENNY

JSON = "application/json"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Money leaves the sandbox here, and only here, as a JSON number with at most 2 places.
        return float(value.quantize(PENNY))
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def dumps(data: Any) -> bytes:
    """Serialise a response payload."""
    return orjson.dumps(data, default=_default)


class OrjsonJsonifier(Jsonifier):
    """Connexion's serialisation hook, backed by orjson (about 4x the default on large pages)."""

    def __init__(self) -> None:
        super().__init__(json_=orjson)

    def dumps(self, data: Any, **kwargs: Any) -> str:
        return dumps(data).decode()

    def loads(self, data: Any) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return data


def error_response(error: SandboxError) -> ConnexionResponse:
    """Render any sandbox error in the contract's error shape."""
    headers = {"WWW-Authenticate": 'Bearer realm="elevate-sandbox"'} if error.status == 401 else None
    return ConnexionResponse(
        status_code=error.status, body=dumps(error.to_body()), mimetype=JSON, content_type=JSON, headers=headers
    )
