"""The request journal's cost per request, measured through the app itself (raw ASGI, no network).

    .venv/bin/python -m benchmarks.journal [--requests 3000] [--rounds 5]

The same app is built twice, with the journal on (the default size) and off (``journal_size=0``); each
request of the three kinds the throughput benchmark times (get by id, list of 100, create) is sent
straight to the ASGI app, rounds alternating between the two apps so that both see the same machine,
with the garbage collector set as `elevate-sandbox serve` sets it. CPU time is measured, not wall time.
Printed per kind: microseconds a request with the journal off and on, and what the journal adds. A
whole request varies by more than the journal costs on a busy machine, so the journal's middleware is
also timed alone, around an app that answers at once with a get's and a list's bytes (alternating
rounds with and without it; the median of the rounds' differences). Also printed: what reading a full
page of the journal (GET /_sandbox/requests, 50 entries) costs, since that is where entries are built.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from typing import Any

import orjson

from elevate_sandbox import collector
from elevate_sandbox.api.recording import JournalMiddleware
from elevate_sandbox.app import create_app
from elevate_sandbox.auth import mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.settings import Settings

FROZEN = "2026-12-01T09:00:00Z"
CREATE_BODY = orjson.dumps(
    {"type": "GO_CARDLESS", "name": "Benchmark provider", "status": "ACTIVE", "contractOwnerIds": [1]}
)
KINDS = {
    "get": ("GET", "/v1/outbound-payments/1", b"", b""),
    "list": ("GET", "/v1/invoice-payments", b"page=1&pageSize=100", b""),
    "create": ("POST", "/v1/payment-providers", b"", CREATE_BODY),
}


class Client:
    """Sends requests straight to one ASGI app, as uvicorn would, and checks each answer's status."""

    def __init__(self, journal_size: int) -> None:
        settings = Settings(dataset="demo", freeze_time=FROZEN, journal_size=journal_size, validate_responses=False)
        self.app = create_app(settings)
        token = mint_token(settings.jwt_secret, SystemClock(), "bench")
        self.headers = [
            (b"host", b"127.0.0.1:8000"),
            (b"user-agent", b"benchmarks.journal"),
            (b"accept", b"*/*"),
            (b"authorization", f"Bearer {token}".encode()),
        ]

    async def send(self, method: str, path: str, query: bytes, body: bytes) -> int:
        headers = self.headers + ([(b"content-type", b"application/json")] if body else [])
        if body:
            headers.append((b"content-length", str(len(body)).encode()))
        scope: dict[str, Any] = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "",
            "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
            "extensions": {}, "state": {},
        }  # fmt: skip
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def reply(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(scope, receive, reply)
        return status

    async def timed(self, kind: str, count: int) -> float:
        """Microseconds of CPU one request of ``kind`` took, on average over ``count``."""
        method, path, query, body = KINDS[kind]
        began = time.process_time()  # CPU time: what other load on the machine inflates least
        for _ in range(count):
            status = await self.send(method, path, query, body)
            if status >= 300:
                raise SystemExit(f"{method} {path} answered {status}")
        return (time.process_time() - began) * 1e6 / count


async def measure(requests: int, rounds: int) -> dict[str, Any]:
    clients = {"off": Client(0), "on": Client(Settings().journal_size)}
    for client in clients.values():
        for kind in KINDS:
            await client.timed(kind, 200)  # warm: the base built, every operation's first call made
    # The collector's policy of `elevate-sandbox serve`: what start-up built is out of its full passes.
    collector.settle()
    collector.keep_full_collections_short()
    figures: dict[str, dict[str, list[float]]] = {kind: {"off": [], "on": []} for kind in KINDS}
    for _ in range(rounds):
        for kind in KINDS:
            for label, client in clients.items():
                gc.collect()
                figures[kind][label].append(await client.timed(kind, requests))
    results: dict[str, Any] = {}
    for kind, runs in figures.items():
        off, on = statistics.median(runs["off"]), statistics.median(runs["on"])
        results[kind] = {"off_us": off, "on_us": on, "journal_us": on - off, "journal_share": (on - off) / off}
    results["read_50_us"] = await _read_cost(clients["on"])
    results["alone_us"] = await middleware_alone(clients["on"], requests, rounds * 3)
    return results


async def middleware_alone(client: Client, requests: int, rounds: int) -> dict[str, float]:
    """Microseconds of CPU the journal's middleware adds to a request answered at once, by response size."""
    costs = {}
    for label, size in (("get", 1_000), ("list", 30_000)):
        bare = _answering(b"x" * size)
        journaled = JournalMiddleware(bare, client.app.runtime.store, client.app.runtime.settings.jwt_secret)
        differences = []
        for _ in range(rounds):
            gc.collect()
            without = await _time_app(bare, client.headers, requests)
            gc.collect()
            differences.append(await _time_app(journaled, client.headers, requests) - without)
        costs[label] = statistics.median(differences)
    return costs


def _answering(body: bytes) -> Any:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def _time_app(app: Any, headers: list[tuple[bytes, bytes]], count: int) -> float:
    # The tenant as Connexion's security leaves it in the scope: the middleware files the request under it.
    context = {"connexion_context": {"token_info": {"tenant": "bench"}}}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_: dict[str, Any]) -> None:
        return None

    began = time.process_time()
    for _ in range(count):
        scope = {"type": "http", "method": "GET", "path": "/v1/outbound-payments/1", "query_string": b"",
                 "headers": headers, "extensions": context}  # fmt: skip
        await app(scope, receive, send)
    return (time.process_time() - began) * 1e6 / count


async def _read_cost(client: Client) -> float:
    """Microseconds one GET /_sandbox/requests of 50 entries takes (the default page), median of 50."""
    times = []
    for _ in range(50):
        began = time.perf_counter()
        status = await client.send("GET", "/_sandbox/requests", b"limit=50", b"")
        times.append((time.perf_counter() - began) * 1e6)
        if status != 200:
            raise SystemExit(f"GET /_sandbox/requests answered {status}")
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per kind and round (default 3000)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds; the median is kept (default 5)")
    args = parser.parse_args(argv)
    results = asyncio.run(measure(args.requests, args.rounds))
    for kind in KINDS:
        r = results[kind]
        print(f"{kind:<7} journal off {r['off_us']:7.1f} us, on {r['on_us']:7.1f} us: "
              f"the journal adds {r['journal_us']:6.1f} us ({r['journal_share'] * 100:+.1f} %)")  # fmt: skip
    alone = results["alone_us"]
    print(f"the journal's middleware alone: {alone['get']:.1f} us a request answering 1 KB, "
          f"{alone['list']:.1f} us answering 30 KB")  # fmt: skip
    print(f"reading 50 journal entries (GET /_sandbox/requests): {results['read_50_us']:.0f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
