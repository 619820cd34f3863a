"""The sandbox against Stoplight Prism 5 (dynamic mode), under wrk, on loopback, in one run.

    .venv/bin/python -m benchmarks.run                  # about 8 minutes: 3 rounds, 10 s per request and server
    .venv/bin/python -m benchmarks.run --duration 3     # a quicker, noisier look
    .venv/bin/python -m benchmarks.run --no-prism       # the sandbox alone (no Node needed)

It installs nothing: it checks for wrk, taskset, Node and the pinned Prism and says how to get them.
Results go to benchmarks/results/latest.json and latest.md. Compare ratios from one run, not
absolute figures from different runs: other work on the machine moves requests/s, less so CPU/request.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import report, servers
from benchmarks.load import LOAD_CORE, Request, run_wrk, warm_up
from benchmarks.tools import ROOT, explain, machine, memory_mb, missing_tools

RESULTS = ROOT / "benchmarks" / "results"
STARTED_SETTLE_S = 5.0
CREATE_BODY = json.dumps(
    {"type": "GO_CARDLESS", "name": "Benchmark provider", "status": "ACTIVE", "contractOwnerIds": [1]}
)
# The demo dataset has 320 invoice payments: its first page of 100 really has 100 items.
LIST = Request("list", "list of 100 (invoice-payments, pageSize=100)", "GET", "/invoice-payments?page=1&pageSize=100")
PROVIDERS = Request(
    "providers", "list of providers (6 in demo)", "GET", "/payment-providers?page=1&pageSize=100", compared=False
)
# Prism answers GET /payment-providers/{id} with a 500 in dynamic mode (its faker cannot resolve the
# schema's allOf); an outbound payment is a get by id both servers can answer.
GET = Request("get", "get by id (outbound-payments/1)", "GET", "/outbound-payments/1")
CREATE = Request("create", "create (POST payment-providers)", "POST", "/payment-providers", CREATE_BODY)
# Served from the `large` dataset (about 26,000 invoice payments), so that the page really has 1000 items.
PAGE_1000 = Request(
    "page1000", "page of 1000 (invoice-payments, large)", "GET", "/invoice-payments?page=1&pageSize=1000", None, False
)
NOTES = [
    "Prism in dynamic mode invents each response from the schema: its lists have 0 to about 5 items whatever "
    "pageSize asks (see the bytes column), so a list costs it less than the sandbox's real page of 100 or 1000.",
    "Prism checks that a bearer token is present (401 without one) but not what it says; both get the same header.",
    "Creates run last in each round; the sandbox's tenant is reset after them, so every round's lists see the "
    "same dataset.",
    "CPU us/req is the server's own CPU time (from /proc) divided by the requests it answered.",
]


def _compare(
    requests: list[tuple[Request, servers.Server]],
    prism: servers.Server | None,
    connections: int,
    seconds: int,
    rounds: int,
) -> list[dict[str, Any]]:
    """Each request on the sandbox, then at once on Prism, so that both see the same machine; all the
    requests once per round, so that a noisy stretch of the machine's time touches one round, not one
    request's every run."""
    names = [request.name for request, _ in requests]
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {name: {"sandbox": [], "prism": []} for name in names}
    for number in range(1, rounds + 1):
        for request, sandbox in requests:
            print(f"  round {number}/{rounds}: {request.label} ...", flush=True)
            warm_up(sandbox, request, connections)
            runs[request.name]["sandbox"].append(run_wrk(sandbox, request, connections, seconds))
            if request.method != "GET":
                sandbox.reset()  # the next round's lists see the dataset, not the last round's creates
            if prism is not None:
                warm_up(prism, request, connections)
                runs[request.name]["prism"].append(run_wrk(prism, request, connections, seconds))
    rows = []
    for request, _ in requests:
        row: dict[str, Any] = {"name": request.name, "label": request.label, "compared": request.compared}
        row["sandbox"] = _median_run(runs[request.name]["sandbox"])
        if prism is not None:
            row["prism"] = _median_run(runs[request.name]["prism"])
            ratios = sorted(
                s["requests_per_s"] / max(p["requests_per_s"], 0.1)
                for s, p in zip(runs[request.name]["sandbox"], runs[request.name]["prism"], strict=True)
            )
            row["ratio"] = round(ratios[len(ratios) // 2], 2)  # the median of the rounds' own ratios
        rows.append(row)
    return rows


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The round whose requests/s is the median: its p50, p99 and CPU are reported together, as measured.
    Every round's figures stay in ``rounds``."""
    ordered = sorted(runs, key=lambda run: run["requests_per_s"])
    keys = ("requests_per_s", "p50_ms", "p99_ms", "server_cpu_us_per_request")
    return {**ordered[len(ordered) // 2], "rounds": [{key: run[key] for key in keys} for run in runs]}


def _startup_s(token: str, first: float, times: int) -> dict[str, Any]:
    """The demo sandbox's start-up to its first 200: the ``first`` measured, and more up to ``times``;
    the median counts."""
    measured = [first]
    for _ in range(times - 1):
        server = servers.sandbox("demo", LIST.path, token).start()
        measured.append(server.startup_s)
        server.stop()
    return {"startup_s": sorted(measured)[len(measured) // 2], "startups_s": measured}


def run(connections: int, seconds: int, with_prism: bool, rounds: int) -> dict[str, Any]:
    """Start the servers one at a time (start-up is timed alone), then load them request by request."""
    before = machine()
    token = servers.sandbox_token()
    started: list[servers.Server] = []
    try:
        print("starting the sandbox (demo), the sandbox (large) and Prism, one at a time ...", flush=True)
        demo = servers.sandbox("demo", LIST.path, token).start()
        started.append(demo)
        large = servers.sandbox("large", PAGE_1000.path, token).start()
        started.append(large)
        prism = servers.prism(LIST.path).start() if with_prism else None
        if prism is not None:
            started.append(prism)
            time.sleep(STARTED_SETTLE_S)  # Node keeps the core busy for a while after its first answer
        plan = [(LIST, demo), (PROVIDERS, demo), (GET, demo), (PAGE_1000, large), (CREATE, demo)]
        rows = _compare(plan, prism, connections, seconds, rounds)
        names = {"sandbox-demo": demo, "sandbox-large": large, **({"prism": prism} if prism else {})}
        described = {}
        for name, server in names.items():
            described[name] = {**server.describe(), "memory_after_load": memory_mb(server.pid)}
    finally:
        for server in started:
            server.stop()
    # Timed alone, with nothing else running, like the first start above.
    described["sandbox-demo"].update(_startup_s(token, described["sandbox-demo"]["startup_s"], rounds))
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {**before, "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "settings": {
            "connections": connections, "threads": 2, "duration_s": seconds, "rounds": rounds,
            "server_core": servers.SERVER_CORE, "load_core": LOAD_CORE,
        },
        "servers": described,
        "requests": rows,
        "notes": NOTES,
    }  # fmt: skip
    results["targets"] = report.targets(results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=32, help="open connections (default 32)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every request; the median counts (default 3)")
    parser.add_argument("--no-prism", action="store_true", help="measure the sandbox only")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for latest.json and latest.md")
    args = parser.parse_args(argv)
    missing = missing_tools(with_prism=not args.no_prism)
    if missing:
        print(explain(missing), file=sys.stderr)
        return 2
    began = time.monotonic()
    results = run(args.connections, args.duration, with_prism=not args.no_prism, rounds=max(1, args.rounds))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "latest.md").write_text(report.markdown(results))
    print(report.markdown(results))
    print(f"written to {args.out}/latest.json and latest.md in {time.monotonic() - began:.0f} s")
    return 0 if all(t["met"] for t in results["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
