"""The sandbox the kit checks when no --base-url is given: a separate process on a free loopback port.

A process of its own rather than a thread: the kit and the sandbox then each have a core, instead of
taking turns on one interpreter lock (the quick profile's time was half waiting for the other side).
"""

from __future__ import annotations

import os
import subprocess
import sys

from elevate_sandbox.readiness import free_port, stop_process, wait_until_healthy

STARTUP_TIMEOUT = 30.0


class LocalSandbox:
    """``elevate-sandbox serve`` with the demo data, started and stopped by the kit.

    Without the sandbox's own response validation: the kit checks every response against the contract
    itself (``response_schema_conformance``), and validating twice cost 1.3 s of the quick profile's CPU.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.port = free_port(host)
        self.base_url = f"http://{host}:{self.port}"
        command = [sys.executable, "-m", "elevate_sandbox", "serve", "--host", host, "--port", str(self.port),
                   "--dataset", "demo", "--no-validate-responses", "--no-access-log"]  # fmt: skip
        # The kit's own choices, whatever SANDBOX_* settings the user's environment holds.
        env = {key: value for key, value in os.environ.items() if not key.startswith("SANDBOX_")}
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(self) -> LocalSandbox:
        """Wait until the health check answers (the start overlaps the kit's own start-up)."""
        if wait_until_healthy(self.base_url, STARTUP_TIMEOUT, self._check_alive):
            return self
        self.stop()
        raise RuntimeError(f"the sandbox did not answer on {self.base_url} within {STARTUP_TIMEOUT:.0f} s")

    def _check_alive(self) -> None:
        if self.process.poll() is not None:
            error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
            raise RuntimeError(f"the sandbox did not start: {error.strip()[-500:]}")

    @staticmethod
    def local_token(tenant: str) -> str:
        """A token for ``tenant``, minted here: the process runs with the default secret (no SANDBOX_* set)."""
        from elevate_sandbox.auth import mint_token
        from elevate_sandbox.clock import SystemClock
        from elevate_sandbox.settings import DEFAULT_JWT_SECRET

        return mint_token(DEFAULT_JWT_SECRET, SystemClock(), tenant)

    def stop(self) -> None:
        stop_process(self.process)
