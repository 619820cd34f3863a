"""The control API's clock and progression policy: /_sandbox/clock and /_sandbox/progression."""

from __future__ import annotations

from typing import Any

from elevate_sandbox.api.common import backend
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.time import clock_control
from elevate_sandbox.domain.time.policy import policies_view, set_policies


@operation("getSandboxClock")
async def get_sandbox_clock(**_: Any) -> dict[str, Any]:
    with backend() as b:
        return clock_control.clock_view(b.context)


@operation("moveSandboxClock")
async def move_sandbox_clock(body: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
    body = body or {}
    advance_by = clock_control.parse_duration(body["advanceBy"]) if "advanceBy" in body else None
    to = clock_control.parse_target(body["to"]) if "to" in body else None
    with backend() as b:
        changes = clock_control.move_clock(b.context, advance_by=advance_by, to=to, freeze=body.get("freeze"))
        return {**clock_control.clock_view(b.context), "changes": [change.to_api() for change in changes]}


@operation("getProgression")
async def get_progression(**_: Any) -> dict[str, str]:
    with backend() as b:
        return policies_view(b.progression)


@operation("updateProgression")
async def update_progression(body: dict[str, Any], **_: Any) -> dict[str, str]:
    with backend() as b:
        set_policies(b.progression, body)
        return policies_view(b.progression)
