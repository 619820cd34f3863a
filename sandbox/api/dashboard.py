"""The demo dashboard (public HTML; its script sends the bearer token) and the overview it reads."""

from __future__ import annotations

from functools import cache
from typing import Any

from connexion.context import context
from connexion.lifecycle import ConnexionResponse

from elevate_sandbox.api.common import backend
from elevate_sandbox.api.hosted import html
from elevate_sandbox.api.registry import operation
from elevate_sandbox.web.dashboard import dashboard_page
from elevate_sandbox.web.html import Html
from elevate_sandbox.web.overview import DEFAULT_LIMIT, overview


@cache
def _page() -> Html:
    return dashboard_page()


@operation("getDashboardHome")
@operation("getDashboard")
async def get_dashboard(**_: Any) -> ConnexionResponse:
    return html(_page())


@operation("getOverview")
async def get_overview(limit: int = DEFAULT_LIMIT, **_: Any) -> dict[str, Any]:
    with backend() as b:
        return overview(b, context["token_info"]["tenant"], limit)
