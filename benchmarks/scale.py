"""Scale: the `million` dataset (100,000 customers, about a million invoices, payments and refunds).

    .venv/bin/python -m benchmarks.scale [--dataset million] [--requests 300]

Starts `elevate-sandbox serve --dataset million` on core 0, times it to the first 200, reads its resident
memory, then asks filtered, sorted lists one at a time over one keep-alive connection and prints their
p50/p99 (targets: load under 60 s, under 1.5 GB, lists under 20 ms p50). Needs only Python.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import time
from typing import Any

from benchmarks import servers
from benchmarks.tools import ROOT, machine, memory_mb

LOAD_LIMIT_S = 60.0
RSS_LIMIT_MB = 1536.0
P50_LIMIT_MS = 20.0
OUT = ROOT / "benchmarks" / "results" / "scale.json"
# Customers per dataset, the showcase customer included (fixtures/large.py).
CUSTOMERS = {"million": 100_001, "large": 2_001, "demo": 25}


class Client:
    """One keep-alive connection with the bearer token; times each request."""

    def __init__(self, server: servers.Server) -> None:
        self.server = server
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    def get(self, path: str) -> tuple[float, int, Any]:
        began = time.perf_counter()
        self.connection.request("GET", "/v1" + path, headers={"Authorization": f"Bearer {self.server.token}"})
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - began) * 1000
        return elapsed, response.status, json.loads(body) if body else None


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def _measure(client: Client, paths: list[str]) -> dict[str, Any]:
    for path in paths[:20]:
        client.get(path)  # warm-up: first requests pay for lazy imports and caches
    times, sizes = [], []
    for path in paths:
        elapsed, status, body = client.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body}")
        times.append(elapsed)
        sizes.append(len(body))
    return {**_percentiles(times), "requests": len(paths), "mean_items": round(statistics.mean(sizes), 1)}


def _customers_with_payments(client: Client, customers: int, rng: random.Random) -> list[int]:
    """Customer ids whose customer-payments list is not empty (about one customer in eight)."""
    found = []
    for customer_id in rng.sample(range(1, customers + 1), min(customers, 3000)):
        _, _, body = client.get(f"/customer-payments?customer_id={customer_id}&page=1&pageSize=10")
        if body:
            found.append(customer_id)
    return found


# The records the target counts: "about 1,000,000 payments, invoices and refunds together".
COUNTED = ("invoices", "invoice_payments", "adhoc_invoice_payments", "refunds", "customer_payments")


def record_counts(dataset: str) -> dict[str, int]:
    """The dataset's records per table, built once more here exactly as the server built them (seed 0)."""
    from elevate_sandbox.fixtures import build_dataset
    from elevate_sandbox.settings import Settings
    from elevate_sandbox.store import Store

    state = Store(Settings(dataset=dataset, seed=0), build_dataset).tenant("count").backend.state
    counts = {name: len(getattr(state, name)) for name in ("customers", *COUNTED)}
    counts["payments, invoices and refunds"] = sum(counts[name] for name in COUNTED)
    return counts


def run(dataset: str, requests: int) -> dict[str, Any]:
    token = servers.sandbox_token()
    server = servers.sandbox(dataset, "/payment-providers?page=1&pageSize=1", token)
    server.start(timeout=600)
    try:
        memory = memory_mb(server.pid)
        client = Client(server)
        rng = random.Random(0)
        total = CUSTOMERS.get(dataset, 25)
        payers = _customers_with_payments(client, total, rng) or [1]
        lists = {
            "customer-payments of one customer, sorted by date descending": [
                f"/customer-payments?customer_id={rng.choice(payers)}&page=1&pageSize=100&sort=paymentDate:desc,id"
                for _ in range(requests)
            ],
            "payment-providers with type=in:..., sorted by name": [
                "/payment-providers?type=in:GO_CARDLESS,STRIPE_CARD,FINASTRA&sort=name:desc&page=1&pageSize=100"
            ]
            * requests,
            "refunds of one customer, sorted by amount": [
                f"/refunds?customerId={rng.randint(1, total)}&sort=amountInMajorCurrency:desc&page=1&pageSize=100"
                for _ in range(requests)
            ],
            "invoice-payments, first page of 100 in id order": ["/invoice-payments?page=1&pageSize=100"] * requests,
            "customer balance of one customer": [
                f"/customer-balances?customer_id={rng.randint(1, total)}" for _ in range(requests)
            ],
        }
        measured = {name: _measure(client, paths) for name, paths in lists.items()}
        memory_after = memory_mb(server.pid)
    finally:
        server.stop()
    return {
        "dataset": dataset,
        "records": record_counts(dataset),
        "machine": machine(),
        "load_s": server.startup_s,
        "memory_after_load": memory,
        "memory_after_lists": memory_after,
        "lists": measured,
        "targets": {
            f"loads in under {LOAD_LIMIT_S:.0f} s": server.startup_s is not None and server.startup_s < LOAD_LIMIT_S,
            f"under {RSS_LIMIT_MB / 1024:.1f} GB resident": memory_after["peak_rss_mb"] < RSS_LIMIT_MB,
            f"filtered sorted lists under {P50_LIMIT_MS:.0f} ms p50": all(
                m["p50_ms"] < P50_LIMIT_MS for name, m in measured.items() if "balance" not in name
            ),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="million", help="dataset to load (default million)")
    parser.add_argument("--requests", type=int, default=300, help="requests per list (default 300)")
    args = parser.parse_args(argv)
    results = run(args.dataset, args.requests)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    after_load, after_lists = results["memory_after_load"], results["memory_after_lists"]
    print(
        f"dataset {results['dataset']}: loaded in {results['load_s']} s, RSS {after_load['rss_mb']} MB "
        f"(peak {after_lists['peak_rss_mb']} MB)"
    )
    print("  records: " + ", ".join(f"{count:,} {name}" for name, count in results["records"].items()))
    for name, figures in results["lists"].items():
        print(f"  {name}: p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms ({figures['mean_items']} items)")
    for target, met in results["targets"].items():
        print(f"  {'met' if met else 'NOT MET'}: {target}")
    print(f"written to {OUT}")
    return 0 if all(results["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
