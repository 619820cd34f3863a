"""Where the sandbox's hosted pages live: the URLs it hands out for payment links, mandate flows and approvals.

The pages are public (an end customer's browser has no bearer token), so the URL itself must say which
tenant it belongs to: tokens and ids come from each tenant's own seeded randomness and sequences, so two
tenants with the same seed issue the same ones, and no token-to-tenant map could tell them apart.
"""

from __future__ import annotations

from urllib.parse import urlencode

from elevate_sandbox.domain.context import Context

HOSTED_PATH = "/_sandbox/hosted"
TENANT_PARAM = "tenant"
PAY_PAGE = "pay"
MANDATE_PAGE = "mandates"
APPROVAL_PAGE = "outbound-approvals"


def hosted_url(ctx: Context, page: str, key: str | int) -> str:
    """The public URL of a hosted page, naming the tenant when the backend belongs to one."""
    url = f"{ctx.public_base_url}{HOSTED_PATH}/{page}/{key}"
    return f"{url}?{urlencode({TENANT_PARAM: ctx.tenant})}" if ctx.tenant is not None else url
