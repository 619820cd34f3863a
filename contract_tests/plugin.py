"""The kit's pytest plugin: finds and pre-flights the target, selects tests, turns findings into failures,
prints progress and the verdict, writes reports."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from schemathesis import Case, HookContext, Response
from schemathesis.checks import CheckResult

from elevate_sandbox.contract_tests import console, preflight, spec
from elevate_sandbox.contract_tests import schema as contract
from elevate_sandbox.contract_tests.client import curl_of
from elevate_sandbox.contract_tests.preflight import Exit, PreflightError
from elevate_sandbox.contract_tests.report import TOKEN_PLACEHOLDER, Finding, Recorder
from elevate_sandbox.contract_tests.target import RUN_OPTIONS, Profile, Target, checked_base_url, probe_sandbox
from elevate_sandbox.contract_tests.watch import WATCH, TargetDown

SANDBOX_ONLY_REASON = "needs the sandbox control API (/_sandbox), which the target does not have"
READ_ONLY_REASON = "--read-only: sends writes"
NOT_A_TOKEN = "not-a-valid-token"


def add_options(parser: pytest.Parser) -> None:
    """The kit's command-line options (also accepted by `elevate-sandbox verify`)."""
    group = parser.getgroup("elevate", "Elevate contract kit")
    for name, keywords in RUN_OPTIONS.items():
        group.addoption(name, **keywords)
    group.addoption(
        "--sandbox-only",
        action="store_true",
        default=None,
        dest="sandbox_only",
        help="run the scenarios that need the sandbox control API (default: probe /_sandbox/health)",
    )
    group.addoption(
        "--no-sandbox-only",
        action="store_false",
        dest="sandbox_only",
        help="skip the scenarios that need the sandbox control API",
    )
    group.addoption("--report", default=None, metavar="DIR", help="write report.md, report.html and report.json here")
    # Set by `elevate-sandbox verify`: it ran pre-flight itself, and prints for people instead of pytest.
    group.addoption("--kit-preflight-done", action="store_true", default=False, help="(internal)")
    group.addoption("--kit-console", action="store_true", default=False, help="(internal) progress and verdict only")


def hypothesis_home() -> Path:
    """Where Hypothesis may keep files: a cache directory, never the user's working directory."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "elevate-sandbox" / "hypothesis"


class KitPlugin:
    """One per pytest session: owns the target, the in-process sandbox if any, and the recorder."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.live: Any = None
        self.console = bool(config.getoption("kit_console"))
        self.verbose = config.getoption("verbose") > 0
        self.phases: dict[str, console.Phase] = {}
        self.phase_order: list[str] = []
        self.tests_with_findings: set[str] = set()
        self.deselecting = False
        self.target = self._find_target(config)
        self.recorder = Recorder(op.label for op in spec.operations())
        self.recorder.secrets.append(self.target.token)
        info = self.recorder.info
        info.target, info.profile, info.seed = self.target.api_url, self.target.profile.value, self.target.seed
        info.sandbox, info.read_only = self.target.is_sandbox, self.target.read_only
        WATCH.recorder, WATCH.token, WATCH.errors = self.recorder, self.target.token, 0
        WATCH.probe_url = self.target.api_url + (preflight.probe_paths() or [""])[0]
        selected = config.getoption("operation")
        contract.configure(self.target, selected)
        if selected:
            others = len(spec.operations()) - len(set(selected))
            self.recorder.skipped(
                f"conformance of the other operations: --operation chose {', '.join(selected)}", others
            )
        contract.SCHEMA.hooks.register_hook_with_name(self.after_validate, "after_validate")

    def _find_target(self, config: pytest.Config) -> Target:
        base_url = config.getoption("base_url")
        token = config.getoption("token")
        forced = config.getoption("sandbox_only")
        if base_url is None:
            base_url, token = self._start_sandbox(token)
            api_url, is_sandbox = base_url + "/v1", True if forced is None else bool(forced)
        else:
            try:
                api_url = checked_base_url(base_url)
            except ValueError as exc:
                raise pytest.UsageError(f"--base-url: {exc}") from exc
            if config.getoption("kit_preflight_done") and token is not None:
                is_sandbox = probe_sandbox(api_url) if forced is None else bool(forced)
            else:
                try:
                    cleared = preflight.run(api_url, token, forced)
                except PreflightError as exc:
                    pytest.exit(f"elevate contract kit: {exc.message}", returncode=int(exc.status))
                token, is_sandbox = cleared.token, cleared.is_sandbox
        assert token is not None
        return Target(
            api_url=api_url,
            token=token,
            is_sandbox=is_sandbox,
            read_only=config.getoption("read_only"),
            profile=Profile(config.getoption("profile")),
            seed=config.getoption("seed"),
        )

    def _start_sandbox(self, token: str | None) -> tuple[str, str]:
        from elevate_sandbox.contract_tests.local import LocalSandbox

        # Started now, waited for once collection is done: its start-up overlaps the kit's.
        self.live = LocalSandbox()
        return self.live.base_url, token or self.live.local_token(f"contract-kit-{int(time.time())}")

    def stop(self) -> None:
        contract.SCHEMA.hooks.unregister(self.after_validate)
        WATCH.recorder = None
        if self.live is not None:
            self.live.stop()

    # -- findings ------------------------------------------------------------------------------------

    def after_validate(self, context: HookContext, case: Case, response: Response, results: list[CheckResult]) -> None:
        """Record every Schemathesis check outcome (conformance and stateful tests)."""
        for result in results:
            if result.failure is None:
                self.recorder.passed(case.operation.label, result.name)
                continue
            failure = result.failure
            curl = (
                self.auth_probe_curl(case, failure) if result.name == "ignored_auth" else self.case_curl(case, response)
            )
            self.recorder.failure(case.operation.label, result.name, failure.title, failure.message, curl)

    def case_curl(self, case: Case, response: Response | None = None) -> str:
        """``case`` as a curl command, the token as ``$TOKEN``."""
        headers = dict(response.request.headers) if response is not None else dict(self.target.auth_headers)
        try:
            command = case.as_curl_command(headers=headers)
        except Exception:  # a request Schemathesis cannot render still deserves a report
            return f"# {case.operation.label}: the request could not be rendered as curl"
        command = command.replace(self.target.token, TOKEN_PLACEHOLDER)
        return command.replace("'Authorization: [Filtered]'", f'"Authorization: Bearer {TOKEN_PLACEHOLDER}"')

    def auth_probe_curl(self, case: Case, failure: Any) -> str:
        """The request ``ignored_auth`` sent and the target accepted: without a token, or with a wrong one."""
        scenario = str(getattr(failure, "scenario", ""))
        invalid = "INVALID" in scenario.upper()
        headers = {"Authorization": f"Bearer {NOT_A_TOKEN}"} if invalid else {}
        try:
            command = case.as_curl_command(headers=headers)
        except Exception:  # a request Schemathesis cannot render still deserves a report
            return f"# {case.operation.label}: the request could not be rendered as curl"
        # Schemathesis masks every Authorization value; this one is no secret and is the point of the repro.
        shown = f'-H "Authorization: Bearer {NOT_A_TOKEN}"' if invalid else ""
        return command.replace("-H 'Authorization: [Filtered]'", shown).replace("  ", " ")

    @contextlib.contextmanager
    def verdict(self, operation: str, check: str, api: Any = None) -> Iterator[None]:
        """Record the outcome of one custom check; an AssertionError inside is the failure."""
        try:
            yield
        except AssertionError as exc:
            curl = api.curl() if api is not None else ""
            self.recorder.failure(operation, check, str(exc).split("\n")[0][:200], str(exc), curl)
            self.recorder.take_pending()  # the test fails by the assertion itself
            self.tests_with_findings.add(self.recorder.current_test)
            raise
        self.recorder.passed(operation, check)

    # -- pytest hooks --------------------------------------------------------------------------------

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        # Tests left out by -k or -m are not tested, and every report says so (--read-only counts its own).
        if not self.deselecting:
            keyword = self.config.getoption("keyword", "")
            self.recorder.skipped(f"not selected by -k {keyword!r}" if keyword else "not selected", len(items))

    # Last, so that the phases count the tests -k and -m left.
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        deselected = []
        kept = []
        for item in items:
            label = getattr(item, "operation_label", None)
            node_id = getattr(item, "_id", None)
            if label and node_id is not None and getattr(node_id, "params", "") is None:
                # One JUnit test case per operation: under pytest 9 Schemathesis' items lose the operation
                # from their node id (it stays in the name), so put it back as the parameter part.
                item._id = node_id.with_params(label)
            if self.target.read_only and item.get_closest_marker("writes"):
                deselected.append(item)
                continue
            if not self.target.is_sandbox and item.get_closest_marker("sandbox_only"):
                item.add_marker(pytest.mark.skip(reason=SANDBOX_ONLY_REASON))
            kept.append(item)
        if deselected:
            self.deselecting = True
            config.hook.pytest_deselected(items=deselected)
            self.deselecting = False
            items[:] = kept
            self.recorder.skipped(READ_ONLY_REASON, len(deselected))
        # Deterministic checks first, fuzzing last: a target that falls over under fuzzing still gets
        # its list, state and business findings reported.
        items.sort(key=lambda item: console.phase_rank(item.nodeid))
        for item in items:
            name = console.phase_of(item.nodeid)
            if name not in self.phases:
                self.phases[name] = console.Phase(name, 0)
                self.phase_order.append(name)
            self.phases[name].total += 1

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.live is not None:
            self.live.wait()

    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config) -> Any:
        # For people (`elevate-sandbox verify`): no dot per test, the progress lines say more.
        if self.console and not self.verbose:
            return report.outcome, "", ""
        return None

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.recorder.current_test = item.nodeid
        self.recorder.take_pending()
        phase = self.phases.get(console.phase_of(item.nodeid))
        if phase is not None and not phase.begun:
            phase.begun, phase.started, phase.checks_before = True, time.monotonic(), self.recorder.checks_run
        WATCH.last = None
        WATCH.guard()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        try:
            outcome = yield
        except TargetDown as exc:
            self.recorder.take_pending()
            self.tests_with_findings.add(item.nodeid)
            raise AssertionError(f"the target stopped answering: {exc}") from None
        except BaseException as exc:
            if self.recorder.take_pending():
                self.tests_with_findings.add(item.nodeid)
            elif item.nodeid not in self.tests_with_findings and isinstance(exc, Exception):
                self._failure_outside_checks(item, exc)
            raise
        pending = self.recorder.take_pending()
        if pending:
            self.tests_with_findings.add(item.nodeid)
            raise AssertionError(_failure_text(pending, self.target.seed))
        return outcome

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        if WATCH.down:
            item.session.shouldstop = "the target stopped answering"

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        info = self.recorder.info
        counted = report.when == "call" or (report.when == "setup" and not report.passed)
        if not counted:
            return
        phase = self.phases.get(console.phase_of(report.nodeid))
        if report.passed:
            info.tests_passed += 1
        elif report.skipped:
            info.tests_skipped += 1
            self.recorder.skipped(_skip_reason(report))
        else:
            info.tests_failed += 1
            if report.nodeid not in self.tests_with_findings:
                self._unexplained_failure(report)
        if phase is not None:
            phase.done += 1
            phase.passed += report.passed
            phase.failed += report.failed
            phase.skipped += report.skipped
            if phase.done == phase.total:
                self._progress(phase)

    def _failure_outside_checks(self, item: pytest.Item, exc: Exception) -> None:
        """A test that failed outside any named check (a request refused on the way): a finding, with the
        operation and curl of its last request when it made one."""
        text = str(exc) or type(exc).__name__
        self._outside_checks(item.nodeid, text.splitlines()[0], text)
        self.tests_with_findings.add(item.nodeid)

    def _unexplained_failure(self, report: pytest.TestReport) -> None:
        """A test that failed outside any check (a setup call refused, ...) is a finding all the same."""
        crash = getattr(report.longrepr, "reprcrash", None)
        title = crash.message.splitlines()[0] if crash is not None and crash.message else report.nodeid
        self.recorder.current_test = report.nodeid
        self._outside_checks(report.nodeid, title, report.longreprtext[-1500:])

    def _outside_checks(self, nodeid: str, title: str, text: str) -> None:
        # Under the operation of the test's last request when it sent one (not the phase's name: that is
        # no operation of the contract), with its curl line.
        operation, curl = WATCH.last_request() or (console.phase_of(nodeid), "")
        name = nodeid.split("::")[-1].split("[")[0]
        self.recorder.failure(operation, name, title[:200], text, curl)
        self.recorder.take_pending()

    def _progress(self, phase: console.Phase) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None or not (self.console or self.verbose):
            return
        number = self.phase_order.index(phase.name) + 1
        reporter.ensure_newline()
        reporter.write_line(console.progress_line(number, len(self.phase_order), phase, self.recorder))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.recorder.info.duration = time.monotonic() - self.recorder.clock_started
        if self.recorder.target_failure is not None:
            session.exitstatus = int(Exit.TARGET_DOWN)
        elif self.recorder.findings and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        self._junit_properties()
        directory = self.config.getoption("report")
        if directory:
            self.recorder.write(Path(directory))

    def _junit_properties(self) -> None:
        """The verdict, the target failure and what was not tested, as properties of the JUnit suite."""
        for plugin in self.config.pluginmanager.get_plugins():
            add = getattr(plugin, "add_global_property", None)
            if add is None:
                continue
            add("verdict", self.recorder.verdict)
            add("categories", self.recorder.category_line())
            failure = self.recorder.target_failure
            if failure is not None:
                add("target_failure", f"{failure.moment}: {failure.error}; last request: {failure.last_request}")
            for reason, count in sorted(self.recorder.not_tested.items()):
                add("not_tested", f"{count} tests: {reason}")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.console:
            terminalreporter.write_sep("=", "Elevate contract kit")
        for line in console.summary(self.recorder, self.config.getoption("report"), self.verbose):
            terminalreporter.write_line(line)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _failure_text(findings: list[Finding], seed: int) -> str:
    body = "\n\n".join(finding.describe() for finding in findings)
    return f"{len(findings)} contract violation(s) (seed {seed}; {console.SEED_HELP}):\n\n{body}"


def kit(config: pytest.Config) -> KitPlugin:
    """The session's plugin instance."""
    plugin = config.pluginmanager.get_plugin("elevate-contract-kit")
    assert isinstance(plugin, KitPlugin), "the contract kit's conftest did not configure the session"
    return plugin


__all__ = ["KitPlugin", "add_options", "curl_of", "hypothesis_home", "kit"]
