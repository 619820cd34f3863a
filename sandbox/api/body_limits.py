"""The body size limit per path: one limit for every request, a larger one where documents are large."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elevate_sandbox.api.middleware import BodyLimitMiddleware


class BodyLimits:
    """ASGI middleware: BodyLimitMiddleware with ``max_bytes``, or the limit ``overrides`` gives a path."""

    def __init__(self, app: Any, max_bytes: int, overrides: Mapping[str, int]) -> None:
        self.default = BodyLimitMiddleware(app, max_bytes)
        self.by_path = {path: BodyLimitMiddleware(app, limit) for path, limit in overrides.items()}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        limit = self.by_path.get(scope.get("path", ""), self.default) if scope["type"] == "http" else self.default
        await limit(scope, receive, send)
