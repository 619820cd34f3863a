"""What the domain can hold: the ranges every value must keep, whether it comes from a request or an import.

Values past these break later, far from where they came in: an id past int64 cannot be rendered (every read
and every save of the tenant failed), a date near 9999 overflows when payment terms are added to it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

# Ids and sequences: the API's int64, within what JSON clients keep exactly (JavaScript's
# Number.MAX_SAFE_INTEGER: the dashboard reads them), so that next_id never leaves the range either.
MAX_INTEGER = 2**53 - 1
# Seeds: what POST /_sandbox/reset accepts.
MAX_SEED = 2**32 - 1
# Money: pennies, and far beyond any balance a sandbox builds (the API's amounts stop at 9,999,999.99).
MAX_AMOUNT = Decimal("999999999999.99")
MONEY_EXPONENT = -2
# Strings: the longest the contracts allow (a redirect URL) is 4,096 characters.
MAX_TEXT = 4096
MAX_LIST = 10_000
# Dates the rules can add terms and schedules to without leaving Python's calendar (which ends in 9999),
# with four-digit years (strftime writes year 999 as "999"). Wide, because the contract sets no bound: a
# schema-valid date outside is refused with DATE_OUT_OF_RANGE, one of the documented business refusals.
EARLIEST_DATE = date(1000, 1, 1)
LATEST_DATE = date(9899, 12, 31)


def date_in_range(value: date) -> bool:
    """Whether a date (or a datetime's day) lies between EARLIEST_DATE and LATEST_DATE."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_range_text() -> str:
    """The date range, as error messages state it."""
    return f"between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
