"""The implementation under test: where it is, how to authenticate, and what the run may do to it."""

from __future__ import annotations

import secrets
import ssl
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

# The contract's own server is `/v1`: the sandbox serves its control API beside it, at the root.
API_PREFIX = "/v1"
CONTROL_PREFIX = "/_sandbox"
DEFAULT_SEED = 20261125


@cache
def ssl_context() -> ssl.SSLContext:
    """One TLS context for the whole run: building one reads the CA bundle (about 40 ms of CPU), and the
    kit opens a client per test, which cost seconds of the quick profile."""
    return httpx.create_ssl_context()


def http_client(**kwargs: Any) -> httpx.Client:
    """An HTTP client sharing the run's TLS context."""
    return httpx.Client(verify=ssl_context(), **kwargs)


class Profile(StrEnum):
    """How hard the kit tries: `quick` for every push, `full` for nightly runs and releases."""

    QUICK = "quick"
    FULL = "full"


# The options that `elevate-sandbox verify` and the kit's pytest plugin both take, declared once as argparse
# keywords; each side adds its own (a type that checks the value early, the options only it has).
RUN_OPTIONS: dict[str, dict[str, Any]] = {
    "--base-url": {
        "default": None,
        "help": "the API under test exactly as served, e.g. http://localhost:8080/v1 (nothing is appended; "
        "default: start the sandbox in-process on a free port)",
    },
    "--token": {"default": None, "help": "bearer token for the API (minted automatically for a sandbox)"},
    "--profile": {
        "choices": [p.value for p in Profile],
        "default": Profile.QUICK.value,
        "help": "quick (every push, < 20 s against the sandbox) or full (nightly, < 5 min)",
    },
    "--read-only": {
        "action": "store_true",
        "default": False,
        "help": "send no writes: only read operations and read-only checks (safe for production)",
    },
    "--seed": {"type": int, "default": DEFAULT_SEED, "help": f"seed of the generated data (default {DEFAULT_SEED})"},
    "--operation": {
        "action": "append",
        "default": None,
        "metavar": "OPERATION_ID",
        "help": "fuzz only this operation (repeatable; default: every operation)",
    },
}


@dataclass(frozen=True, slots=True)
class Target:
    """One implementation to check, with the run's choices."""

    api_url: str
    token: str
    is_sandbox: bool
    read_only: bool = False
    profile: Profile = Profile.QUICK
    seed: int = DEFAULT_SEED

    @property
    def root_url(self) -> str:
        """The URL without the API prefix: the sandbox serves its control API under it."""
        return root_of(self.api_url)

    @property
    def control_url(self) -> str:
        """The sandbox control API (only meaningful when ``is_sandbox``)."""
        return self.root_url + CONTROL_PREFIX

    @property
    def auth_headers(self) -> dict[str, str]:
        """The Authorization header every request carries."""
        return {"Authorization": f"Bearer {self.token}"}


def checked_base_url(url: str) -> str:
    """The base URL exactly as given (a trailing ``/`` dropped); ``ValueError`` unless absolute http(s).

    Nothing is appended: a target serving the API at its root is checked at its root, and pre-flight
    says where the API answers when the URL is wrong.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an absolute http(s) URL such as http://localhost:8080/v1")
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r} has a query or fragment; give the URL the API paths start from")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as exc:
        raise ValueError(f"{url!r} has an invalid port") from exc
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def root_of(api_url: str) -> str:
    """Strip a trailing ``/v1`` from an API URL (where a sandbox serves ``/_sandbox``)."""
    return api_url[: -len(API_PREFIX)] if api_url.endswith(API_PREFIX) else api_url


def probe_sandbox(api_url: str, timeout: float = 3.0) -> bool:
    """Whether the target answers the sandbox's health check, i.e. has the control API."""
    try:
        with http_client(timeout=timeout) as client:
            response = client.get(root_of(api_url) + CONTROL_PREFIX + "/health")
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("status") == "ok"


def mint_sandbox_token(api_url: str, tenant: str | None = None) -> str:
    """Ask a sandbox's control API for a token of a fresh tenant (so the run starts from seeded data)."""
    tenant = tenant or f"contract-kit-{secrets.token_hex(4)}"
    with http_client(timeout=10.0) as client:
        response = client.post(root_of(api_url) + CONTROL_PREFIX + "/tokens", json={"tenant": tenant})
    response.raise_for_status()
    return str(response.json()["token"])
