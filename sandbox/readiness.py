"""Starting a sandbox server and knowing when it answers: shared by the live server, the kit and benchmarks.

Nothing here imports the app, so the kit can start a sandbox in its own process without paying for it.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(base_url: str, timeout: float, check_alive: Callable[[], None] = lambda: None) -> bool:
    """Poll ``GET /_sandbox/health`` until it answers 200 (True) or ``timeout`` seconds pass (False).

    ``check_alive`` runs before each poll and raises when the server died, so a failed start ends at once.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check_alive()
        try:
            if httpx.get(f"{base_url}/_sandbox/health", timeout=1.0).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return False


def stop_process(process: subprocess.Popen) -> None:
    """Ask a server process to stop, and kill it if it has not within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
