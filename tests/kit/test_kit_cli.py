"""The kit as a new user meets it: argument errors, pre-flight, a target that stops answering, and reports
that say so in every format, keep the token out and leave nothing in the working directory."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from elevate_sandbox.cli import main as elevate_main
from elevate_sandbox.contract_tests import preflight
from elevate_sandbox.contract_tests.preflight import Exit, PreflightError
from elevate_sandbox.contract_tests.report import Recorder, TargetFailure
from elevate_sandbox.contract_tests.rewriting import Exchange, Rewriting, Served
from elevate_sandbox.live import LiveSandbox, free_port
from elevate_sandbox.settings import Settings

from elevate_sandbox.app import create_app  # isort: skip


@pytest.fixture(scope="module")
def live() -> Iterator[LiveSandbox]:
    with LiveSandbox(Settings(port=0, dataset="demo")) as sandbox:
        yield sandbox


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as ended:
        elevate_main(argv)
    err = capsys.readouterr().err
    assert ended.value.code == 2, err
    assert "usage:" in err and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["verify", "--base-url", "not-a-url"], "is not an absolute http(s) URL"),
        (["verify", "--base-url", "ftp://host/v1"], "is not an absolute http(s) URL"),
        (["verify", "--operation", "noSuchOperation"], "no operation 'noSuchOperation'"),
        (["verify", "--seed", "x"], "invalid int value"),
        (["verify", "--profile", "slow"], "invalid choice"),
        (["serve", "--freeze-time", "yesterday"], "is not an ISO 8601 instant"),
    ],
)
def test_a_bad_argument_is_a_usage_error(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert says in _usage_error(argv, capsys)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        elevate_main(["--version"])
    assert ended.value.code == 0 and capsys.readouterr().out.startswith("elevate-sandbox ")


def test_preflight_clears_a_sandbox_and_mints_a_token(live: LiveSandbox) -> None:
    cleared = preflight.run(live.base_url + "/v1", None)
    assert cleared.is_sandbox and cleared.token and cleared.seconds < 5


def test_preflight_names_the_prefix_that_works(live: LiveSandbox) -> None:
    with pytest.raises(PreflightError) as stopped:
        preflight.run(live.base_url, live.token())
    assert stopped.value.status is Exit.NOT_FOUND
    assert f"the API answers at /v1: use --base-url {live.base_url}/v1" in stopped.value.message


def test_preflight_stops_at_a_refused_token(live: LiveSandbox) -> None:
    with pytest.raises(PreflightError) as stopped:
        preflight.run(live.base_url + "/v1", "not-a-token")
    assert stopped.value.status is Exit.TOKEN_REFUSED and "refused the token" in stopped.value.message


def test_preflight_stops_at_an_unreachable_target() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(PreflightError) as stopped:
        preflight.run(url, "any")
    assert stopped.value.status is Exit.UNREACHABLE and stopped.value.message.startswith(f"cannot reach {url}")


def _verify(cwd: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "elevate_sandbox", "verify", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow  # a kit run in a subprocess
def test_the_cli_exits_with_preflights_status_and_one_sentence(live: LiveSandbox, tmp_path: Path) -> None:
    done = _verify(tmp_path, "--base-url", live.base_url, "--token", live.token())
    assert done.returncode == 12, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "use --base-url" in done.stderr, done.stderr


@pytest.mark.slow  # a kit run in a subprocess
def test_a_green_run_is_short_redacted_and_leaves_no_files(live: LiveSandbox, tmp_path: Path) -> None:
    token = live.token("kit-cli-green")
    done = _verify(tmp_path, "--base-url", live.base_url + "/v1", "--token", token, "-k", "test_unknown_ids",
                   "--operation", "getRefunds", "--report", "out")  # fmt: skip
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert any(line.startswith("PASS  http://") for line in lines) and len(lines) < 50, done.stdout
    # The one phase -k left has its progress line; what -k and --operation left out is reported as not tested.
    assert any(line.startswith("[1/1] resources and JSON Patch: ") for line in lines), done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "the run left files in the working directory"
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["verdict"] == "PASS" and report["info"]["started"].endswith("Z")
    reasons = {entry["reason"]: entry["tests"] for entry in report["not_tested"]}
    assert reasons.get("not selected by -k 'test_unknown_ids'", 0) > 100, reasons
    assert reasons.get("conformance of the other operations: --operation chose getRefunds") == 28, reasons
    for name in ("report.json", "report.md", "report.html", "junit.xml"):
        assert token not in (tmp_path / "out" / name).read_text(), f"{name} holds the token"


@pytest.mark.slow  # a kit run in a subprocess
def test_a_target_that_stops_answering_ends_the_run_as_a_finding(tmp_path: Path) -> None:
    served: list[Served] = []
    seen = [0]

    def stop_after_a_while(exchange: Exchange) -> None:
        seen[0] += 1
        if seen[0] == 120:
            served[0].server.should_exit = True

    app = Rewriting(create_app(Settings(port=0, dataset="demo")), "*", r"/v1/.*", before=stop_after_a_while)
    server = Served(app)
    served.append(server)
    with server as url:
        done = _verify(tmp_path, "--base-url", url + "/v1", "-k", "test_conformance", "--report", "out")
    out = tmp_path / "out"
    assert done.returncode == 13, done.stdout + done.stderr
    assert "The target stopped answering at" in done.stdout and "Traceback" not in done.stdout + done.stderr
    report = json.loads((out / "report.json").read_text())
    failure = report["target_failure"]
    assert failure["moment"].endswith("Z") and failure["last_request"].startswith("curl "), failure
    assert report["categories"].get("transport") == 1 and report["verdict"] == "FAIL"
    assert "## Target failure" in (out / "report.md").read_text()
    assert "<h2>Target failure</h2>" in (out / "report.html").read_text()
    assert 'name="target_failure"' in (out / "junit.xml").read_text()


def test_every_report_says_what_was_not_tested_and_redacts_tokens(tmp_path: Path) -> None:
    recorder = Recorder(["GET /refunds"])
    recorder.secrets.append("s3cr3t-token-value")
    recorder.skipped("needs the sandbox control API (/_sandbox)", 3)
    recorder.failure("GET /refunds", "sort_order", "t", "message with s3cr3t-token-value",
                     "curl -H 'Authorization: Bearer s3cr3t-token-value' http://x/refunds")  # fmt: skip
    recorder.target_failure = TargetFailure("2026-12-03T10:00:00Z", "ConnectError", "curl http://x", "test_x")
    recorder.write(tmp_path)
    for name in ("report.json", "report.md", "report.html"):
        text = (tmp_path / name).read_text()
        assert "needs the sandbox control API" in text and "s3cr3t" not in text and "$TOKEN" in text, name
        assert "2026-12-03T10:00:00Z" in text, name


@pytest.mark.slow  # a kit run in a subprocess
def test_a_test_failing_before_its_check_names_the_request_that_failed(tmp_path: Path) -> None:
    # The kit writes a few customer payments when a customer's list is too short for the list checks;
    # this target shows every customer an empty list and refuses the writes.
    def empty_list_refused_write(exchange: Exchange) -> None:
        if exchange.method == "GET":
            exchange.set_json([])
        else:
            exchange.set_json({"message": "refused", "code": "VALIDATION_ERROR"}, 400)

    app = Rewriting(create_app(Settings(port=0, dataset="demo")), "*", r"/v1/customer-payments",
                    after=empty_list_refused_write)  # fmt: skip
    with Served(app) as url:
        done = _verify(tmp_path, "--base-url", url + "/v1", "--report", "out",
                       "-k", "test_page_size_is_honoured and getCustomerPayments")  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    [finding] = report["failures"]
    assert finding["operation"] == "POST /customer-payments", finding
    assert finding["curl"].startswith("curl -X POST") and "/v1/customer-payments" in finding["curl"], finding
    assert "operations 1/29," in done.stdout, done.stdout  # the refused POST, not a phase name
