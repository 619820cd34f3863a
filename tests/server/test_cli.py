"""The command line as a user runs it: tokens, settings from the environment, and `serve` itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import jwt
import pytest

from elevate_sandbox.cli import main
from elevate_sandbox.live import free_port
from elevate_sandbox.settings import DEFAULT_JWT_SECRET, Settings, settings_from_env


def test_token_prints_one_line_with_the_tenant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--tenant", "acme-ci", "--expires-in", "120"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    claims = jwt.decode(out.strip(), DEFAULT_JWT_SECRET, algorithms=["HS256"])
    assert claims["tenant"] == "acme-ci" and claims["exp"] - claims["iat"] == 120


def test_a_bad_tenant_name_is_a_clear_error() -> None:
    with pytest.raises(SystemExit, match="tenant"):
        main(["token", "--tenant", "no spaces please"])


def test_every_setting_reads_from_the_environment() -> None:
    settings = settings_from_env(
        {
            "SANDBOX_PORT": "9090",
            "SANDBOX_SEED": "5",
            "SANDBOX_DATASET": "empty",
            "SANDBOX_VALIDATE_RESPONSES": "true",
            "SANDBOX_HOST": "0.0.0.0",
            "SANDBOX_JWT_SECRET": "s3cret",
        }
    )
    assert (settings.port, settings.seed, settings.dataset, settings.validate_responses) == (9090, 5, "empty", True)
    assert settings.base_url == "http://127.0.0.1:9090" and settings.jwt_secret == "s3cret"


def test_a_malformed_environment_value_is_named() -> None:
    with pytest.raises(ValueError, match="SANDBOX_PORT"):
        settings_from_env({"SANDBOX_PORT": "eighty"})


def test_serve_starts_says_where_and_answers() -> None:
    port = free_port()
    env = {**os.environ, "SANDBOX_PORT": str(port), "SANDBOX_SEED": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "elevate_sandbox", "serve", "--dataset", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/v1" in line and "seed 3" in line and "'demo'" in line
        deadline = time.monotonic() + 10
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sandbox did not answer"
                time.sleep(0.1)
        assert health == {"status": "ok", "version": health["version"], "seed": 3, "dataset": "demo", "tenants": 1}
        token = subprocess.run(
            [sys.executable, "-m", "elevate_sandbox", "token"], capture_output=True, text=True, check=True
        ).stdout.strip()
        providers = httpx.get(
            f"http://127.0.0.1:{port}/v1/payment-providers",
            params={"page": 1, "pageSize": 5},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert providers.status_code == 200 and providers.json()
        assert httpx.get(f"http://127.0.0.1:{port}/v1/ui/").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_refuses_an_unknown_dataset() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "elevate_sandbox", "serve", "--dataset", "nope", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0 and "unknown dataset 'nope'" in result.stderr


def test_access_log_turns_on_uvicorns_request_lines() -> None:
    """uvicorn logs each request at INFO: with --access-log the level must let them through."""
    import logging

    from elevate_sandbox.serving import config

    config(None, Settings(access_log=True))
    assert logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO)
    config(None, Settings(access_log=False))
    assert not logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO)
