"""No tenant stalls another (issue 15, failure 5): heavy control work runs off the event loop.

A dataset build used to run on the event loop: every other tenant's request waited for it (10-12 s for
"million"). Here "large" (about 0.7 s a build) is loaded three times by one tenant while another tenant's
requests are timed; the server runs in its own process, as deployed.
"""

from __future__ import annotations

import re
import statistics
import threading
import time

import httpx

from elevate_sandbox.auth import mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.settings import DEFAULT_JWT_SECRET
from tests.conftest import served_process

TARGET_MS = 100


def test_other_tenants_are_served_within_100_ms_while_a_large_dataset_builds() -> None:
    with served_process() as line:
        base = re.search(r"listening on (http://[^/\s]+)", line).group(1)  # type: ignore[union-attr]
        builder, other = (mint_token(DEFAULT_JWT_SECRET, SystemClock(), name) for name in ("builder", "other"))
        with httpx.Client(base_url=base, timeout=30) as client:
            for token in (builder, other):
                assert client.get("/_sandbox/clock", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            building = threading.Event()
            builds: list[float] = []

            def build() -> None:
                with httpx.Client(base_url=base, timeout=60) as own:
                    building.set()
                    for _ in range(3):
                        started = time.perf_counter()
                        response = own.post(
                            "/_sandbox/reset",
                            json={"dataset": "large", "seed": len(builds) + 1},  # a new build each time
                            headers={"Authorization": f"Bearer {builder}"},
                        )
                        assert response.status_code == 200, response.text
                        builds.append(time.perf_counter() - started)

            thread = threading.Thread(target=build)
            thread.start()
            building.wait()
            latencies = []
            while thread.is_alive():
                started = time.perf_counter()
                response = client.get(
                    "/v1/payment-providers",
                    params={"page": 1, "pageSize": 5},
                    headers={"Authorization": f"Bearer {other}"},
                )
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
                time.sleep(0.01)
            thread.join()
        # The other tenant was timed during real builds (a reset to a base already built takes milliseconds).
        assert len(builds) == 3 and min(builds) > 0.1, builds
        assert len(latencies) >= 20
        print(
            f"builds {[round(b, 2) for b in builds]} s; other tenant: {len(latencies)} requests, "
            f"median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms"
        )
        # Before, every request that arrived during a build waited for all of it (0.3-1.4 s each here). The
        # slowest few can still catch a scheduling gap on a loaded 2-core machine: the 95th percentile is held.
        assert sorted(latencies)[int(len(latencies) * 0.95)] < TARGET_MS, sorted(latencies)[-5:]
