"""The request pipeline against plain Connexion: the same requests, the same answers, byte for byte.

Two apps over the same demo data, one served by the pipeline (sandbox/http/pipeline.py) and one by the
stock Connexion app (``stock_connexion=True``), get the same requests in the same order under the same
tenant: Schemathesis' valid and invalid requests for every operation of both contracts, then a list of
hostile and unusual ones. Status, headers and body must be equal, and so must each tenant's state.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from schemathesis import Case, Config
from starlette.testclient import TestClient

from elevate_sandbox.app import create_app
from elevate_sandbox.auth import mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.http.pipeline import Pipeline
from elevate_sandbox.runtime import load_spec
from elevate_sandbox.settings import CONTROL_SPEC, ELEVATE_SPEC
from tests.conftest import make_settings

PIPELINE = create_app(make_settings(dataset="demo", journal_size=50))
STOCK = create_app(make_settings(dataset="demo", journal_size=50, stock_connexion=True))
SECRET = PIPELINE.runtime.settings.jwt_secret


def _headers(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(SECRET, SystemClock(), tenant)}"}


def test_the_two_apps_are_what_they_claim() -> None:
    assert isinstance(PIPELINE, Pipeline)
    assert not isinstance(STOCK, Pipeline) and STOCK.runtime.settings.stock_connexion


def _schema(spec: Any, mode: str, examples: int) -> schemathesis.BaseSchema:
    config = Config.from_dict(
        {
            "seed": 16,
            "generation": {"mode": mode, "max-examples": examples, "database": "none"},
            "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )
    return schemathesis.openapi.from_dict(load_spec(spec), config=config)


# A token is signed at the moment it is minted (wall-clock time, not the tenant's clock), and the journal
# says how long each request took: the parts of an answer that two calls cannot share.
MINTED = re.compile(rb'"(token|expiresAt)":"[^"]*"')
TIMED = re.compile(rb'"durationMs":[0-9.e-]+')


def _answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    body = TIMED.sub(b'"durationMs":0', MINTED.sub(rb'"\1":"minted"', response.content))
    headers = sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() != "content-length")
    return response.status_code, headers, body


def _same_answer(case: Case, tenant: str) -> None:
    base = case.operation.schema.raw_schema["servers"][0]["url"]
    request = case.as_transport_kwargs(base_url=f"http://testserver{base}", headers=_headers(tenant))
    request.pop("cookies", None)
    if isinstance(request.get("data"), (bytes, str)):
        request["content"] = request.pop("data")
    answers = []
    for app in (PIPELINE, STOCK):
        with TestClient(app, raise_server_exceptions=False) as client:
            answers.append(_answer(client.request(**request)))
    assert answers[0] == answers[1], f"{case.method} {case.formatted_path}: pipeline {answers[0]} != stock {answers[1]}"


ELEVATE = _schema(ELEVATE_SPEC, "all", 8)  # valid and invalid requests
CONTROL = _schema(CONTROL_SPEC, "all", 6)


@ELEVATE.parametrize()
def test_elevate_requests_get_the_same_answer(case: Case) -> None:
    _same_answer(case, "differential-elevate")


@CONTROL.parametrize()
def test_control_requests_get_the_same_answer(case: Case) -> None:
    _same_answer(case, "differential-control")


JSON = {"Content-Type": "application/json"}
PROVIDER = b'{"type": "GO_CARDLESS", "name": "Differential", "status": "ACTIVE", "contractOwnerIds": [1]}'
# (method, path, extra headers, body, use the tenant's token)
UNUSUAL: list[tuple[str, str, dict[str, str], bytes | None, bool]] = [
    ("GET", "/v1/payment-providers?page=1&page=2&pageSize=5", {}, None, True),
    ("GET", "/v1/payment-providers?page=abc", {}, None, True),
    ("GET", "/v1/payment-providers?page=0&pageSize=100000&unknown=1", {}, None, True),
    ("GET", "/v1/payment-providers?sort=name&fields=id,name", {}, None, True),
    ("GET", "/v1/invoice-payments?page=2&pageSize=7&sort=-amountInMajorCurrency", {}, None, True),
    ("GET", "/v1/customer-payments/abc", {}, None, True),
    ("GET", "/v1/customer-payments/0", {}, None, True),
    ("GET", "/v1/customer-payments/99999999", {}, None, True),
    ("GET", "/v1/payment-providers/1/", {}, None, True),
    ("GET", "/v1/payment-providers/1%0A", {}, None, True),
    ("GET", "/v1/payment-providers%0A", {}, None, True),
    ("GET", "/v1/no-such-thing", {}, None, True),
    ("DELETE", "/v1/payment-providers", {}, None, True),
    ("HEAD", "/v1/payment-providers", {}, None, True),
    ("OPTIONS", "/v1/payment-providers", {}, None, True),
    ("GET", "/v1/payment-providers", {}, None, False),
    ("GET", "/v1/payment-providers", {"Authorization": "Bearer"}, None, False),
    ("GET", "/v1/payment-providers", {"Authorization": "Basic abc"}, None, False),
    ("GET", "/v1/payment-providers", {"Authorization": "Bearer not.a.jwt"}, None, False),
    ("GET", "/v1/payment-providers", {"Authorization": ""}, None, False),
    ("POST", "/v1/payment-providers", JSON, PROVIDER, True),
    ("POST", "/v1/payment-providers", {"Content-Type": "Application/JSON; charset=utf-8"}, PROVIDER, True),
    ("POST", "/v1/payment-providers", {"Content-Type": "application/json; charset=latin-1"}, PROVIDER, True),
    ("POST", "/v1/payment-providers", {"Content-Type": "text/plain"}, PROVIDER, True),
    ("POST", "/v1/payment-providers", {}, PROVIDER, True),
    ("POST", "/v1/payment-providers", JSON, None, True),
    ("POST", "/v1/payment-providers", JSON, b"", True),
    ("POST", "/v1/payment-providers", JSON, b"   ", True),
    ("POST", "/v1/payment-providers", JSON, b"null", True),
    ("POST", "/v1/payment-providers", JSON, b"[]", True),
    ("POST", "/v1/payment-providers", JSON, b"{", True),
    ("POST", "/v1/payment-providers", JSON, b'{"type": "NOPE"}', True),
    ("POST", "/v1/payment-providers", JSON, b"[" * 40 + b"]" * 40, True),
    ("POST", "/v1/payment-providers", JSON, b'{"a": ' + b"1" * 40 + b"}", True),
    ("POST", "/v1/payment-providers", JSON, b"x" * (2 * 1024 * 1024), True),
    ("POST", "/v1/payment-providers", JSON, PROVIDER, False),
    ("GET", "/v1/payment-providers", {"Content-Type": "application/json"}, b'{"x": 1}', True),
    ("GET", "/v1/payment-providers", {}, b"some bytes", True),
    ("PATCH", "/v1/payment-providers/1", {"Content-Type": "application/json-patch+json"},
     b'[{"op": "replace", "path": "/name", "value": "Renamed"}]', True),
    ("PATCH", "/v1/payment-providers/1", {"Content-Type": "application/json-patch+json"},
     b'[{"op": "replace", "path": "/id", "value": 5}]', True),
    ("PATCH", "/v1/payment-providers/1", JSON, b'[{"op": "replace", "path": "/name", "value": "X"}]', True),
    ("GET", "/v1/payment-providers?" + "a=1&" * 3000, {}, None, True),
    ("GET", "/v1/payment-providers", {f"X-Header-{i}": "v" for i in range(120)}, None, True),
    ("POST", "/_sandbox/tokens", JSON, b'{"tenant": "differential-token"}', False),
    ("POST", "/_sandbox/tokens", {}, None, False),
    ("GET", "/_sandbox/health", {}, None, False),
    ("GET", "/_sandbox/requests?limit=5", {}, None, True),
    ("POST", "/_sandbox/customers", JSON, b'{"name": "Differential Ltd"}', True),
    ("POST", "/_sandbox/clock", JSON, b'{"advanceBy": "P1D"}', True),
    ("GET", "/_sandbox/state", {}, None, True),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "extra", "body", "signed"), UNUSUAL)
def test_unusual_requests_get_the_same_answer(
    method: str, path: str, extra: dict[str, str], body: bytes | None, signed: bool
) -> None:
    headers = {**(_headers("differential-unusual") if signed else {}), **extra}
    answers = []
    for app in (PIPELINE, STOCK):
        with TestClient(app, raise_server_exceptions=False) as client:
            answers.append(_answer(client.request(method, path, headers=headers, content=body)))
    assert answers[0] == answers[1]


def test_each_tenant_ends_in_the_same_state() -> None:
    for tenant in ("differential-elevate", "differential-control", "differential-unusual"):
        states = []
        for app in (PIPELINE, STOCK):
            with TestClient(app) as client:
                states.append(client.get("/_sandbox/state", headers=_headers(tenant)).content)
        assert states[0] == states[1], tenant
