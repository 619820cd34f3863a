"""The contract kit's proof of strength: it passes the sandbox and catches every deliberately broken variant.

Each variant (``contract_tests/faults.py``) wraps the real app, is served by uvicorn on a free port, and
gets a focused part of the kit run against it in a subprocess, exactly as an integrator would run it.
The report must name the operation and the check that caught the fault.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from elevate_sandbox.app import create_app
from elevate_sandbox.auth import mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.contract_tests.faults import Fault, FaultGroup, catalogue, groups, table
from elevate_sandbox.contract_tests.rewriting import Exchange, Rewriting, Served
from elevate_sandbox.settings import DEFAULT_JWT_SECRET, Settings

# Every test here waits for the kit's runs against the broken variants (minutes on 2 cores).
pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The fault table (fault, category, the checks that caught it), written from the runs for people to read.
FAULT_TABLE = PROJECT_ROOT / "build" / "fault-table.md"
KIT = PROJECT_ROOT / "contract_tests"
FAULTS = catalogue(mint_token(DEFAULT_JWT_SECRET, SystemClock(), "default"))
# Faults that cannot hide one another share a server and a kit run: the suite's time stays bounded.
GROUPS = groups(FAULTS)
GROUP_OF = {fault.name: group.name for group in GROUPS for fault in group.faults}
WORKERS = 4


@dataclass(frozen=True, slots=True)
class KitRun:
    """What one run of the kit left behind."""

    status: int
    output: str
    report: dict[str, Any]

    def found(self, operation: str, check: str) -> bool:
        return check in self.checks_on(operation)

    def checks_on(self, operation: str) -> list[str]:
        """The checks that reported a failure on ``operation``, in the report's order."""
        found = [f["check"] for f in self.report.get("failures", []) if f["operation"] == operation]
        return list(dict.fromkeys(found))

    def explain(self) -> str:
        found = [(f["operation"], f["check"]) for f in self.report.get("failures", [])]
        return f"exit status {self.status}; findings {found}\n{self.output[-3000:]}"


def run_kit(report_dir: Path, *args: str) -> KitRun:
    """Run the kit (or the part of it ``args`` name) in a subprocess, as `python -m pytest` would."""
    paths = [] if any(arg.startswith("contract_tests/") for arg in args) else [str(KIT)]
    command = [
        sys.executable,
        "-m",
        "pytest",
        *paths,
        "-p",
        "no:cacheprovider",
        "-q",
        "--disable-warnings",
        "--assert=plain",  # the kit's assertions carry their messages; rewriting would cost seconds per run
        "--report",
        str(report_dir),
        *args,
    ]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)
    report_file = report_dir / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    return KitRun(done.returncode, done.stdout + done.stderr, report)


def run_against_faults(group: FaultGroup, report_dir: Path) -> KitRun:
    app = group.wrap(create_app(Settings(port=0, dataset="demo")))
    with Served(app) as url:
        return run_kit(report_dir, "--base-url", url + "/v1", *group.kit_args)


UNBROKEN = "unbroken"
READ_ONLY = "read-only"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
READ_ONLY_REQUESTS: list[str] = []  # every request of the read-only run, as METHOD /path


def run_read_only(directory: Path, sent: list[str]) -> KitRun:
    """The kit with --read-only against the sandbox, noting every request the Elevate API receives."""

    def note(exchange: Exchange) -> None:
        sent.append(f"{exchange.method} {exchange.path}")

    app = Rewriting(create_app(Settings(port=0, dataset="demo")), "*", r"/v1/.*", before=note)
    with Served(app) as url:
        return run_kit(directory, "--base-url", url + "/v1", "--read-only")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[KitRun, Path]]]:
    """The kit's runs, a few at a time: the whole quick profile against the real sandbox (started by the
    kit in-process), and a focused run against each broken variant (each with its own server)."""

    def unbroken(directory: Path) -> KitRun:
        return run_kit(directory, "--profile", "quick", f"--junitxml={directory / 'junit.xml'}")

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        names = [UNBROKEN, *(f"group{number}" for number in range(len(GROUPS)))]
        directories = {name: tmp_path_factory.mktemp(name) for name in names}
        futures = {UNBROKEN: pool.submit(unbroken, directories[UNBROKEN])}  # the longest run goes first
        directories[READ_ONLY] = tmp_path_factory.mktemp(READ_ONLY)
        futures[READ_ONLY] = pool.submit(run_read_only, directories[READ_ONLY], READ_ONLY_REQUESTS)
        for number, group in enumerate(GROUPS):
            futures[group.name] = pool.submit(run_against_faults, group, directories[f"group{number}"])
        names = {group.name: f"group{number}" for number, group in enumerate(GROUPS)}
        yield {name: (future.result(), directories[names.get(name, name)]) for name, future in futures.items()}


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_the_kit_reports_the_fault_with_its_operation_and_check(
    fault: Fault, runs: dict[str, tuple[KitRun, Path]]
) -> None:
    run, _ = runs[GROUP_OF[fault.name]]
    assert run.status != 0, f"{fault.description}: the kit passed\n{run.explain()}"
    assert run.found(fault.operation, fault.check), (
        f"{fault.description}: expected a {fault.check} failure on {fault.operation}\n{run.explain()}"
    )
    finding = next(f for f in run.report["failures"] if f["operation"] == fault.operation and f["check"] == fault.check)
    assert finding["curl"].startswith("curl "), f"the finding has no curl to reproduce it: {finding}"


def test_the_fault_table_says_which_check_caught_each_fault(runs: dict[str, tuple[KitRun, Path]]) -> None:
    def caught_by(fault: Fault) -> list[str]:
        return runs[GROUP_OF[fault.name]][0].checks_on(fault.operation)

    text = table(FAULTS, caught_by)
    FAULT_TABLE.parent.mkdir(exist_ok=True)
    FAULT_TABLE.write_text(text, encoding="utf-8")
    rows = text.splitlines()[2:]
    assert len(rows) == len(FAULTS) and "**missed**" not in text, text
    for fault, row in zip(FAULTS, rows, strict=True):
        assert f"`{fault.check}`" in row.rsplit("|", 2)[1], row


def test_at_least_forty_different_faults_cover_every_category() -> None:
    assert len({fault.name for fault in FAULTS}) == len(FAULTS) >= 40
    assert len({(fault.operation, fault.check) for fault in FAULTS}) >= 40
    covered = {fault.category for fault in FAULTS}
    assert covered >= {"schema", "status codes", "business rules", "statefulness", "lists", "auth"}, covered


def test_the_unbroken_sandbox_passes_the_quick_profile_with_zero_violations(
    runs: dict[str, tuple[KitRun, Path]],
) -> None:
    run, directory = runs[UNBROKEN]
    assert run.status == 0, run.explain()
    assert run.report["failures"] == [], run.explain()
    assert run.report["checks_run"] > 1000, "the kit ran suspiciously few checks"
    assert len(run.report["operations"]) == 29, f"operations exercised: {run.report['operations']}"
    for name in ("report.md", "report.html", "junit.xml"):
        assert (directory / name).stat().st_size > 0, f"{name} is missing"


def test_read_only_sends_no_writes(runs: dict[str, tuple[KitRun, Path]]) -> None:
    run, _ = runs[READ_ONLY]
    assert READ_ONLY_REQUESTS, f"the read-only run sent nothing\n{run.explain()}"
    writes = sorted({request for request in READ_ONLY_REQUESTS if not request.startswith(SAFE_METHODS)})
    assert not writes, f"--read-only sent {writes[:10]}"
    assert run.report["checks_run"] > 500, run.explain()
