"""What a person reads at the end of a run: counts that add up, and a top ten that shows every kind of fault."""

from __future__ import annotations

from elevate_sandbox.contract_tests import categories, console
from elevate_sandbox.contract_tests.report import Recorder

OPERATIONS = [f"GET /things-{number}" for number in range(29)]


def _prism_like() -> Recorder:
    """Findings shaped like a run against a mock: one auth fault on every operation, seen most often,
    and fewer, rarer faults of other kinds."""
    recorder = Recorder(OPERATIONS)
    for operation in OPERATIONS:
        for _ in range(5):
            recorder.failure(operation, "ignored_auth", "API accepts requests without authentication", "", "curl")
    recorder.failure(OPERATIONS[0], "response_schema_conformance", "missing field", "", "curl")
    recorder.failure(OPERATIONS[1], "get_is_safe", "the record changed", "", "curl")
    recorder.failure(OPERATIONS[2], "sort_order", "not sorted", "", "curl")
    recorder.failure(OPERATIONS[3], "paging_honoured", "page repeated", "", "curl")
    recorder.failure(OPERATIONS[4], "status_code_conformance", "undocumented 418", "", "curl")
    recorder.failure(OPERATIONS[5], "balance_agrees", "balance off by 10.00", "", "curl")
    return recorder


def test_the_first_findings_cover_each_category_then_each_check() -> None:
    ranked = _prism_like().ranked()
    first = [finding.category for finding in ranked[:6]]
    assert first == [c for c in categories.ORDER if c in set(first)] and len(set(first)) == 6, first
    # After one per category, the other checks (paging_honoured is a second list check) before repeats.
    assert ranked[6].check == "paging_honoured", [f.check for f in ranked[:8]]
    assert {finding.check for finding in ranked[7:]} == {"ignored_auth"}
    assert len(ranked) == 29 + 6


def test_the_console_top_ten_is_not_one_fault_ten_times() -> None:
    lines = console.summary(_prism_like(), None, verbose=False)
    shown = [line for line in lines if line[:5].strip().rstrip(".").isdigit()]
    assert len(shown) == console.TOP, lines
    assert sum("ignored_auth" in line for line in shown) == console.TOP - 6, shown
    assert "(10 most important of 35)" in "\n".join(lines)


def test_operations_count_only_the_contracts_operations() -> None:
    recorder = Recorder(OPERATIONS[:2])
    recorder.passed(OPERATIONS[0], "not_a_server_error")
    recorder.passed(OPERATIONS[1], "not_a_server_error")
    # A test that failed before it sent a request is recorded under its phase, which is no operation.
    recorder.failure("business scenarios", "test_refund_limit", "setup refused", "", "")
    assert "operations 2/2," in recorder.figures(), recorder.figures()
    assert "business scenarios" in recorder.tested_operations()  # still shown in the matrix
