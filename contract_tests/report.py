"""What the kit found: every check run per operation, each distinct failure with a curl that reproduces it.

One ``Recorder`` lives for a pytest session. Conformance and stateful tests feed it through Schemathesis'
``after_validate`` hook; list, resource and scenario checks feed it through ``KitPlugin.verdict``. At the
end it is written as ``report.json`` (machine-readable, used by the kit's own tests), ``report.md`` and
``report.html`` (the verdict, failures by category, a matrix of operations by checks, what was not tested).
Every text that enters it passes ``redact`` first: no report ever holds the bearer token.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from elevate_sandbox.contract_tests import categories

MESSAGE_LIMIT = 2000
TOKEN_PLACEHOLDER = "$TOKEN"
MIN_BARE_SECRET = 12
# Anything shaped like a JWT is a credential, whoever minted it.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def now_iso() -> str:
    """The wall-clock time, as reports show it."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(slots=True)
class Finding:
    """One distinct violation: an operation failing a check, with how to reproduce it."""

    operation: str
    check: str
    title: str
    message: str
    curl: str
    test: str = ""
    count: int = 1
    category: str = ""
    moment: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.operation, self.check, self.title)

    def describe(self) -> str:
        """A plain-text paragraph for pytest's failure output."""
        return (
            f"[{self.check}] {self.operation}: {self.title}\n{self.message.strip()}\n"
            f"Reproduce with:\n    {self.curl or '(no request recorded)'}"
        )


@dataclass(slots=True)
class TargetFailure:
    """The target stopped answering: when, on which request, and what the transport said."""

    moment: str
    error: str
    last_request: str
    test: str


@dataclass(slots=True)
class RunInfo:
    """The figures a run prints and writes at the top of its summary."""

    target: str = ""
    profile: str = ""
    seed: int = 0
    sandbox: bool = False
    read_only: bool = False
    started: str = field(default_factory=now_iso)  # wall-clock, ISO 8601
    duration: float = 0.0
    tests_passed: int = 0
    tests_failed: int = 0
    tests_skipped: int = 0


class Recorder:
    """Collects check outcomes for the whole session and the failures of the running test."""

    def __init__(self, operations: Iterable[str] = ()) -> None:
        self.operations: list[str] = list(operations)
        self.runs: Counter[tuple[str, str]] = Counter()
        self.failed: Counter[tuple[str, str]] = Counter()
        self.findings: dict[tuple[str, str, str], Finding] = {}
        self.not_tested: Counter[str] = Counter()  # reason -> tests not run for it
        self.target_failure: TargetFailure | None = None
        self.current_test = ""
        self.pending: list[Finding] = []
        self.info = RunInfo()
        self.clock_started = time.monotonic()
        self.secrets: list[str] = []

    def redact(self, text: str) -> str:
        """``text`` with every known secret and anything shaped like a JWT replaced by ``$TOKEN``."""
        for secret in self.secrets:
            if not secret:
                continue
            text = text.replace(f"Bearer {secret}", f"Bearer {TOKEN_PLACEHOLDER}")
            if len(secret) >= MIN_BARE_SECRET:  # a short token ("x") would also match ordinary text
                text = text.replace(secret, TOKEN_PLACEHOLDER)
        return _JWT.sub(TOKEN_PLACEHOLDER, text)

    def passed(self, operation: str, check: str) -> None:
        """Count one successful run of ``check`` on ``operation``."""
        self.runs[(operation, check)] += 1

    def failure(self, operation: str, check: str, title: str, message: str, curl: str) -> Finding:
        """Count one failed run; keep the first example of each distinct failure."""
        self.runs[(operation, check)] += 1
        self.failed[(operation, check)] += 1
        finding = Finding(
            operation,
            check,
            self.redact(title.strip() or check),
            self.redact(message[:MESSAGE_LIMIT]),
            self.redact(curl),
            self.current_test,
            category=categories.category(check),
            moment=now_iso(),
        )
        known = self.findings.get(finding.key)
        if known is not None:
            known.count += 1
            return known
        self.findings[finding.key] = finding
        self.pending.append(finding)
        return finding

    def take_pending(self) -> list[Finding]:
        """The new findings since the running test started (the test fails if there are any)."""
        pending, self.pending = self.pending, []
        return pending

    def skipped(self, reason: str, count: int = 1) -> None:
        """Note tests that did not run, and why."""
        self.not_tested[self.redact(reason.strip())] += count

    # -- figures -------------------------------------------------------------------------------------

    @property
    def checks(self) -> list[str]:
        """Every check that ran, in a stable order: Schemathesis' built-ins first."""
        names = {check for _, check in self.runs}
        return sorted(names, key=lambda name: (name not in BUILTIN_ORDER, BUILTIN_ORDER.get(name, 0), name))

    @property
    def checks_run(self) -> int:
        return sum(self.runs.values())

    @property
    def failures(self) -> int:
        return len(self.findings)

    @property
    def verdict(self) -> str:
        return "FAIL" if self.findings or self.target_failure or self.info.tests_failed else "PASS"

    def by_category(self) -> dict[str, list[Finding]]:
        """Findings grouped by category, categories and findings in order of importance."""
        grouped: dict[str, list[Finding]] = {name: [] for name in categories.ORDER}
        for finding in self.ranked():
            grouped.setdefault(finding.category, []).append(finding)
        return {name: found for name, found in grouped.items() if found}

    def ranked(self) -> list[Finding]:
        """Every finding, most important first, so that the first few show as many kinds of fault as there are.

        First the most important finding of each category (in the categories' order), then the first of
        each other check, then the rest; within each round by category, then by how often it was seen.
        Otherwise one fault seen on every operation (a mock that ignores auth) fills the whole top ten.
        """
        by_severity = sorted(self.findings.values(), key=lambda f: (categories.rank(f.check), -f.count))
        categories_seen: set[str] = set()
        checks_seen: set[str] = set()
        rounds: list[list[Finding]] = [[], [], []]
        for finding in by_severity:
            if finding.category not in categories_seen:
                rounds[0].append(finding)
            elif finding.check not in checks_seen:
                rounds[1].append(finding)
            else:
                rounds[2].append(finding)
            categories_seen.add(finding.category)
            checks_seen.add(finding.check)
        return [finding for found in rounds for finding in found]

    def tested_operations(self) -> list[str]:
        """Every operation a check ran on (the contract's first), and any other place a finding was
        recorded under (a test that failed before naming an operation)."""
        seen = {operation for operation, _ in self.runs}
        ordered = [op for op in self.operations if op in seen]
        return ordered + sorted(seen - set(ordered))

    def covered_operations(self) -> list[str]:
        """The contract's operations on which at least one check ran."""
        seen = {operation for operation, _ in self.runs}
        return [op for op in self.operations if op in seen]

    def figures(self) -> str:
        """The one-paragraph summary printed at the end of a run."""
        info = self.info
        return (
            f"Elevate contract kit: {info.target} (profile {info.profile}, seed {info.seed}"
            f"{', read-only' if info.read_only else ''}{', sandbox' if info.sandbox else ''}), "
            f"started {info.started}\n"
            f"  duration {info.duration:.1f} s, "
            f"operations {len(self.covered_operations())}/{len(self.operations)}, "
            f"checks run {self.checks_run}, failures {self.failures}, "
            f"tests {info.tests_passed} passed / {info.tests_failed} failed / {info.tests_skipped} skipped"
        )

    def category_line(self) -> str:
        """``lists 2, statefulness 1`` (or ``none``)."""
        grouped = self.by_category()
        return ", ".join(f"{name} {len(found)}" for name, found in grouped.items()) or "none"

    # -- writers -------------------------------------------------------------------------------------

    def write(self, directory: Path) -> list[Path]:
        """Write report.json, report.md and report.html into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        outputs = {
            "report.json": json.dumps(self.as_dict(), indent=2),
            "report.md": self.as_markdown(),
            "report.html": self.as_html(),
        }
        paths = []
        for name, text in outputs.items():
            path = directory / name
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        return paths

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "info": asdict(self.info),
            "checks_run": self.checks_run,
            "operations": self.tested_operations(),
            "target_failure": asdict(self.target_failure) if self.target_failure else None,
            "categories": {name: len(found) for name, found in self.by_category().items()},
            "not_tested": [{"reason": reason, "tests": count} for reason, count in sorted(self.not_tested.items())],
            "matrix": [
                {"operation": op, "check": check, "runs": runs, "failures": self.failed[(op, check)]}
                for (op, check), runs in sorted(self.runs.items())
            ],
            "failures": [asdict(finding) for finding in self.ranked()],
        }

    def _cell(self, operation: str, check: str) -> tuple[str, str]:
        runs = self.runs[(operation, check)]
        failed = self.failed[(operation, check)]
        if not runs:
            return "", "none"
        if failed:
            return f"✗ {failed}/{runs}", "fail"
        return f"✓ {runs}", "pass"

    def _target_failure_text(self) -> str:
        failure = self.target_failure
        if failure is None:
            return ""
        return (
            f"The target stopped answering at {failure.moment} (during {failure.test}): {failure.error}\n"
            f"Last request: {failure.last_request}"
        )

    def as_markdown(self) -> str:
        checks = self.checks
        lines = [
            f"# Elevate contract kit report: {self.verdict}",
            "",
            "```",
            self.figures(),
            "```",
            "",
        ]
        if self.target_failure:
            lines += ["## Target failure", "", "```", self._target_failure_text(), "```", ""]
        lines += [f"Failures by category: {self.category_line()}", "", "## Not tested", ""]
        lines += [f"- {reason} ({count} tests)" for reason, count in sorted(self.not_tested.items())] or [
            "- nothing: every test of the kit ran"
        ]
        lines += ["", "## Operations by checks", ""]
        lines.append("| operation | " + " | ".join(checks) + " |")
        lines.append("|---|" + "---|" * len(checks))
        for operation in self.tested_operations():
            cells = [self._cell(operation, check)[0] for check in checks]
            lines.append(f"| `{operation}` | " + " | ".join(cells) + " |")
        lines += ["", f"## Failures ({self.failures})", ""]
        if not self.findings:
            lines.append("None: the implementation passed every check the kit ran.")
        for number, finding in enumerate(self.ranked(), 1):
            lines += [
                f"### {number}. [{finding.category}] `{finding.operation}`: {finding.check}",
                "",
                f"**{finding.title}** (seen {finding.count}x, first at {finding.moment}; test `{finding.test}`)",
                "",
                "```",
                finding.message.strip(),
                "```",
                "",
                "Reproduce with:",
                "",
                "```sh",
                finding.curl or "(no request recorded)",
                "```",
                "",
            ]
        return "\n".join(lines) + "\n"

    def as_html(self) -> str:
        esc = html.escape
        checks = self.checks
        head = "".join(f"<th><span>{esc(check)}</span></th>" for check in checks)
        rows = []
        for operation in self.tested_operations():
            cells = "".join(
                f'<td class="{css}">{esc(text)}</td>' for text, css in (self._cell(operation, c) for c in checks)
            )
            rows.append(f"<tr><th><code>{esc(operation)}</code></th>{cells}</tr>")
        failures = []
        for number, finding in enumerate(self.ranked(), 1):
            failures.append(
                f"<section><h3>{number}. [{esc(finding.category)}] <code>{esc(finding.operation)}</code>: "
                f"{esc(finding.check)}</h3>"
                f"<p><b>{esc(finding.title)}</b> (seen {finding.count}x, first at {esc(finding.moment)}; "
                f"test <code>{esc(finding.test)}</code>)</p>"
                f"<pre>{esc(finding.message.strip())}</pre><p>Reproduce with:</p>"
                f'<pre class="curl">{esc(finding.curl or "(no request recorded)")}</pre></section>'
            )
        body = "".join(failures) or "<p>None: the implementation passed every check the kit ran.</p>"
        target = (
            f'<h2>Target failure</h2><pre class="down">{esc(self._target_failure_text())}</pre>'
            if self.target_failure
            else ""
        )
        skipped = "".join(
            f"<li>{esc(reason)} ({count} tests)</li>" for reason, count in sorted(self.not_tested.items())
        )
        return HTML_TEMPLATE.format(
            verdict=self.verdict,
            figures=esc(self.figures()),
            target=target,
            categories=esc(self.category_line()),
            not_tested=skipped or "<li>nothing: every test of the kit ran</li>",
            head=head,
            rows="".join(rows),
            count=self.failures,
            failures=body,
        )


# Schemathesis' checks in the order the report shows them; custom and scenario checks follow by name.
BUILTIN_ORDER = {
    name: index
    for index, name in enumerate(
        [
            "not_a_server_error",
            "status_code_conformance",
            "content_type_conformance",
            "response_headers_conformance",
            "response_schema_conformance",
            "negative_data_rejection",
            "positive_data_acceptance",
            "missing_required_header",
            "unsupported_method",
            "ignored_auth",
            "use_after_free",
            "ensure_resource_availability",
        ]
    )
}

HTML_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Elevate contract kit report: {verdict}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.85rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.4rem; text-align: center; }}
thead th {{ vertical-align: bottom; height: 11rem; white-space: nowrap; }}
thead th span {{ writing-mode: vertical-rl; transform: rotate(180deg); }}
tbody th {{ text-align: left; white-space: nowrap; }}
td.pass {{ background: #e6f4ea; }} td.fail {{ background: #fce8e6; font-weight: bold; }}
td.none {{ background: #f5f5f5; }}
pre {{ background: #f6f8fa; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }}
pre.curl {{ background: #fff8e1; }} pre.down {{ background: #fce8e6; }}
</style></head><body>
<h1>Elevate contract kit report: {verdict}</h1>
<pre>{figures}</pre>
{target}
<p>Failures by category: {categories}</p>
<h2>Not tested</h2>
<ul>{not_tested}</ul>
<h2>Operations by checks</h2>
<table><thead><tr><th>operation</th>{head}</tr></thead><tbody>{rows}</tbody></table>
<h2>Failures ({count})</h2>
{failures}
</body></html>
"""
