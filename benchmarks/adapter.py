"""The request pipeline against plain Connexion, the code before it, and a bare Starlette floor, in one run.

    .venv/bin/python -m benchmarks.adapter                       # pipeline, stock Connexion, floor
    .venv/bin/python -m benchmarks.adapter --before ../old-tree  # and the sandbox of another checkout

Every server is started on core 0 and each round loads each of them in turn with wrk from core 1
(benchmarks/load.py): get by id, create and a list of 100, as in benchmarks/run.py. ``--before`` names a
checkout with its own ``.venv`` (the code before a change) so that before and after are measured in the
same run, on the same machine.
The floor (benchmarks/floor.py) answers the same requests with the same bytes and does nothing else.
Results go to benchmarks/results/adapter.json and adapter.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import servers
from benchmarks.load import Request, run_wrk, warm_up
from benchmarks.run import CREATE, GET, LIST
from benchmarks.tools import ROOT, explain, machine, missing_tools, pinned, python

RESULTS = ROOT / "benchmarks" / "results"
PLAN = (GET, CREATE, LIST)
TARGETS = {"get": 2.0, "create": 2.0, "list": 1.5}  # x the code before (issue 16)
P99_MS = 25.0
FLOOR = "bare Starlette floor"


def _sandbox(name: str, interpreter: str, token: str, *extra: str) -> servers.Server:
    port = servers.free_port()
    command = [
        interpreter, "-m", "elevate_sandbox", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--dataset", "demo", "--seed", "0", "--no-validate-responses", "--no-access-log", *extra,
    ]  # fmt: skip
    return servers.Server(name, pinned(servers.SERVER_CORE, command), "/v1", token, port, LIST.path)


def _answers(server: servers.Server) -> dict[str, list[Any]]:
    """The sandbox's own answer to each request, for the floor to repeat."""
    answers = {}
    for request in PLAN:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
        connection.request(request.method, server.prefix + request.path, body=request.body, headers=headers)
        response = connection.getresponse()
        answers[f"{request.method} {server.prefix}{request.path}"] = [response.status, response.read().decode()]
        connection.close()
    server.reset()
    return answers


def _floor(answers: dict[str, list[Any]], token: str) -> servers.Server:
    port = servers.free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write(json.dumps(answers))
    command = [python(), "-m", "benchmarks.floor", handle.name, str(port)]
    return servers.Server(FLOOR, pinned(servers.SERVER_CORE, command), "/v1", token, port, LIST.path)


def _measure(server: servers.Server, request: Request, connections: int, seconds: int) -> dict[str, Any]:
    warm_up(server, request, connections)
    measured = run_wrk(server, request, connections, seconds)
    if request.method != "GET" and server.name != FLOOR:
        server.reset()  # the floor keeps nothing
    return measured


def _median(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return sorted(runs, key=lambda run: run[key])[len(runs) // 2]


def run(before: Path | None, connections: int, seconds: int, rounds: int) -> dict[str, Any]:
    """Every server is started first; then each round loads each server in turn with each request, so
    that a change in the machine's state between rounds (this is a shared cloud machine: rounds of one
    server differed by up to a third) falls on all of them alike. The ratio to the code before is the
    median of the ratios within a round."""
    token = servers.sandbox_token()
    plan: list[tuple[str, servers.Server]] = [
        ("pipeline", _sandbox("sandbox (pipeline)", python(), token)),
        ("stock", _sandbox("sandbox (--stock-connexion)", python(), token, "--stock-connexion")),
    ]
    if before is not None:
        plan.append(("before", _sandbox(f"sandbox before ({before.name})", str(before / ".venv/bin/python"), token)))
    results: dict[str, Any] = {"machine": machine(), "servers": {}, "requests": {}}
    started: list[tuple[str, servers.Server]] = []
    try:
        for key, server in plan:
            print(f"starting {server.name} ...", flush=True)
            started.append((key, server.start()))
            results["servers"][key] = {"name": server.name, "startup_s": server.startup_s}
        floor = _floor(_answers(plan[0][1]), token)
        print(f"starting {floor.name} ...", flush=True)
        started.append(("floor", floor.start()))
        results["servers"]["floor"] = {"name": floor.name, "startup_s": floor.startup_s}
        runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for number in range(1, rounds + 1):
            for request in PLAN:
                print(f"round {number}/{rounds}: {request.label} ...", flush=True)
                for key, server in started:
                    measured = _measure(server, request, connections, seconds)
                    runs.setdefault(request.name, {}).setdefault(key, []).append(measured)
    finally:
        for _, server in started:
            server.stop()
    for name, by_key in runs.items():
        results["requests"][name] = {key: _median(listed, "requests_per_s") for key, listed in by_key.items()}
        for key, listed in by_key.items():
            results["requests"][name][key]["rounds_requests_per_s"] = [run["requests_per_s"] for run in listed]
        if "before" in by_key:
            paired = [
                p["requests_per_s"] / max(b["requests_per_s"], 0.1)
                for p, b in zip(by_key["pipeline"], by_key["before"], strict=True)
            ]
            results["requests"][name]["pipeline"]["over_before_by_round"] = [round(x, 2) for x in paired]
            results["requests"][name]["pipeline"]["over_before"] = round(sorted(paired)[len(paired) // 2], 2)
    results["settings"] = {"connections": connections, "duration_s": seconds, "rounds": rounds}
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return results


def markdown(results: dict[str, Any]) -> str:
    keys = [key for key in ("before", "stock", "pipeline", "floor") if key in results["servers"]]
    lines = [
        "# The request pipeline, plain Connexion and the floor",
        "",
        f"Run {results['date']}; load average after: {results['load_average_after']}. "
        f"wrk -c{results['settings']['connections']} -d{results['settings']['duration_s']}s, median of "
        f"{results['settings']['rounds']} rounds; server on core 0, wrk on core 1.",
        "",
        "| request | " + " | ".join(f"{results['servers'][k]['name']} req/s (p99 ms, CPU us/req)" for k in keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for name, by_key in results["requests"].items():
        cells = [
            f"{by_key[k]['requests_per_s']:,.0f} ({by_key[k]['p99_ms']}, {by_key[k]['server_cpu_us_per_request']})"
            for k in keys
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target in targets(results):
        lines.append(f"| {target['target']} | {target['measured']} | {'yes' if target['met'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for name, by_key in results["requests"].items():
        pipeline = by_key["pipeline"]
        if "before" in by_key and name in TARGETS:
            ratio = pipeline["over_before"]
            found.append({
                "target": f"{name}: at least {TARGETS[name]}x the code before (median of the rounds' ratios)",
                "measured": f"x{ratio:.2f} (rounds: {', '.join(f'x{x}' for x in pipeline['over_before_by_round'])})",
                "met": ratio >= TARGETS[name],
            })  # fmt: skip
        found.append({
            "target": f"{name}: p99 under {P99_MS:g} ms at {results['settings']['connections']} connections",
            "measured": f"{pipeline['p99_ms']} ms", "met": pipeline["p99_ms"] < P99_MS,
        })  # fmt: skip
        if "stock" in by_key:
            ratio = pipeline["requests_per_s"] / max(by_key["stock"]["requests_per_s"], 0.1)
            found.append({"target": f"{name}: pipeline over stock Connexion", "measured": f"x{ratio:.2f}", "met": True})
        if "floor" in by_key:
            share = pipeline["requests_per_s"] / max(by_key["floor"]["requests_per_s"], 0.1)
            found.append(
                {"target": f"{name}: pipeline as a share of the floor", "measured": f"{share:.0%}", "met": True}
            )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.adapter", description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout (with its .venv) holding the code before the change")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=5, help="seconds per run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (each loads every server with every request)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    missing = missing_tools(with_prism=False)
    if missing:
        print(explain(missing), file=sys.stderr)
        return 2
    results = run(args.before, args.connections, args.duration, max(1, args.rounds))
    results["targets"] = targets(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "adapter.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "adapter.md").write_text(markdown(results))
    print(markdown(results))
    return 0 if all(t["met"] for t in results["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
