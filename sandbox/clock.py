"""Injectable clocks: the only place the sandbox reads the time."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the domain needs of time."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """Wall-clock time in UTC, shifted by an offset that the control API can advance."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        # No lock to read: advance() replaces the offset in one assignment, and reading it is atomic.
        return datetime.now(UTC) + self._offset

    def today(self) -> date:
        return self.now().date()

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by ``delta`` and return the new now."""
        with self._lock:  # two advances at once must both count
            self._offset += delta
        return self.now()


class FrozenClock:
    """A clock that stands still until advanced: deterministic tests and demos."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        self._now = at
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def today(self) -> date:
        return self.now().date()

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by ``delta`` and return the new now."""
        with self._lock:
            self._now += delta
            return self._now


def format_instant(instant: datetime) -> str:
    """An instant as the API shows it: UTC, to the second, with Z."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time (``Z`` allowed) into an aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
