"""One wrk run against one server, pinned to the load core, with the server's CPU time per request."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.servers import Server
from benchmarks.tools import WRK_SCRIPT, cpu_seconds, memory_mb, pinned

LOAD_CORE = 1
THREADS = 2


@dataclass(frozen=True)
class Request:
    """A request measured on both servers: its contract path (without /v1), method and body."""

    name: str
    label: str
    method: str
    path: str
    body: str | None = None
    # Counted in "throughput at least Prism's" and "p99 under 25 ms" (the page of 1000 has its own target).
    compared: bool = True


def run_wrk(server: Server, request: Request, connections: int, seconds: int) -> dict[str, Any]:
    """Load ``server`` with ``request`` for ``seconds``; requests/s, latency percentiles, errors, CPU/request."""
    env = {**os.environ, "BENCH_METHOD": request.method, "BENCH_BODY": request.body or "", "BENCH_TOKEN": server.token}
    command = pinned(
        LOAD_CORE,
        [
            "wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
            "-s", str(WRK_SCRIPT), server.url(request.path),
        ],
    )  # fmt: skip
    cpu_before = cpu_seconds(server.pid)
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 60, check=False)
    cpu_used = cpu_seconds(server.pid) - cpu_before
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {server.url(request.path)}:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("BENCH ") :])
    requests = raw["requests"]
    errors = {key[len("errors_") :]: value for key, value in raw.items() if key.startswith("errors_") and value}
    return {
        "requests_per_s": round(requests / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "requests": requests,
        "bytes_per_response": round(raw["bytes"] / requests) if requests else 0,
        # CPU the server used per request: unlike requests/s, it barely moves when the machine is busy.
        "server_cpu_us_per_request": round(cpu_used * 1e6 / requests) if requests else None,
        "errors": errors,
        "server_memory": memory_mb(server.pid),
    }


SETTLE_S = 2.0


def warm_up(server: Server, request: Request, connections: int) -> None:
    """A pause, then a short unrecorded run: the other server (on the same core) finishes what its own
    run left to do (Node collects its garbage after a load), and first requests fill caches."""
    time.sleep(SETTLE_S)
    run_wrk(server, request, connections, 1)
