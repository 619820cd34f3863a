"""Pre-flight: before any check, is the target there, does it take the token, and does the API live at the URL?

Each question is one or two requests with a short timeout, so a wrong URL, a stopped server or a refused
token ends the run within seconds with one sentence and its own exit status, instead of thousands of
failures that all say the same thing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import IntEnum
from urllib.parse import urlsplit, urlunsplit

import httpx

from elevate_sandbox.contract_tests import spec
from elevate_sandbox.contract_tests.target import http_client, mint_sandbox_token, probe_sandbox

# Long enough for a loaded machine or a target whose first request warms up; a healthy target answers in ms.
TIMEOUT = 10.0
# Where implementations usually mount an API, tried when nothing answers at the URL given.
USUAL_PREFIXES = ("", "/v1", "/api", "/api/v1", "/elevate/v1", "/rest/v1")


class Exit(IntEnum):
    """The exit statuses of ``elevate-sandbox verify`` (docs/kit.md lists them)."""

    PASS = 0
    FAIL = 1  # the target broke the contract (findings in the reports)
    USAGE = 2  # a bad argument
    KIT_ERROR = 3  # the kit itself failed (please report it)
    UNREACHABLE = 10  # nothing answers at the URL's host and port
    TOKEN_REFUSED = 11  # the target refused the token (401/403 on an authenticated read)
    NOT_FOUND = 12  # the host answers but no Elevate operation lives at the URL's path
    TARGET_DOWN = 13  # the target stopped answering during the run


class PreflightError(Exception):
    """Pre-flight stopped the run: ``message`` is the one sentence to print, ``status`` the exit status."""

    def __init__(self, status: Exit, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Cleared:
    """What pre-flight learnt: the token to use (minted for a sandbox when none was given) and the time."""

    token: str
    is_sandbox: bool
    seconds: float


def probe_paths() -> list[str]:
    """Reads that need no identifier: a few list operations of the contract, with the smallest page."""
    paths = []
    for operation in spec.operations():
        if operation.method != "get" or "{" in operation.path:
            continue
        required = [n for n, p in operation.parameters.items() if p.get("required") and p["in"] == "query"]
        if operation.is_list and not set(required) - {"page", "pageSize"}:
            paths.append(f"{operation.path}?page=1&pageSize=1")
    return paths[:3]


def _get(client: httpx.Client, url: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


def _where_it_answers(client: httpx.Client, api_url: str, path: str, token: str | None) -> str | None:
    """The base URL among the usual prefixes under which ``path`` is not a 404, if any."""
    parts = urlsplit(api_url)
    root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    for prefix in USUAL_PREFIXES:
        candidate = root + prefix
        if candidate == api_url:
            continue
        try:
            if _get(client, candidate + path, token).status_code != 404:
                return candidate
        except httpx.HTTPError:
            continue
    return None


def _unreachable(api_url: str, exc: Exception) -> PreflightError:
    timed_out = isinstance(exc, httpx.TimeoutException)
    reason = f"it did not answer within {TIMEOUT:.0f} s" if timed_out else str(exc)
    return PreflightError(Exit.UNREACHABLE, f"cannot reach {api_url}: {reason or type(exc).__name__}")


def run(api_url: str, token: str | None, sandbox_only: bool | None = None) -> Cleared:
    """Check the target at ``api_url`` (used exactly as given); raise ``PreflightError`` to stop the run."""
    started = time.monotonic()
    paths = probe_paths()
    with http_client(timeout=TIMEOUT) as client:
        try:
            answers = [(path, _get(client, api_url + path, token)) for path in paths]
        except httpx.HTTPError as exc:
            raise _unreachable(api_url, exc) from exc
        if all(response.status_code == 404 for _, response in answers):
            better = _where_it_answers(client, api_url, paths[0], token)
            if better is not None:
                prefix = urlsplit(better).path or "the root"
                raise PreflightError(
                    Exit.NOT_FOUND,
                    f"every Elevate path answers 404 at {api_url}; the API answers at {prefix}: "
                    f"use --base-url {better}",
                )
            raise PreflightError(
                Exit.NOT_FOUND,
                f"every Elevate path answers 404 at {api_url} and under the usual prefixes "
                f"({', '.join(p or '/' for p in USUAL_PREFIXES)}): is this an Elevate API?",
            )
    is_sandbox = probe_sandbox(api_url) if sandbox_only is None else sandbox_only
    if token is None:
        if not probe_sandbox(api_url):
            raise PreflightError(Exit.USAGE, f"--token is required: {api_url} has no sandbox control API to mint one")
        return run(api_url, mint_sandbox_token(api_url), sandbox_only)
    refused = [(path, r) for path, r in answers if r.status_code in (401, 403)]
    if refused and len(refused) == len([r for _, r in answers if r.status_code != 404]):
        path, response = refused[0]
        raise PreflightError(
            Exit.TOKEN_REFUSED,
            f"{api_url} refused the token: GET {path.split('?')[0]} answered {response.status_code} "
            f"{response.text[:120].strip()!r}; pass a valid bearer token with --token",
        )
    return Cleared(token, is_sandbox, time.monotonic() - started)
