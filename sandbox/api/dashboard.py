"""The demo dashboard (public HTML; its script sends the bearer token) and the overview it reads."""

from __future__ import annotations

from functools import cache
from typing import Any

from connexion.lifecycle import ConnexionResponse

from elevate_sandbox.api.common import backend
from elevate_sandbox.api.hosted import html
from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.hosted import APPROVAL_PAGE, MANDATE_PAGE, PAY_PAGE, page_key
from elevate_sandbox.http.context import request_tenant
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
    tenant = request_tenant()
    with backend() as b:
        return with_page_keys(overview(b, tenant, limit), tenant)


# The rows whose hosted page the dashboard opens: (overview list, page, the field that names the record).
_PAGES = (
    ("paymentLinks", PAY_PAGE, "token"),
    ("mandates", MANDATE_PAGE, "flowToken"),
    ("outboundPayments", APPROVAL_PAGE, "id"),
)


def with_page_keys(view: dict[str, Any], tenant: str) -> dict[str, Any]:
    """The overview with each row's hosted-page key (``pageKey``), which the dashboard's links need."""
    secret = current_runtime().settings.hosted_page_secret
    for rows, page, field in _PAGES:
        for row in view[rows]:
            row["pageKey"] = page_key(secret, tenant, page, row[field])
    return view
