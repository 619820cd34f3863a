"""A small HTTP client for the kit's own checks and scenarios: bearer token attached, curl for every call."""

from __future__ import annotations

import json
import shlex
from typing import Any

import httpx

from elevate_sandbox.contract_tests import spec
from elevate_sandbox.contract_tests.report import TOKEN_PLACEHOLDER
from elevate_sandbox.contract_tests.target import Target, http_client
from elevate_sandbox.contract_tests.watch import WATCH

JSON_PATCH = "application/json-patch+json"


def curl_of(request: httpx.Request, token: str | None = None) -> str:
    """A shell command that sends ``request`` again; the token is left as ``$TOKEN``."""
    parts = ["curl", "-X", request.method]
    for name, value in request.headers.items():
        if name.lower() in (
            "host",
            "content-length",
            "accept-encoding",
            "connection",
            "user-agent",
            "accept",
        ):
            continue
        if name.lower() == "authorization":
            parts.append(f'-H "Authorization: Bearer {TOKEN_PLACEHOLDER}"')
            continue
        parts.append("-H " + shlex.quote(f"{name}: {value}"))
    body = request.content
    if body:
        parts.append("-d " + shlex.quote(body.decode("utf-8", "replace")))
    parts.append(shlex.quote(str(request.url)))
    command = " ".join(parts)
    if token:
        command = command.replace(token, TOKEN_PLACEHOLDER)
    return command


# Requests other than GET this process sent: whatever the kit read before one of them may have changed.
WRITES = [0]


class Api:
    """Calls one base URL (the Elevate API or the sandbox control API) and remembers the last request."""

    def __init__(self, base_url: str, token: str, timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = http_client(timeout=timeout, headers={"Authorization": f"Bearer {token}"})
        self.last: httpx.Request | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        request = self.http.build_request(method, self.base_url + path, **kwargs)
        self.last = request
        if method.upper() != "GET":
            WRITES[0] += 1
        with WATCH.call(spec.label_for(method, path), lambda: curl_of(request, self.token)):
            return self.http.send(request)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.request("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.request("POST", path, json=body)

    def patch(self, path: str, operations: list[dict[str, Any]]) -> httpx.Response:
        return self.request("PATCH", path, content=json.dumps(operations), headers={"Content-Type": JSON_PATCH})

    def ok(self, response: httpx.Response, *statuses: int) -> Any:
        """The JSON body of a successful response; fail with the status and body otherwise."""
        expected = statuses or (200, 201)
        assert response.status_code in expected, (
            f"{response.request.method} {response.request.url.path} answered {response.status_code}, "
            f"expected {' or '.join(map(str, expected))}: {response.text[:500]}"
        )
        return response.json() if response.content else None

    def curl(self) -> str:
        """The last request as a curl command."""
        return curl_of(self.last, self.token) if self.last is not None else ""

    def close(self) -> None:
        self.http.close()


def elevate_api(target: Target) -> Api:
    """A client of the Elevate API of ``target``."""
    return Api(target.api_url, target.token)


def control_api(target: Target) -> Api:
    """A client of the sandbox control API of ``target`` (same tenant as the Elevate client)."""
    return Api(target.control_url, target.token)
