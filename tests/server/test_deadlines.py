"""Deadlines checked by one sweep per event loop (sandbox/deadlines.py)."""

from __future__ import annotations

import asyncio

from elevate_sandbox import deadlines


def test_a_deadline_fires_unless_forgotten_and_the_sweep_ends_when_nothing_is_watched() -> None:
    async def scenario() -> tuple[list[str], bool, bool]:
        loop = asyncio.get_running_loop()
        fired: list[str] = []
        deadlines.watch(loop, "late", 0.1, fired.append, "late")
        deadlines.watch(loop, "forgotten", 0.1, fired.append, "forgotten")
        deadlines.watch(loop, "replaced", 0.1, fired.append, "first")
        deadlines.watch(loop, "replaced", 0.2, fired.append, "second")
        deadlines.forget(loop, "forgotten")
        sweeping = deadlines.sweeping(loop)
        await asyncio.sleep(0.1 + 2 * deadlines.SWEEP_SECONDS)
        return fired, sweeping, deadlines.sweeping(loop)

    fired, sweeping, swept_at_end = asyncio.run(scenario())
    assert sorted(fired) == ["late", "second"]
    assert sweeping and not swept_at_end


def test_a_failing_callback_does_not_stop_the_others() -> None:
    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        fired: list[str] = []

        def fails() -> None:
            raise RuntimeError("boom")

        deadlines.watch(loop, "fails", 0.05, fails)
        deadlines.watch(loop, "fine", 0.05, fired.append, "fine")
        await asyncio.sleep(0.05 + 2 * deadlines.SWEEP_SECONDS)
        return fired

    assert asyncio.run(scenario()) == ["fine"]
