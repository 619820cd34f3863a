"""The control API's outcome simulators: /_sandbox/simulations."""

from __future__ import annotations

from typing import Any

from elevate_sandbox.api.common import backend
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.time.scenarios import catalogue, simulate


@operation("getSimulations")
async def get_simulations(**_: Any) -> list[dict[str, Any]]:
    return catalogue()


@operation("runSimulation")
async def run_simulation(body: dict[str, Any], **_: Any) -> dict[str, Any]:
    with backend() as b:
        record, _changes = simulate(b.context, body["scenario"], body)
        return record.to_api()
