"""A revision number per tenant, bumped by every backend call that may change records.

Caches of what records look like (the API layer's rendered JSON) compare it to know when to look at
the records again. The backend is the domain's one entry point, so counting at its door sees every
change the rules make, whoever asks for it (a request, the clock, a simulation, a hosted page).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

# Backend methods that only read. Every other public method, including any added later, counts as a
# change: a read counted as a change only costs a cache a second look, the opposite would serve stale data.
READ_PREFIXES = ("get_",)
READ_ONLY = frozenset({"customer_balance", "credit_statuses", "instant_bank_payments_for_mandate"})

T = TypeVar("T", bound=type)


def _counted(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        finally:
            self._ctx.revision += 1

    return counted


def counts_changes(cls: T) -> T:
    """Class decorator: each call of a public method that may change records, and each property setter,
    bumps ``self._ctx.revision`` (also when it fails: a refused call should change nothing, but a count
    too many is harmless)."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            if member.fset is not None:
                setattr(cls, name, member.setter(_counted(member.fset)))
        elif callable(member) and not name.startswith(READ_PREFIXES) and name not in READ_ONLY:
            setattr(cls, name, _counted(member))
    return cls
