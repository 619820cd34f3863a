"""Every Schemathesis name the kit uses that its top-level package does not export: one place, one version guard.

The kit builds on Schemathesis' public API (``schemathesis.openapi.from_dict``, ``schema.parametrize()``,
``schema.as_state_machine()``, ``case.call``/``case.validate_response``, hooks). These names have no public
spelling in Schemathesis 4, and each is needed:

- the check functions: ``case.validate_response(checks=...)`` takes functions, and the kit names exactly
  which checks run (the report's columns), instead of every registered one;
- ``RejectedPositiveData``: the ``filter_failure`` hook must tell a documented business refusal (an
  unknown customer, a refund over the collected amount) from a rejected valid request;
- ``is_inconsistent_replay``: a stateful target can take another path when Hypothesis replays a scenario,
  which Schemathesis' own runner does not count as a finding either;
- ``StepInput``/``StepOutput``: the types of the state machine's ``step``, overridden to count links followed.
"""

from __future__ import annotations

from importlib.metadata import version

SUPPORTED = ((4, 32), (5, 0))  # [from, to): pyproject.toml asks for schemathesis>=4.32.5,<5


def _version() -> tuple[int, int]:
    major, minor = version("schemathesis").split(".")[:2]
    return int(major), int(minor)


if not SUPPORTED[0] <= _version() < SUPPORTED[1]:
    raise ImportError(
        f"the Elevate contract kit supports Schemathesis 4.32 to 4.x, not {version('schemathesis')}: "
        "pip install 'elevate-sandbox[kit]'"
    )

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.engine.errors import is_inconsistent_replay  # noqa: E402
from schemathesis.errors import FailureGroup  # noqa: E402  (public)
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput  # noqa: E402
from schemathesis.openapi.checks import RejectedPositiveData  # noqa: E402
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: E402

__all__ = [
    "FailureGroup",
    "RejectedPositiveData",
    "StepInput",
    "StepOutput",
    "is_inconsistent_replay",
    "not_a_server_error",
    "openapi_checks",
]
