"""Where the sandbox's hosted pages live: the URLs it hands out for payment links, mandate flows and approvals.

The pages are public (an end customer's browser has no bearer token), so the URL itself is the credential.
It names the tenant, because tokens and ids come from each tenant's own seeded randomness and sequences (two
tenants with the same seed issue the same ones), and it carries a key: an HMAC of the tenant, the page and
the record under a secret derived from the sandbox's JWT secret (settings.hosted_page_secret). Knowing one's
own links therefore tells nothing about another tenant's, and sequential payout ids cannot be walked.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from elevate_sandbox.domain.context import Context

HOSTED_PATH = "/_sandbox/hosted"
TENANT_PARAM = "tenant"
KEY_PARAM = "key"
PAY_PAGE = "pay"
MANDATE_PAGE = "mandates"
APPROVAL_PAGE = "outbound-approvals"
# 128 bits of the HMAC: far beyond guessing, short enough for a URL.
KEY_HEX_LENGTH = 32
# The tenant hosted pages belong to when the URL names none (auth.DEFAULT_TENANT; the domain imports no auth).
UNNAMED_TENANT = "default"


def page_key(secret: bytes, tenant: str | None, page: str, key: str | int) -> str:
    """The key of one hosted page: unguessable without the secret, different for every tenant and record."""
    message = f"{tenant or UNNAMED_TENANT}\x00{page}\x00{key}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_HEX_LENGTH]


def page_key_matches(secret: bytes, tenant: str | None, page: str, key: str | int, given: str | None) -> bool:
    """Whether ``given`` is the page's key (compared in constant time)."""
    # As bytes: compare_digest refuses str with non-ASCII characters, which a URL may well carry.
    expected = page_key(secret, tenant, page, key).encode()
    return given is not None and hmac.compare_digest(expected, given.encode("utf-8", "surrogatepass"))


def hosted_url(ctx: Context, page: str, key: str | int) -> str:
    """The public URL of a hosted page, naming the tenant and carrying the page's key when there is a secret."""
    params = {TENANT_PARAM: ctx.tenant} if ctx.tenant is not None else {}
    if ctx.page_secret is not None:
        params[KEY_PARAM] = page_key(ctx.page_secret, ctx.tenant, page, key)
    url = f"{ctx.public_base_url}{HOSTED_PATH}/{page}/{key}"
    return f"{url}?{urlencode(params)}" if params else url
