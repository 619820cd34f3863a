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
from schemathesis.core.failures import FailureGroup

from elevate_sandbox.contract_tests.references import References
from elevate_sandbox.contract_tests.schema import CONFORMANCE_CHECKS, selection

READS = selection(reads=True)
WRITES = selection(reads=False)
TIMEOUT = 15


@pytest.fixture(scope="session")
def session() -> Iterator[requests.Session]:
    """One keep-alive connection pool for all generated requests."""
    with requests.Session() as pool:
        yield pool


def exercise(case: Case, session: requests.Session, references: References) -> None:
    """Send one generated request and run the checks; the plugin records the outcomes."""
    references.apply(case)
    response = case.call(session=session, timeout=TIMEOUT)
    # Failures are recorded by the plugin's after_validate hook; it fails the test with every finding.
    with contextlib.suppress(FailureGroup):
        case.validate_response(
            response, checks=CONFORMANCE_CHECKS, transport_kwargs={"session": session, "timeout": TIMEOUT}
        )


def _selects_any(schema: BaseSchema) -> bool:
    """Whether ``--operation`` left any operation to this test (Schemathesis refuses an empty one)."""
    return any(True for _ in schema.get_all_operations())


if _selects_any(READS):

    @READS.parametrize()
    def test_read_operation_conforms(case: Case, session: requests.Session, references: References) -> None:
        exercise(case, session, references)


if _selects_any(WRITES):

    @pytest.mark.writes
    @WRITES.parametrize()
    def test_write_operation_conforms(case: Case, session: requests.Session, references: References) -> None:
        exercise(case, session, references)
