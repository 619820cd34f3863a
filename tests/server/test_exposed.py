"""An exposed sandbox (issue 15, failure 6): safe by default beyond loopback, as friendly as ever on it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import httpx
import jwt
import pytest
from starlette.testclient import TestClient

from elevate_sandbox.api.admin import ADMIN_HEADER, GUEST_PREFIX
from elevate_sandbox.app import create_app
from elevate_sandbox.auth import check_tenant_name
from elevate_sandbox.cli import exposure_refusal, main, start_line
from elevate_sandbox.domain import errors
from elevate_sandbox.settings import DEFAULT_JWT_SECRET, Settings, is_loopback
from tests.conftest import make_settings, served_process

SECRET = "a-secret-of-this-deployment-0123456789"
ADMIN_KEY = "an-admin-key-0123456789"


@pytest.fixture(scope="module")
def exposed() -> Any:
    app = create_app(make_settings(host="0.0.0.0", jwt_secret=SECRET, admin_key=ADMIN_KEY))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def exposed_without_key() -> Any:
    app = create_app(make_settings(host="192.0.2.10", jwt_secret=SECRET))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _refused(response: Any) -> dict:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == errors.ADMIN_KEY_REQUIRED
    return body


def _auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.10", False),
        ("sandbox.example.com", False),
    ],
)
def test_what_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert Settings(host=host).exposed is not loopback


def test_a_token_without_a_tenant_is_for_a_fresh_unguessable_tenant(exposed: Any) -> None:
    first = exposed.post("/_sandbox/tokens", json={}).json()
    second = exposed.post("/_sandbox/tokens", json={}).json()
    assert first["tenant"] != second["tenant"]
    for minted in (first, second):
        assert minted["tenant"].startswith(GUEST_PREFIX) and len(minted["tenant"]) >= len(GUEST_PREFIX) + 24
        check_tenant_name(minted["tenant"])
        assert jwt.decode(minted["token"], SECRET, algorithms=["HS256"])["tenant"] == minted["tenant"]
    state = exposed.get("/_sandbox/clock", headers=_auth(first["token"]))
    assert state.status_code == 200


@pytest.mark.parametrize("key", [None, "", "wrong-key-0123456789", ADMIN_KEY + "x"])
def test_a_named_tenant_needs_the_admin_key(exposed: Any, key: str | None) -> None:
    headers = {} if key is None else {ADMIN_HEADER: key}
    _refused(exposed.post("/_sandbox/tokens", json={"tenant": "default"}, headers=headers))


def test_the_admin_key_mints_a_named_tenant(exposed: Any) -> None:
    response = exposed.post("/_sandbox/tokens", json={"tenant": "alice"}, headers={ADMIN_HEADER: ADMIN_KEY})
    assert response.status_code == 201, response.text
    assert response.json()["tenant"] == "alice"


def test_without_an_admin_key_configured_no_named_tenant_is_minted(exposed_without_key: Any) -> None:
    body = _refused(exposed_without_key.post("/_sandbox/tokens", json={"tenant": "default"}))
    assert "SANDBOX_ADMIN_KEY" in body["message"]
    assert exposed_without_key.post("/_sandbox/tokens", json={}).status_code == 201


def test_tokens_signed_with_the_public_default_secret_are_refused(exposed: Any) -> None:
    forged = jwt.encode({"tenant": "default", "exp": 4102444800}, DEFAULT_JWT_SECRET, algorithm="HS256")
    response = exposed.get("/_sandbox/clock", headers=_auth(forged))
    assert response.status_code == 401


def test_importing_state_needs_the_admin_key_and_a_refusal_changes_nothing(exposed: Any) -> None:
    token = exposed.post("/_sandbox/tokens", json={}).json()["token"]
    exposed.post("/_sandbox/customers", json={"name": "Mine Ltd"}, headers=_auth(token))
    # The whole state (format 1), so that no tables and no sequences is a valid, empty state.
    before = exposed.get("/_sandbox/state", params={"full": "true"}, headers=_auth(token)).json()
    emptied = {**before, "tables": {}, "sequences": {}}
    _refused(exposed.put("/_sandbox/state", json=emptied, headers=_auth(token)))
    assert exposed.get("/_sandbox/state", params={"full": "true"}, headers=_auth(token)).json() == before
    allowed = exposed.put("/_sandbox/state", json=emptied, headers=_auth(token, **{ADMIN_HEADER: ADMIN_KEY}))
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize("dataset", ["large", "million"])
def test_large_datasets_need_the_admin_key(exposed: Any, dataset: str) -> None:
    token = exposed.post("/_sandbox/tokens", json={}).json()["token"]
    _refused(exposed.post("/_sandbox/reset", json={"dataset": dataset}, headers=_auth(token)))
    assert exposed.post("/_sandbox/reset", json={"dataset": "empty"}, headers=_auth(token)).status_code == 200


def test_on_loopback_everything_stays_friendly(http: Any) -> None:
    named = http.post("/_sandbox/tokens", json={"tenant": "bob"})
    assert named.status_code == 201 and named.json()["tenant"] == "bob"
    assert http.post("/_sandbox/tokens", json={}).json()["tenant"] == "default"


# --- starting ------------------------------------------------------------------------------------------


def test_an_exposed_start_with_the_default_secret_is_refused() -> None:
    refusal = exposure_refusal(Settings(host="0.0.0.0"))
    assert refusal and "default secret" in refusal and "--insecure" in refusal
    assert exposure_refusal(Settings(host="0.0.0.0", insecure=True)) is None
    assert exposure_refusal(Settings(host="0.0.0.0", jwt_secret=SECRET)) is None
    assert exposure_refusal(Settings(host="127.0.0.1")) is None
    assert "at least" in (exposure_refusal(Settings(jwt_secret=SECRET, admin_key="short")) or "")


def test_serve_refuses_to_listen_beyond_loopback_with_the_default_secret() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SANDBOX_")}
    result = subprocess.run(
        [sys.executable, "-m", "elevate_sandbox", "serve", "--host", "0.0.0.0", "--port", "0", "--dataset", "empty"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode != 0
    assert "public default secret" in result.stderr and "--insecure" in result.stderr
    assert "listening" not in result.stdout


def test_main_refuses_before_anything_is_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANDBOX_JWT_SECRET", raising=False)
    with pytest.raises(SystemExit, match="public default secret"):
        main(["serve", "--host", "0.0.0.0", "--port", "0"])


def test_the_start_line_prints_the_bound_address_and_the_exposure() -> None:
    insecure = start_line(Settings(host="0.0.0.0", port=8080, insecure=True), "http://0.0.0.0:8080")
    assert "listening on http://0.0.0.0:8080/v1" in insecure
    assert "links use http://127.0.0.1:8080" in insecure and "PUBLIC DEFAULT SECRET" in insecure
    secured = start_line(Settings(host="::", port=80, jwt_secret=SECRET), "http://[::]:80")
    assert "listening on http://[::]:80/v1" in secured and "no admin key" in secured
    assert "exposed" not in start_line(Settings(port=9000), "http://127.0.0.1:9000")


def test_serve_on_port_0_prints_the_port_it_got() -> None:
    with served_process() as line:
        port = int(re.search(r"listening on http://127\.0\.0\.1:(\d+)/v1", line).group(1))  # type: ignore[union-attr]
        assert port != 0
        assert httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=5).status_code == 200
