"""Bearer tokens: the sandbox signs its own HS256 JWTs; the ``tenant`` claim selects an isolated state."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

import jwt

from elevate_sandbox.clock import Clock
from elevate_sandbox.domain.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "elevate-sandbox"
DEFAULT_TENANT = "default"
DEFAULT_EXPIRES_IN = 24 * 3600
# Tenant names end up in URLs and logs: keep them short and plain. Always matched whole (fullmatch):
# with re.match, "$" also matches before a final newline, so "default\n" was a second tenant.
TENANT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_tenant_name(tenant: str) -> str:
    """Return the tenant name if it is acceptable, else raise ValueError saying what is allowed."""
    if not isinstance(tenant, str) or not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError(
            f"tenant {tenant!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    return tenant


def mint_token(secret: str, clock: Clock, tenant: str = DEFAULT_TENANT, expires_in: int = DEFAULT_EXPIRES_IN) -> str:
    """Sign a token for ``tenant`` that expires ``expires_in`` seconds after the clock's now."""
    check_tenant_name(tenant)
    if expires_in <= 0:
        raise ValueError("expires_in must be a positive number of seconds")
    now = clock.now()
    claims = {
        "iss": ISSUER,
        "sub": tenant,
        "tenant": tenant,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=expires_in)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@lru_cache(maxsize=1024)
def _verified_claims(token: str, secret: str) -> dict[str, object]:
    """The claims of a token whose signature checks out; remembered, because clients resend one token.

    Only successes are cached (a raised error is not); expiry depends on the clock, so it is checked
    on every request by ``read_token``, never here.
    """
    try:
        # Expiry is checked against the injected clock in read_token, not PyJWT's own reading of the time.
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"verify_exp": False, "require": ["exp", "tenant"]}
        )
    except jwt.InvalidSignatureError as exc:
        raise Unauthorized("The bearer token's signature is not valid for this sandbox") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise Unauthorized(f"The bearer token lacks the {exc.claim!r} claim") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("The bearer token is not a well-formed HS256 JWT") from exc
    exp = claims["exp"]
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise Unauthorized("The bearer token's 'exp' claim is not a number")
    return claims


def signed_tenant(token: str, secret: str) -> str | None:
    """The tenant a token names if this secret signed it, expired or not (None otherwise); cached."""
    try:
        tenant = _verified_claims(token, secret)["tenant"]
    except Unauthorized:
        return None
    return tenant if isinstance(tenant, str) else None


def read_token(token: str, secret: str, clock: Clock) -> dict[str, object]:
    """Verify a token's signature, expiry (against ``clock``) and tenant; return its claims."""
    claims = _verified_claims(token, secret)
    expires = claims["exp"]  # a number: PyJWT refuses a token whose exp is not one
    if not isinstance(expires, int | float) or expires <= clock.now().timestamp():
        raise Unauthorized("The bearer token has expired: mint a new one with `elevate-sandbox token`")
    tenant = claims["tenant"]
    if not isinstance(tenant, str) or not TENANT_PATTERN.fullmatch(tenant):
        raise Unauthorized("The bearer token's 'tenant' claim is not a valid tenant name")
    return dict(claims)
