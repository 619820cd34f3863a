"""What a person reads: one progress line per phase while the kit runs, then the verdict.

A green run prints a dozen lines. A red one adds the failures counted by category and the ten most
important, each with a curl line that reproduces it; the rest is in the reports (``--verbose`` prints
every finding here too).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from elevate_sandbox.contract_tests.report import Finding, Recorder

TOP = 10
NOT_TESTED_LINES = 6
RULE = "=" * 78
SEED_HELP = "rerun with the same --seed to replay the same generated requests"

# What each module of the kit checks, as the progress lines name it, in the order they run.
PHASES = {
    "test_lists.py": "lists",
    "test_resources.py": "resources and JSON Patch",
    "test_consistency.py": "state and consistency",
    "scenarios/": "business scenarios",
    "test_conformance.py::test_read": "conformance of reads",
    "test_conformance.py::test_write": "conformance of writes",
    "test_stateful.py": "stateful links",
}


def phase_of(nodeid: str) -> str:
    """The phase a test belongs to, from its node id."""
    for marker, phase in PHASES.items():
        if marker in nodeid:
            return phase
    return "other checks"


def phase_rank(nodeid: str) -> int:
    """Where a test's phase comes in the run."""
    names = list(PHASES.values())
    phase = phase_of(nodeid)
    return names.index(phase) if phase in names else len(names)


@dataclass(slots=True)
class Phase:
    """The running tally of one phase."""

    name: str
    total: int
    done: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    checks_before: int = 0
    begun: bool = False
    started: float = field(default_factory=time.monotonic)


def progress_line(number: int, count: int, phase: Phase, recorder: Recorder) -> str:
    """``[3/7] lists: 72 tests, 240 checks, 0 failed, 8 skipped (4.2 s)``."""
    checks = recorder.checks_run - phase.checks_before
    return (
        f"[{number}/{count}] {phase.name}: {phase.total} {'test' if phase.total == 1 else 'tests'}, {checks} checks, "
        f"{phase.failed} failed, {phase.skipped} skipped ({time.monotonic() - phase.started:.1f} s)"
    )


def _finding_lines(number: int, finding: Finding, verbose: bool) -> list[str]:
    seen = f" (seen {finding.count}x)" if finding.count > 1 else ""
    lines = [f"{number:>3}. [{finding.category}] {finding.operation}: {finding.check}{seen}"]
    lines.append(f"     {finding.title[:150]}")
    if verbose:
        lines += [f"     {line}" for line in finding.message.strip().splitlines()[:40]]
    lines.append(f"     {finding.curl or '(no request recorded)'}"[:2000])
    return lines


def summary(recorder: Recorder, report_dir: str | None, verbose: bool) -> list[str]:
    """The closing lines: banner, categories, the most important findings, what was not tested."""
    info = recorder.info
    verdict = recorder.verdict
    if verdict == "PASS":
        headline = f"PASS  {info.target}: no violation in {recorder.checks_run} checks"
    else:
        headline = f"FAIL  {info.target}: {recorder.failures} distinct failures"
    lines = [RULE, headline, RULE, *recorder.figures().splitlines()]
    failure = recorder.target_failure
    if failure is not None:
        lines += [
            f"The target stopped answering at {failure.moment} during {failure.test}; the run stopped there.",
            f"  {failure.error}",
            f"  last request: {failure.last_request}",
        ]
    if recorder.findings:
        lines.append(f"Failures by category: {recorder.category_line()}")
        ranked = recorder.ranked()
        top = ranked if verbose else ranked[:TOP]
        more = "" if len(top) == len(ranked) else f" ({len(top)} most important of {len(ranked)})"
        lines.append(f"Failures{more}:")
        for number, finding in enumerate(top, 1):
            lines += _finding_lines(number, finding, verbose)
        lines.append(f"Seed {info.seed}: {SEED_HELP}.")
    if recorder.not_tested:
        reasons = sorted(recorder.not_tested.items(), key=lambda pair: -pair[1])
        shown = reasons if verbose else reasons[:NOT_TESTED_LINES]
        lines.append("Not tested:")
        lines += [f"  {count:>3} {'test ' if count == 1 else 'tests'}: {reason}" for reason, count in shown]
        if len(shown) < len(reasons):
            rest = sum(count for _, count in reasons[len(shown) :])
            lines.append(f"  {rest:>3} tests for {len(reasons) - len(shown)} other reasons (in the reports)")
    if report_dir:
        lines.append(f"Reports: {Path(report_dir).resolve()}/report.{{md,html,json}}")
    elif recorder.findings and not verbose:
        lines.append("Every finding with its message: --report DIR, or --verbose.")
    return lines
