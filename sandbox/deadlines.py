"""Deadlines on an event loop, checked by one periodic sweep in place of a timer each.

The sandbox bounds the time a client takes to send each request head (serving.py) and each body
(api/middleware.py). A timer per request (``loop.call_later`` or ``asyncio.timeout``), set and cancelled
on every request, cost about 8 % of a small request's CPU; a dictionary entry costs next to nothing. The
sweep runs every SWEEP_SECONDS while anything is watched and stops when nothing is, so a deadline fires
up to SWEEP_SECONDS late: the bounds are seconds long, and only slow clients ever reach them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from typing import Any

SWEEP_SECONDS = 0.25
logger = logging.getLogger("elevate_sandbox.deadlines")


class _Sweep:
    """The deadlines of one event loop (a test process may run several servers, each on its own loop)."""

    __slots__ = ("due", "loop", "timer")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.due: dict[Hashable, tuple[float, Callable[..., None], tuple[Any, ...]]] = {}
        self.timer = loop.call_later(SWEEP_SECONDS, self.run)

    def run(self) -> None:
        now = self.loop.time()
        for key in [key for key, (when, _, _) in self.due.items() if when <= now]:
            _, expired, args = self.due.pop(key)
            try:
                expired(*args)
            except Exception:  # one failing callback must not end the sweep for the others
                logger.exception("deadline callback failed")
        if self.due:
            self.timer = self.loop.call_later(SWEEP_SECONDS, self.run)
        else:  # nothing left to watch: the sweep ends, and the next watch starts another
            _SWEEPS.pop(self.loop, None)


_SWEEPS: dict[asyncio.AbstractEventLoop, _Sweep] = {}


def watch(
    loop: asyncio.AbstractEventLoop, key: Hashable, seconds: float, expired: Callable[..., None], *args: Any
) -> None:
    """Call ``expired(*args)`` on ``loop`` in ``seconds`` unless ``forget(loop, key)`` comes first (a new
    watch of the same key replaces the old one)."""
    sweep = _SWEEPS.get(loop)
    if sweep is None:
        sweep = _SWEEPS[loop] = _Sweep(loop)
    sweep.due[key] = (loop.time() + seconds, expired, args)


def forget(loop: asyncio.AbstractEventLoop, key: Hashable) -> None:
    """No deadline for ``key`` any more."""
    sweep = _SWEEPS.get(loop)
    if sweep is not None:
        sweep.due.pop(key, None)


def sweeping(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``loop`` has a sweep running (it has one exactly while a deadline is watched)."""
    return loop in _SWEEPS
