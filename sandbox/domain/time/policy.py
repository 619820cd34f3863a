"""How each kind of record moves without a client asking: by the clock, at once when created, or only when simulated.

A tenant's settings (``Progression``) live on its context; the control API reads and changes them here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from elevate_sandbox.domain.errors import VALIDATION_ERROR, FieldProblem, InvalidRequest


class Kind(StrEnum):
    """The resource kinds that move on their own, named as the control API names them."""

    INVOICE_PAYMENTS = "invoicePayments"
    REFUNDS = "refunds"
    MANDATES = "mandates"
    OUTBOUND_PAYMENTS = "outboundPayments"


class Policy(StrEnum):
    """How a kind of record moves: settled at creation, only by simulations, or by the clock."""

    IMMEDIATE = "immediate"
    MANUAL = "manual"
    CLOCK = "clock"


def _every_kind_by_clock() -> dict[Kind, Policy]:
    return dict.fromkeys(Kind, Policy.CLOCK)


@dataclass(slots=True)
class Progression:
    """A tenant's settings for records that move without a client asking."""

    policies: dict[Kind, Policy] = field(default_factory=_every_kind_by_clock)
    # Records that entered their status before the epoch (seeded history) count their time from it, so
    # that the first advance does not replay a year of history at once.
    epoch: datetime | None = None
    # Magic values are honoured on records created by requests, never on seeded ones.
    magic_values: bool = False

    def policy(self, kind: Kind) -> Policy:
        return self.policies[kind]


def policies_view(settings: Progression) -> dict[str, str]:
    """The policy of every kind, as the control API shows it."""
    return {str(kind): str(settings.policy(kind)) for kind in Kind}


def set_policies(settings: Progression, changes: Mapping[str, Any]) -> None:
    """Change the policy of some kinds; an unknown kind or policy refuses the whole update."""
    parsed: dict[Kind, Policy] = {}
    problems = []
    for key, value in changes.items():
        if key not in Kind.__members__.values():
            problems.append(FieldProblem(key, f"unknown resource kind; one of {', '.join(Kind)}"))
        elif value not in Policy.__members__.values():
            problems.append(FieldProblem(key, f"unknown policy {value!r}; one of {', '.join(Policy)}"))
        else:
            parsed[Kind(key)] = Policy(value)
    if problems:
        raise InvalidRequest(
            f"Invalid progression policy: {problems[0].field}: {problems[0].message}", VALIDATION_ERROR, problems
        )
    settings.policies.update(parsed)
