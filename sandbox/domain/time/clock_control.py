"""A tenant's clock moved by the control API: freeze, unfreeze, advance by a duration or to an instant.

Time never goes backwards (a snapshot import is the one exception: it restores the clock it saved).
Moving the clock takes the steps that fell due (advance.py) and returns what they changed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from elevate_sandbox.clock import Clock, FrozenClock, SystemClock, format_instant, parse_instant
from elevate_sandbox.domain import limits
from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.errors import (
    CLOCK_BACKWARDS,
    DATE_OUT_OF_RANGE,
    VALIDATION_ERROR,
    FieldProblem,
    InvalidRequest,
)
from elevate_sandbox.domain.time.advance import Change, run_due

# ISO 8601 durations in weeks, days, hours, minutes and whole seconds (months and years have no fixed length).
DURATION = re.compile(r"^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
# One call moves at most ten years: enough for any test, and far from datetime's limits.
MAX_ADVANCE = timedelta(days=3653)


def _invalid(field: str, message: str, code: str = VALIDATION_ERROR) -> InvalidRequest:
    return InvalidRequest(f"{field}: {message}", code, [FieldProblem(field, message)])


def parse_duration(value: Any) -> timedelta:
    """``advanceBy``: an ISO 8601 duration such as P1D or PT2H30M, or a whole number of seconds."""
    match = DURATION.match(value) if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif match is not None:
        weeks, days, hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + secs
    else:
        example = "a duration like P1D, PT2H or P1DT30M (no months or years)"
        raise _invalid("advanceBy", f"{value!r} is not a number of seconds or {example}")
    if seconds < 0:
        raise _invalid("advanceBy", "the clock never goes backwards", CLOCK_BACKWARDS)
    if seconds > MAX_ADVANCE.total_seconds():
        raise _invalid("advanceBy", f"at most {MAX_ADVANCE.days} days in one call")
    return timedelta(seconds=seconds)


def parse_target(value: Any) -> datetime:
    """``to``: an ISO 8601 instant (a date means its midnight UTC)."""
    try:
        return parse_instant(value)
    except (TypeError, ValueError) as exc:
        raise _invalid("to", f"{value!r} is not an ISO 8601 instant like 2026-12-01T09:00:00Z") from exc


def is_frozen(clock: Clock) -> bool:
    return isinstance(clock, FrozenClock)


def running_from(now: datetime) -> SystemClock:
    """A running clock that reads ``now`` at this moment and goes on with wall time."""
    clock = SystemClock()
    clock.advance(now - clock.now())
    return clock


def offset_of(clock: Clock) -> timedelta:
    """How far a running clock is ahead of wall time, to the millisecond."""
    offset = clock.now() - datetime.now(UTC)
    return timedelta(milliseconds=round(offset / timedelta(milliseconds=1)))


def clock_view(ctx: Context) -> dict[str, Any]:
    """``{now, frozen}`` of a tenant's clock."""
    return {"now": format_instant(ctx.clock.now()), "frozen": is_frozen(ctx.clock)}


def move_clock(
    ctx: Context, *, advance_by: timedelta | None = None, to: datetime | None = None, freeze: bool | None = None
) -> list[Change]:
    """Freeze or unfreeze, then advance by a duration or to an instant, then run what fell due."""
    if advance_by is not None and to is not None:
        raise InvalidRequest("Give advanceBy or to, not both", VALIDATION_ERROR, [FieldProblem("to", "with advanceBy")])
    now = ctx.clock.now()
    if to is not None and to < now:
        raise _invalid(
            "to",
            f"{format_instant(to)} is before the clock's now ({format_instant(now)}): time never goes back",
            CLOCK_BACKWARDS,
        )
    if to is not None and to - now > MAX_ADVANCE:
        raise _invalid("to", f"at most {MAX_ADVANCE.days} days ahead in one call")
    target = to if to is not None else (now + advance_by if advance_by is not None else now)
    if not limits.date_in_range(target):  # many ten-year moves would otherwise reach datetime's end
        field = "to" if to is not None else "advanceBy"
        raise _invalid(field, f"the clock stays {limits.date_range_text()}", DATE_OUT_OF_RANGE)
    clock = ctx.clock
    if not isinstance(clock, FrozenClock | SystemClock):
        raise TypeError(f"a {type(clock).__name__} cannot be moved")  # only the sandbox's own clocks move
    if freeze is True and not is_frozen(clock):
        clock = FrozenClock(now)
    elif freeze is False and is_frozen(clock):
        clock = running_from(now)
    delta = advance_by if advance_by is not None else (to - clock.now() if to is not None else None)
    if delta is not None and delta > timedelta():
        clock.advance(delta)
    ctx.clock = clock
    ctx.revision += 1  # what depends on today (overdue invoices, credit status) may read differently
    return run_due(ctx)
