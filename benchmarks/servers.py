"""The two servers under test, each started quiet on core 0: the sandbox and Prism in dynamic mode."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks.tools import PRISM_JS, ROOT, memory_mb, pinned, python
from elevate_sandbox.readiness import stop_process

SPEC = ROOT / "openapi" / "elevate-payments.yaml"
SERVER_CORE = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sandbox_token() -> str:
    """A bearer token from the sandbox's own CLI, exactly as a user gets one."""
    done = subprocess.run(
        [python(), "-m", "elevate_sandbox", "token"],
        capture_output=True,
        text=True,
        check=True,
        env=_clean_env(),
        cwd=ROOT,
    )
    return done.stdout.strip()


def _clean_env() -> dict[str, str]:
    # The user's SANDBOX_* settings (a state file, response validation, an access log) must not leak in.
    env = {key: value for key, value in os.environ.items() if not key.startswith("SANDBOX_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Server:
    """One server process: how to start it, where its API is, and what it costs."""

    name: str
    command: list[str]
    prefix: str  # what comes before the contract's paths: "/v1" for the sandbox, "" for Prism
    token: str
    port: int
    probe_path: str
    process: subprocess.Popen[bytes] | None = None
    startup_s: float | None = None
    memory_after_start: dict[str, float] = field(default_factory=dict)

    def start(self, timeout: float = 120.0) -> Server:
        """Start the server and time it until the probe request first answers 200."""
        began = time.perf_counter()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=_clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        while time.perf_counter() - began < timeout:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} while starting:\n{error}")
            if self._answers_200():
                self.startup_s = round(time.perf_counter() - began, 3)
                self.memory_after_start = memory_mb(self.process.pid)
                return self
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer 200 on {self.probe_path} within {timeout} s")

    def _answers_200(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", self.prefix + self.probe_path, headers={"Authorization": f"Bearer {self.token}"})
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}{path}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)

    def reset(self) -> None:
        """Start the sandbox's tenant again from its dataset (POST /_sandbox/reset), so that what a run
        created does not weigh on the next; Prism keeps nothing, so it needs none."""
        if self.prefix != "/v1":
            return
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
            connection.request("POST", "/_sandbox/reset", body="{}", headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{self.name}: reset answered {response.status}")
        finally:
            connection.close()

    def describe(self) -> dict[str, Any]:
        return {"startup_s": self.startup_s, "memory_after_start": self.memory_after_start}


def sandbox(dataset: str, probe_path: str, token: str) -> Server:
    """The sandbox as `elevate-sandbox serve` runs it: one process, request validation on, no access log."""
    port = free_port()
    command = [
        python(), "-m", "elevate_sandbox", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--dataset", dataset, "--seed", "0", "--no-validate-responses", "--no-access-log",
    ]  # fmt: skip
    return Server(f"sandbox ({dataset})", pinned(SERVER_CORE, command), "/v1", token, port, probe_path)


def prism(probe_path: str) -> Server:
    """Prism 5 mocking the same contract in its dynamic mode, logging warnings only."""
    port = free_port()
    command = ["node", str(PRISM_JS), "mock", "-d", "-v", "warn", "-h", "127.0.0.1", "-p", str(port), str(SPEC)]
    # Prism checks that a bearer token is present (401 without), not what it says: any token will do.
    return Server("prism (dynamic)", pinned(SERVER_CORE, command), "", "any-token", port, probe_path)
