"""`elevate-sandbox verify`: run the contract kit against an implementation; non-zero exit on any violation.

Wired into ``sandbox/cli.py`` with two lines::

    add_verify_parser(sub)                              # in build_parser
    if args.command == "verify": return run_verify(args) # in main
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from elevate_sandbox.contract_tests.preflight import Exit
from elevate_sandbox.contract_tests.target import RUN_OPTIONS, checked_base_url

KIT_DIR = Path(__file__).resolve().parent
PROG = "elevate-sandbox verify"


def _base_url(text: str) -> str:
    try:
        return checked_base_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _report_dir(text: str) -> str:
    if Path(text).exists() and not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a directory")
    return text


def _operation_id(text: str) -> str:
    from elevate_sandbox.contract_tests import spec

    known = [op.operation_id for op in spec.operations()]
    if text not in known:
        raise argparse.ArgumentTypeError(f"no operation {text!r} in the contract; one of: {', '.join(known)}")
    return text


def add_verify_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``verify`` command to the ``elevate-sandbox`` parser."""
    verify = subparsers.add_parser(
        "verify",
        help="check an Elevate API implementation against the contract (default: the in-process sandbox)",
        description="Run the Elevate contract test kit. The contract comes from this package's openapi/ "
        "files, never from the target. Exit status: 0 pass, 1 contract violations, 2 bad arguments, "
        "3 kit error, 10 target unreachable, 11 token refused, 12 no API at the URL, "
        "13 target stopped answering (docs/kit.md).",
    )
    checked = {"--base-url": {"type": _base_url}, "--operation": {"type": _operation_id}}
    for name, keywords in RUN_OPTIONS.items():
        verify.add_argument(name, **keywords, **checked.get(name, {}))
    verify.add_argument(
        "--report",
        type=_report_dir,
        default=None,
        metavar="DIR",
        help="write junit.xml, report.md, report.html and report.json into DIR",
    )
    verify.add_argument(
        "--sandbox-only",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run (or skip) the scenarios that need the sandbox control API (default: probe GET /_sandbox/health)",
    )
    verify.add_argument(
        "-k",
        dest="select",
        default=None,
        metavar="EXPRESSION",
        help="run only the tests matching this pytest -k expression",
    )
    verify.add_argument(
        "-v", "--verbose", action="store_true", help="print every test and every finding with its message"
    )


def pytest_args(args: argparse.Namespace, *, preflight_done: bool = False) -> list[str]:
    """The pytest command line equivalent to ``args``."""
    # --assert=plain: every assertion of the kit carries its own message, and rewriting costs seconds.
    argv = [str(KIT_DIR), "-p", "no:cacheprovider", "--assert=plain", "-p", "no:warnings"]
    # Its full garbage collection at the end took 0.6 s over the fuzzer's heap, to look for warnings nobody reads.
    argv += ["-p", "no:unraisableexception"]
    argv += ["-o", "console_output_style=classic"]
    argv += ["-v", "--tb=short", "-rfE"] if getattr(args, "verbose", False) else ["-q", "--tb=no", "-rN"]
    argv += ["--kit-console", "--profile", args.profile, "--seed", str(args.seed)]
    if args.base_url:
        argv += ["--base-url", args.base_url]
    if args.token:
        argv += ["--token", args.token]
    if preflight_done:
        argv.append("--kit-preflight-done")
    if args.read_only:
        argv.append("--read-only")
    if args.sandbox_only is not None:
        argv.append("--sandbox-only" if args.sandbox_only else "--no-sandbox-only")
    if args.report:
        report = Path(args.report)
        argv += ["--report", str(report), f"--junitxml={report / 'junit.xml'}"]
    if getattr(args, "select", None):
        argv += ["-k", args.select]
    for operation_id in getattr(args, "operation", None) or []:
        argv += ["--operation", operation_id]
    return argv


# pytest's own statuses, as the kit's (docs/kit.md): a selection that matches nothing is a bad argument.
_PYTEST_STATUS = {0: Exit.PASS, 1: Exit.FAIL, 2: Exit.USAGE, 3: Exit.KIT_ERROR, 4: Exit.USAGE, 5: Exit.USAGE}


def run_verify(args: argparse.Namespace) -> int:
    """Run the kit as ``args`` ask; the exit status says what happened (``preflight.Exit``)."""
    try:
        import pytest
        import schemathesis  # noqa: F401  (the kit's fuzzer: without it nothing below can run)
    except ImportError as exc:
        print(
            f"{PROG} needs the kit's test tools ({exc.name} is not installed): pip install 'elevate-sandbox[kit]'",
            file=sys.stderr,
        )
        return int(Exit.USAGE)

    from elevate_sandbox.contract_tests import preflight

    started = time.monotonic()
    if args.base_url:
        try:
            cleared = preflight.run(args.base_url, args.token, args.sandbox_only)
        except preflight.PreflightError as exc:
            print(f"{PROG}: {exc.message} (exit status {int(exc.status)})", file=sys.stderr)
            return int(exc.status)
        args.token = cleared.token
        kind = "a sandbox" if cleared.is_sandbox else "no sandbox control API"
        print(f"pre-flight: {args.base_url} answers, the token is accepted, {kind} ({cleared.seconds:.1f} s)")
    try:
        status = int(pytest.main(pytest_args(args, preflight_done=bool(args.base_url))))
    except Exception as exc:  # the kit itself broke: one line, and the status that says so
        print(f"{PROG}: the kit failed ({type(exc).__name__}: {exc}); please report it", file=sys.stderr)
        return int(Exit.KIT_ERROR)
    status = int(_PYTEST_STATUS.get(status, status))
    verdict = {0: "PASS", 1: "FAIL", 13: "FAIL (the target stopped answering)"}.get(status, "NOT RUN")
    print(f"{PROG}: {verdict} in {time.monotonic() - started:.1f} s (exit status {status})")
    return status


def main(argv: list[str] | None = None) -> int:
    """``python -m elevate_sandbox.contract_tests.cli``: the verify command on its own."""
    from elevate_sandbox import __version__

    parser = argparse.ArgumentParser(prog="elevate-sandbox")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_verify_parser(parser.add_subparsers(dest="command", required=True))
    return run_verify(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
