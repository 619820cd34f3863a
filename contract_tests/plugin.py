"""The kit's pytest plugin: finds the target, selects tests, turns findings into failures, writes reports."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from schemathesis import Case, HookContext, Response
from schemathesis.checks import CheckResult

from elevate_sandbox.contract_tests import schema as contract
from elevate_sandbox.contract_tests import spec
from elevate_sandbox.contract_tests.client import TOKEN_PLACEHOLDER, curl_of
from elevate_sandbox.contract_tests.report import Finding, Recorder
from elevate_sandbox.contract_tests.target import (
    DEFAULT_SEED,
    Profile,
    Target,
    mint_sandbox_token,
    normalise_api_url,
    probe_sandbox,
)

SEED_HELP = "rerun with the same --seed to replay the same generated requests"


def add_options(parser: pytest.Parser) -> None:
    """The kit's command-line options (also accepted by `elevate-sandbox verify`)."""
    group = parser.getgroup("elevate", "Elevate contract kit")
    group.addoption(
        "--base-url",
        default=None,
        help="the API under test, e.g. http://localhost:8080/v1 (default: start the sandbox in-process on a free port)",
    )
    group.addoption("--token", default=None, help="bearer token for the API (minted automatically for a sandbox)")
    group.addoption(
        "--profile",
        choices=[p.value for p in Profile],
        default=Profile.QUICK.value,
        help="quick (every push, < 60 s) or full (nightly, < 5 min)",
    )
    group.addoption(
        "--read-only",
        action="store_true",
        default=False,
        help="send no writes: only read operations and read-only checks (safe for production)",
    )
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
    group.addoption(
        "--seed", type=int, default=DEFAULT_SEED, help=f"seed of the generated data (default {DEFAULT_SEED})"
    )
    group.addoption(
        "--operation",
        action="append",
        default=None,
        metavar="OPERATION_ID",
        help="fuzz only this operation (repeatable; default: every operation)",
    )


class KitPlugin:
    """One per pytest session: owns the target, the in-process sandbox if any, and the recorder."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.live: Any = None
        self.target = self._find_target(config)
        self.recorder = Recorder(op.label for op in spec.operations())
        info = self.recorder.info
        info.target, info.profile, info.seed = (
            self.target.api_url,
            self.target.profile.value,
            self.target.seed,
        )
        info.sandbox, info.read_only = self.target.is_sandbox, self.target.read_only
        contract.configure(self.target, config.getoption("operation"))
        contract.SCHEMA.hooks.register_hook_with_name(self.after_validate, "after_validate")

    def _find_target(self, config: pytest.Config) -> Target:
        base_url = config.getoption("base_url")
        token = config.getoption("token")
        if base_url is None:
            base_url, token = self._start_sandbox(token)
        api_url = normalise_api_url(base_url)
        forced = config.getoption("sandbox_only")
        is_sandbox = probe_sandbox(api_url) if forced is None else bool(forced)
        if token is None:
            if not probe_sandbox(api_url):
                raise pytest.UsageError("--token is required: the target has no sandbox control API to mint one")
            token = mint_sandbox_token(api_url)
        return Target(
            api_url=api_url,
            token=token,
            is_sandbox=is_sandbox,
            read_only=config.getoption("read_only"),
            profile=Profile(config.getoption("profile")),
            seed=config.getoption("seed"),
        )

    def _start_sandbox(self, token: str | None) -> tuple[str, str]:
        from elevate_sandbox.live import LiveSandbox
        from elevate_sandbox.settings import Settings

        self.live = LiveSandbox(Settings(port=0, dataset="demo", validate_responses=True)).start()
        return self.live.base_url, token or self.live.token(f"contract-kit-{int(time.time())}")

    def stop(self) -> None:
        contract.SCHEMA.hooks.unregister(self.after_validate)
        if self.live is not None:
            self.live.stop()

    # -- findings ------------------------------------------------------------------------------------

    def after_validate(self, context: HookContext, case: Case, response: Response, results: list[CheckResult]) -> None:
        """Record every Schemathesis check outcome (conformance and stateful tests)."""
        for result in results:
            if result.failure is None:
                self.recorder.passed(case.operation.label, result.name)
                continue
            curl = self.case_curl(case, response)
            failure = result.failure
            self.recorder.failure(case.operation.label, result.name, failure.title, failure.message, curl)

    def case_curl(self, case: Case, response: Response) -> str:
        try:
            command = case.as_curl_command(headers=dict(response.request.headers))
        except Exception:  # a request Schemathesis cannot render still deserves a report
            return f"# {case.operation.label}: the request could not be rendered as curl"
        command = command.replace(self.target.token, TOKEN_PLACEHOLDER)
        return command.replace("'Authorization: [Filtered]'", f'"Authorization: Bearer {TOKEN_PLACEHOLDER}"')

    @contextlib.contextmanager
    def verdict(self, operation: str, check: str, api: Any = None) -> Iterator[None]:
        """Record the outcome of one custom check; an AssertionError inside is the failure."""
        try:
            yield
        except AssertionError as exc:
            curl = api.curl() if api is not None else ""
            self.recorder.failure(operation, check, str(exc).split("\n")[0][:200], str(exc), curl)
            self.recorder.take_pending()  # the test fails by the assertion itself
            raise
        self.recorder.passed(operation, check)

    # -- pytest hooks --------------------------------------------------------------------------------

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        deselected = []
        kept = []
        for item in items:
            label = getattr(item, "operation_label", None)
            node_id = getattr(item, "_id", None)
            if label and getattr(node_id, "params", "") is None:
                # One JUnit test case per operation: under pytest 9 Schemathesis' items lose the operation
                # from their node id (it stays in the name), so put it back as the parameter part.
                item._id = node_id.with_params(label)  # type: ignore[union-attr]
            if self.target.read_only and item.get_closest_marker("writes"):
                deselected.append(item)
                continue
            if not self.target.is_sandbox and item.get_closest_marker("sandbox_only"):
                item.add_marker(pytest.mark.skip(reason="needs the sandbox control API (/_sandbox)"))
            kept.append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = kept

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.recorder.current_test = item.nodeid
        self.recorder.take_pending()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        try:
            outcome = yield
        except BaseException:
            self.recorder.take_pending()
            raise
        pending = self.recorder.take_pending()
        if pending:
            raise AssertionError(_failure_text(pending, self.target.seed))
        return outcome

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        info = self.recorder.info
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.passed:
                info.tests_passed += 1
            elif report.skipped:
                info.tests_skipped += 1
            else:
                info.tests_failed += 1

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.recorder.info.duration = time.monotonic() - self.recorder.info.started
        directory = self.config.getoption("report")
        if directory:
            self.recorder.write(Path(directory))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("=", "Elevate contract kit")
        terminalreporter.write_line(self.recorder.figures())
        if self.recorder.failures:
            terminalreporter.write_line(f"Seed {self.target.seed}: {SEED_HELP}.")
        directory = self.config.getoption("report")
        if directory:
            terminalreporter.write_line(f"Reports: {Path(directory).resolve()}/report.{{md,html,json}}")


def _failure_text(findings: list[Finding], seed: int) -> str:
    body = "\n\n".join(finding.describe() for finding in findings)
    return f"{len(findings)} contract violation(s) (seed {seed}; {SEED_HELP}):\n\n{body}"


def kit(config: pytest.Config) -> KitPlugin:
    """The session's plugin instance."""
    plugin = config.pluginmanager.get_plugin("elevate-contract-kit")
    assert isinstance(plugin, KitPlugin), "the contract kit's conftest did not configure the session"
    return plugin


__all__ = ["KitPlugin", "add_options", "curl_of", "kit"]
