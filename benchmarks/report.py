"""The targets of issue 6, checked against one run's figures, and the Markdown table of that run."""

from __future__ import annotations

from typing import Any

P99_LIMIT_MS = 25.0
PAGE_1000_MIN_RPS = 1500.0
STARTUP_LIMIT_S = 1.5


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met."""
    checks = []
    for row in results["requests"]:
        sandbox, prism = row["sandbox"], row.get("prism")
        if row["compared"] and prism is not None:
            checks.append(
                {
                    "target": f"{row['label']}: throughput at least Prism's",
                    "value": f"{sandbox['requests_per_s']:,.0f} vs {prism['requests_per_s']:,.0f} req/s",
                    "met": sandbox["requests_per_s"] >= prism["requests_per_s"],
                }
            )
        if row["compared"]:
            checks.append(
                {
                    "target": f"{row['label']}: p99 under {P99_LIMIT_MS:.0f} ms at {results['settings']['connections']}"
                    " connections",
                    "value": f"{sandbox['p99_ms']} ms",
                    "met": sandbox["p99_ms"] < P99_LIMIT_MS,
                }
            )
        if row["name"] == "page1000":
            checks.append(
                {
                    "target": f"1000-item page at {PAGE_1000_MIN_RPS:,.0f} req/s or more",
                    "value": f"{sandbox['requests_per_s']:,.0f} req/s",
                    "met": sandbox["requests_per_s"] >= PAGE_1000_MIN_RPS,
                }
            )
    startup = results["servers"]["sandbox-demo"]["startup_s"]
    checks.append(
        {
            "target": f"start-up under {STARTUP_LIMIT_S} s with the demo dataset",
            "value": f"{startup} s",
            "met": startup < STARTUP_LIMIT_S,
        }
    )
    return checks


def _cell(side: dict[str, Any] | None, key: str, fmt: str) -> str:
    return "-" if side is None else format(side[key], fmt)


def _loads(machine: dict[str, Any], key: str) -> str:
    return ", ".join(map(str, machine.get(key, [])))


def markdown(results: dict[str, Any]) -> str:
    """The run as a Markdown page: machine, settings, one row per request, servers, targets."""
    machine, settings = results["machine"], results["settings"]
    lines = [
        "# Benchmark: the sandbox against Prism",
        "",
        f"Run {results['date']} on {machine['nproc']} cores ({machine['cpu']}, {machine['memory_gb']} GB), "
        f"Python {machine['python']}, Node {machine['node']}, Prism {machine['prism']}, {machine['wrk']}. "
        f"Load average (1, 5, 15 min) before the run: {_loads(machine, 'load_average_before')}, after: "
        f"{_loads(machine, 'load_average_after')}.",
        "",
        f"`wrk -t2 -c{settings['connections']} -d{settings['duration_s']}s --latency` pinned to core "
        f"{settings['load_core']}, each server pinned to core {settings['server_core']}, loopback, both quiet "
        "(sandbox: no access log, request validation on, response validation off; Prism: `mock -d -v warn`). "
        "The sandbox serves the `demo` dataset, and `large` for the 1000-item page.",
        "",
        "| request | sandbox req/s | p50 ms | p99 ms | CPU us/req | bytes | Prism req/s | p50 ms | p99 ms "
        "| CPU us/req | bytes | sandbox/Prism |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["requests"]:
        s, p = row["sandbox"], row.get("prism")
        ratio = f"x{row['ratio']:.2f}" if row.get("ratio") else "-"
        lines.append(
            f"| {row['label']} | {s['requests_per_s']:,.0f} | {s['p50_ms']} | {s['p99_ms']} | "
            f"{s['server_cpu_us_per_request']} | {s['bytes_per_response']:,} | {_cell(p, 'requests_per_s', ',.0f')} | "
            f"{_cell(p, 'p50_ms', '')} | {_cell(p, 'p99_ms', '')} | {_cell(p, 'server_cpu_us_per_request', '')} | "
            f"{_cell(p, 'bytes_per_response', ',')} | {ratio} |"
        )
    errors = [
        f"{row['label']} ({side}): {row[side]['errors']}"
        for row in results["requests"]
        for side in ("sandbox", "prism")
        if row.get(side) and row[side]["errors"]
    ]
    if errors:
        lines += ["", "Errors (non-2xx, timeouts): " + "; ".join(errors)]
    lines += ["", "| server | start-up to first 200 | RSS after start | RSS peak |", "|---|---|---|---|"]
    for name, server in results["servers"].items():
        memory = server.get("memory_after_load") or server["memory_after_start"]
        lines.append(
            f"| {name} | {server['startup_s']} s | {server['memory_after_start']['rss_mb']} MB | "
            f"{memory['peak_rss_mb']} MB |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['value']} | {'yes' if t['met'] else 'NO'} |" for t in results["targets"]]
    lines += ["", *[f"- {note}" for note in results["notes"]], ""]
    return "\n".join(lines)
