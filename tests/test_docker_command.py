"""The image's command, run here: no Docker engine runs in CI, so the test reads the Dockerfile's ENV, CMD
and HEALTHCHECK, starts that exact command with those variables (on a free port), and runs the health check."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from elevate_sandbox.live import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def _one(keyword: str) -> str:
    found = [rest for key, rest in _instructions() if key == keyword]
    assert len(found) == 1, f"expected one {keyword} in the Dockerfile, found {len(found)}"
    return found[0]


def _environment() -> dict[str, str]:
    values: dict[str, str] = {}
    for key, rest in _instructions():
        if key == "ENV":
            values.update(item.split("=", 1) for item in shlex.split(rest))
    return values


def _healthcheck_command() -> str:
    rest = _one("HEALTHCHECK")
    _options, _, command = rest.partition(" CMD ")
    assert command, "HEALTHCHECK must run a command"
    return command.strip()


def _run_env(port: int) -> dict[str, str]:
    # The image's PATH has the installed console script and python first; here the virtualenv's bin does.
    env = {key: value for key, value in os.environ.items() if not key.startswith("SANDBOX_")}
    env.update(_environment())
    env["SANDBOX_PORT"] = str(port)
    # The image listens on 0.0.0.0, which refuses the public default secret (docs/security.md): a deployment
    # passes its own, as `docker run -e SANDBOX_JWT_SECRET=...` or compose.yaml's environment would.
    env["SANDBOX_JWT_SECRET"] = "a-secret-of-this-deployment-0123456789"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _healthy(env: dict[str, str]) -> bool:
    done = subprocess.run(["sh", "-c", _healthcheck_command()], env=env, capture_output=True, timeout=30, check=False)
    return done.returncode == 0


def test_the_image_is_slim_unprivileged_and_documents_its_port() -> None:
    assert re.fullmatch(r"python:3\.\d+-slim(-\w+)?", _one("FROM").split()[0])
    user = [rest for key, rest in _instructions() if key == "USER"][-1]
    assert user not in ("root", "0")
    assert _one("EXPOSE") == "8080"
    assert "/_sandbox/health" in _healthcheck_command()
    assert all(name.startswith(("SANDBOX_", "PYTHON", "PIP_")) for name in _environment())


def test_the_image_command_serves_and_passes_its_health_check() -> None:
    command = json.loads(_one("CMD"))
    port = free_port()
    env = _run_env(port)
    assert not _healthy(env), "the health check must fail while nothing listens"
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(env):
            if server.poll() is not None:
                pytest.fail(f"{command} exited with {server.returncode}: {server.stdout.read().decode()}")
            assert time.monotonic() < deadline, "the health check did not pass within 60 s"
            time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert f":{port}/v1" in output  # the one line saying where it listens
