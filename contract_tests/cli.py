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

from elevate_sandbox.contract_tests.target import DEFAULT_SEED, Profile

KIT_DIR = Path(__file__).resolve().parent


def add_verify_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``verify`` command to the ``elevate-sandbox`` parser."""
    verify = subparsers.add_parser(
        "verify",
        help="check an Elevate API implementation against the contract (default: the in-process sandbox)",
        description="Run the Elevate contract test kit. The contract comes from this package's openapi/ "
        "files, never from the target. Exits 0 when every check passed, non-zero on any violation.",
    )
    verify.add_argument(
        "--base-url",
        default=None,
        help="the API under test, e.g. http://localhost:8080/v1 (default: start the sandbox in-process on a free port)",
    )
    verify.add_argument("--token", default=None, help="bearer token (minted automatically for a sandbox)")
    verify.add_argument(
        "--report",
        default=None,
        metavar="DIR",
        help="write junit.xml, report.md, report.html and report.json into DIR",
    )
    verify.add_argument(
        "--profile",
        choices=[p.value for p in Profile],
        default=Profile.QUICK.value,
        help="quick (< 60 s, every push) or full (< 5 min, nightly)",
    )
    verify.add_argument("--read-only", action="store_true", help="send no writes (safe against production)")
    verify.add_argument(
        "--sandbox-only",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run (or skip) the scenarios that need the sandbox control API (default: probe GET /_sandbox/health)",
    )
    verify.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"seed of the generated data (default {DEFAULT_SEED})"
    )
    verify.add_argument(
        "-k",
        dest="select",
        default=None,
        metavar="EXPRESSION",
        help="run only the tests matching this pytest -k expression",
    )
    verify.add_argument(
        "--operation",
        action="append",
        default=None,
        metavar="OPERATION_ID",
        help="fuzz only this operation (repeatable)",
    )


def pytest_args(args: argparse.Namespace) -> list[str]:
    """The pytest command line equivalent to ``args``."""
    # --assert=plain: every assertion of the kit carries its own message, and rewriting costs seconds.
    argv = [str(KIT_DIR), "-p", "no:cacheprovider", "-q", "--disable-warnings", "--assert=plain", "-rfE"]
    argv += ["--profile", args.profile, "--seed", str(args.seed)]
    if args.base_url:
        argv += ["--base-url", args.base_url]
    if args.token:
        argv += ["--token", args.token]
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


def run_verify(args: argparse.Namespace) -> int:
    """Run the kit as ``args`` ask; the exit status is pytest's (0 only when nothing was violated)."""
    try:
        import pytest
        import schemathesis  # noqa: F401  (the kit's fuzzer: without it nothing below can run)
    except ImportError as exc:
        print(
            f"elevate-sandbox verify needs the kit's test tools ({exc.name} is not installed): "
            "pip install 'elevate-sandbox[kit]'",
            file=sys.stderr,
        )
        return 2

    started = time.monotonic()
    status = int(pytest.main(pytest_args(args)))
    verdict = "PASSED" if status == 0 else "FAILED"
    print(f"elevate-sandbox verify: {verdict} in {time.monotonic() - started:.1f} s (exit status {status})")
    return status


def main(argv: list[str] | None = None) -> int:
    """``python -m elevate_sandbox.contract_tests.cli``: the verify command on its own."""
    parser = argparse.ArgumentParser(prog="elevate-sandbox")
    add_verify_parser(parser.add_subparsers(dest="command", required=True))
    return run_verify(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
