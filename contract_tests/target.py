"""The implementation under test: where it is, how to authenticate, and what the run may do to it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

import httpx

# The contract's own server is `/v1`: a base URL given without a path gets it appended.
API_PREFIX = "/v1"
CONTROL_PREFIX = "/_sandbox"
DEFAULT_SEED = 20261125


class Profile(StrEnum):
    """How hard the kit tries: `quick` for every push, `full` for nightly runs and releases."""

    QUICK = "quick"
    FULL = "full"


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


def normalise_api_url(url: str) -> str:
    """``http://host:8080`` -> ``http://host:8080/v1``; a URL with a path is kept as given."""
    parts = urlsplit(url.rstrip("/"))
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"--base-url must be an absolute http(s) URL, not {url!r}")
    path = parts.path or API_PREFIX
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def root_of(api_url: str) -> str:
    """Strip the trailing ``/v1`` from an API URL."""
    return api_url[: -len(API_PREFIX)] if api_url.endswith(API_PREFIX) else api_url


def probe_sandbox(api_url: str, timeout: float = 3.0) -> bool:
    """Whether the target answers the sandbox's health check, i.e. has the control API."""
    try:
        response = httpx.get(root_of(api_url) + CONTROL_PREFIX + "/health", timeout=timeout)
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False
    try:
        return response.json().get("status") == "ok"
    except ValueError:
        return False


def mint_sandbox_token(api_url: str, tenant: str | None = None) -> str:
    """Ask a sandbox's control API for a token of a fresh tenant (so the run starts from seeded data)."""
    tenant = tenant or f"contract-kit-{secrets.token_hex(4)}"
    response = httpx.post(root_of(api_url) + CONTROL_PREFIX + "/tokens", json={"tenant": tenant}, timeout=10.0)
    response.raise_for_status()
    return str(response.json()["token"])
