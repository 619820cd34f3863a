"""Schemathesis in negative mode against both contracts (issue 15): refusals, never a 5xx, and nothing changes.

Every operation of the Elevate API and of the control API gets generated invalid requests (wrong types,
missing fields, values past their bounds, broken formats) through the real app. Whatever the sandbox
answers must not be a server error, and a refusal (4xx) must leave the tenant's whole state as it was.
Bounded for CI: NEGATIVE_EXAMPLES per operation (ELEVATE_NEGATIVE_EXAMPLES raises it, as .ci/security
does), one seed, no example database.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from schemathesis import Case, Config
from starlette.testclient import TestClient

from elevate_sandbox.app import create_app
from elevate_sandbox.auth import mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.runtime import load_spec
from elevate_sandbox.settings import CONTROL_SPEC, ELEVATE_SPEC
from tests.conftest import make_settings

NEGATIVE_EXAMPLES = int(os.environ.get("ELEVATE_NEGATIVE_EXAMPLES", "8"))
TENANT = "negative-fuzz"
APP = create_app(make_settings(dataset="demo"))
TOKEN = mint_token(APP.runtime.settings.jwt_secret, SystemClock(), TENANT)
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def _schema(spec: Any) -> schemathesis.BaseSchema:
    config = Config.from_dict(
        {
            "seed": 15,
            "generation": {"mode": "negative", "max-examples": NEGATIVE_EXAMPLES, "database": "none"},
            "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_dict(load_spec(spec), config=config)
    schema.app = APP
    return schema


ELEVATE = _schema(ELEVATE_SPEC)
CONTROL = _schema(CONTROL_SPEC)


def _state() -> bytes:
    with TestClient(APP) as client:
        response = client.get("/_sandbox/state", headers=HEADERS)
    assert response.status_code == 200
    return response.content


def _refused_without_change(case: Case) -> None:
    before = _state()
    response = case.call(headers=HEADERS)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    )
    if 400 <= response.status_code < 500:
        assert _state() == before, f"{case.method} {case.formatted_path} was refused but changed the state"


@ELEVATE.parametrize()
def test_the_elevate_api_refuses_invalid_requests_without_a_500_or_a_change(case: Case) -> None:
    _refused_without_change(case)


@CONTROL.parametrize()
def test_the_control_api_refuses_invalid_requests_without_a_500_or_a_change(case: Case) -> None:
    _refused_without_change(case)
