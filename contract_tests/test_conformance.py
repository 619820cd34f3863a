"""Conformance: every operation, through Schemathesis' examples, coverage and fuzzing phases.

Each generated request (valid and invalid data) is sent to the target and its response judged by the
checks the contract implies (``schema.CONFORMANCE_CHECKS``). Every outcome is recorded for the report;
a test fails when its operation earned at least one violation, listing each with a curl to reproduce it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import requests
from schemathesis import BaseSchema, Case
from schemathesis.errors import FailureGroup

from elevate_sandbox.contract_tests.plugin import KitPlugin
from elevate_sandbox.contract_tests.references import References
from elevate_sandbox.contract_tests.schema import CONFORMANCE_CHECKS, selection
from elevate_sandbox.contract_tests.watch import TRANSPORT_ERRORS, WATCH

READS = selection(reads=True)
WRITES = selection(reads=False)
TIMEOUT = 15


@pytest.fixture(scope="session")
def session() -> Iterator[requests.Session]:
    """One keep-alive connection pool for all generated requests."""
    with requests.Session() as pool:
        # No proxy lookup in the environment for each of thousands of requests (a loopback target needs none).
        pool.trust_env = False
        yield pool


def exercise(case: Case, session: requests.Session, references: References, plugin: KitPlugin) -> None:
    """Send one generated request and run the checks; the plugin records the outcomes."""
    references.apply(case)
    # A transport error is recorded by the watch (and ends the run when the target is gone); the plugin
    # fails the test with it. Check failures are recorded by the plugin's after_validate hook.
    with (
        contextlib.suppress(FailureGroup, *TRANSPORT_ERRORS),
        WATCH.call(case.operation.label, lambda: plugin.case_curl(case)),
    ):
        response = case.call(session=session, timeout=TIMEOUT)
        case.validate_response(
            response, checks=CONFORMANCE_CHECKS, transport_kwargs={"session": session, "timeout": TIMEOUT}
        )


def _selects_any(schema: BaseSchema) -> bool:
    """Whether ``--operation`` left any operation to this test (Schemathesis refuses an empty one)."""
    return any(True for _ in schema.get_all_operations())


if _selects_any(READS):

    @READS.parametrize()
    def test_read_operation_conforms(
        case: Case, session: requests.Session, references: References, plugin: KitPlugin
    ) -> None:
        exercise(case, session, references, plugin)


if _selects_any(WRITES):

    @pytest.mark.writes
    @WRITES.parametrize()
    def test_write_operation_conforms(
        case: Case, session: requests.Session, references: References, plugin: KitPlugin
    ) -> None:
        exercise(case, session, references, plugin)
