"""Who may do what on an exposed sandbox (docs/security.md): the admin key and the fresh tenants.

On loopback, or with --insecure, everything stays as friendly as ever. Once the sandbox listens beyond this
machine without --insecure, the calls
that reach someone else's tenant or the whole machine need the admin key (SANDBOX_ADMIN_KEY, sent as the
X-Sandbox-Admin-Key header): a token for a *named* tenant, importing a state document, loading a large
dataset. Without it, POST /_sandbox/tokens hands out a fresh tenant nobody can guess.
"""

from __future__ import annotations

import hmac
import secrets

from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.domain.errors import ADMIN_KEY_REQUIRED, Forbidden
from elevate_sandbox.http.context import request_header

ADMIN_HEADER = "X-Sandbox-Admin-Key"
# Datasets whose build takes seconds and hundreds of megabytes.
LARGE_DATASETS = frozenset({"large", "million"})
GUEST_PREFIX = "guest-"


def exposed() -> bool:
    """Whether this sandbox listens beyond loopback and guards what reaches beyond a caller's tenant."""
    return current_runtime().settings.guarded


def require_admin(what: str) -> None:
    """Refuse ``what`` with 403 unless the sandbox is unguarded (loopback, --insecure) or the request carries
    the admin key."""
    settings = current_runtime().settings
    if not settings.guarded:
        return
    given = request_header(ADMIN_HEADER)
    if settings.admin_key and hmac.compare_digest(given.encode(), settings.admin_key.encode()):
        return
    how = f"send the {ADMIN_HEADER} header" if settings.admin_key else "start it with SANDBOX_ADMIN_KEY set"
    raise Forbidden(f"On an exposed sandbox, {what} needs the admin key: {how}", ADMIN_KEY_REQUIRED)


def fresh_tenant() -> str:
    """A tenant name nobody can guess (96 random bits), for a caller who named none."""
    return GUEST_PREFIX + secrets.token_hex(12)
