"""The `elevate-sandbox` command: serve the sandbox, mint tokens, verify an implementation."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from elevate_sandbox import __version__, collector
from elevate_sandbox.auth import DEFAULT_EXPIRES_IN, DEFAULT_TENANT, mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.contract_tests.cli import add_verify_parser, run_verify
from elevate_sandbox.settings import Settings, settings_from_env

if TYPE_CHECKING:  # imported by `serve` alone: `token` and `verify` start without the server
    from elevate_sandbox.runtime import Runtime

MIN_ADMIN_KEY_LENGTH = 16


def _instant(text: str) -> str:
    """An ISO 8601 instant, checked now so that a bad one is a usage error rather than a traceback."""
    from elevate_sandbox.clock import parse_instant

    try:
        parse_instant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 instant, e.g. 2026-11-25T09:00:00Z") from exc
    return text


def _number_flag(parser: argparse.ArgumentParser, flag: str, default: int, meaning: str) -> None:
    """A whole-number flag whose help ends with its default."""
    parser.add_argument(flag, type=int, default=default, help=f"{meaning} (default {default})")


def _switch(parser: argparse.ArgumentParser, flag: str, default: bool, meaning: str) -> None:
    """An on/off flag with its --no- form."""
    parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=meaning)


def _serve_parser(sub: argparse._SubParsersAction, env: Settings) -> None:
    serve = sub.add_parser("serve", help="run the sandbox (every flag also reads SANDBOX_<FLAG>)")
    serve.add_argument("--host", default=env.host, help=f"interface to listen on (default {env.host})")
    _number_flag(serve, "--port", env.port, "port")
    _number_flag(serve, "--seed", env.seed, "seed of the generated data")
    serve.add_argument("--dataset", default=env.dataset, help=f"named dataset to load (default {env.dataset})")
    _switch(
        serve, "--validate-responses", env.validate_responses,
        "check every response against the contract (slower; on in tests)",
    )
    serve.add_argument(
        "--freeze-time",
        type=_instant,
        default=env.freeze_time,
        help="start every tenant's clock frozen here (ISO 8601, e.g. 2026-11-25T09:00:00Z)",
    )
    serve.add_argument("--public-url", default=env.public_url, help="base URL put in generated links")
    _switch(
        serve, "--stock-connexion", env.stock_connexion,
        "serve every request through plain Connexion instead of the request pipeline (slower; same answers)",
    )
    _switch(serve, "--access-log", env.access_log, "log every request")
    strictness = serve.add_mutually_exclusive_group()
    strictness.add_argument(
        "--strict-inferred",
        dest="strict_inferred",
        action="store_true",
        default=env.strict_inferred,
        help="also enforce the constraints the sandbox infers where Elevate's docs are silent (x-inferred)",
    )
    strictness.add_argument(
        "--lenient",
        dest="strict_inferred",
        action="store_false",
        help="enforce only the rules Elevate documents (the default; SANDBOX_STRICT_INFERRED=false)",
    )
    serve.add_argument(
        "--state-file",
        default=env.state_file,
        help="JSON file of every tenant: restored on start, saved on shutdown and every --save-interval seconds",
    )
    _number_flag(
        serve, "--save-interval", env.save_interval, "seconds between saves of --state-file, 0 for shutdown only"
    )
    # Exposure (docs/security.md). The secret and the admin key are read from SANDBOX_JWT_SECRET and
    # SANDBOX_ADMIN_KEY only: a flag's value is visible to every user of the machine in its process list.
    _switch(
        serve, "--insecure", env.insecure,
        "serve on a non-loopback address with the public default secret (anyone can sign tokens)",
    )


def _tenant_flags(serve: argparse.ArgumentParser, env: Settings) -> None:
    """--max-tenants and --tenant-idle-ttl: how many tenants the sandbox holds, and for how long."""
    _number_flag(
        serve, "--max-tenants", env.max_tenants, "tenants held at once, 0 for no limit; a new one past it gets a 503"
    )
    _number_flag(
        serve,
        "--tenant-idle-ttl",
        env.tenant_idle_ttl,
        "seconds after its last request a tenant's state is dropped, 0 for never",
    )


def _tenant_settings(args: argparse.Namespace) -> dict[str, int]:
    """The serve flags of _tenant_flags as Settings fields; exits on a negative value."""
    if args.max_tenants < 0 or args.tenant_idle_ttl < 0:
        sys.exit("elevate-sandbox: --max-tenants and --tenant-idle-ttl take 0 (no limit) or a positive number")
    return {"max_tenants": args.max_tenants, "tenant_idle_ttl": args.tenant_idle_ttl}


def build_parser(env: Settings) -> argparse.ArgumentParser:
    """The command line, with defaults taken from the SANDBOX_* environment."""
    parser = argparse.ArgumentParser(prog="elevate-sandbox", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub, env)
    _tenant_flags(sub.choices["serve"], env)
    token = sub.add_parser("token", help="print a bearer token for the sandbox on one line")
    token.add_argument("--tenant", default=DEFAULT_TENANT, help="tenant whose state the token selects")
    token.add_argument("--expires-in", type=int, default=DEFAULT_EXPIRES_IN, help="lifetime in seconds")
    add_verify_parser(sub)
    return parser


def serve(settings: Settings) -> None:
    """Start the sandbox under uvicorn and block until it is stopped."""
    import uvicorn

    from elevate_sandbox import serving
    from elevate_sandbox.app import create_app
    from elevate_sandbox.fixtures import DATASETS
    from elevate_sandbox.persistence import StateFileError

    if settings.dataset not in DATASETS:
        sys.exit(f"elevate-sandbox: unknown dataset {settings.dataset!r}; choose one of {', '.join(sorted(DATASETS))}")
    if settings.save_interval < 0:
        sys.exit("elevate-sandbox: --save-interval must be 0 (shutdown only) or a number of seconds")
    refusal = exposure_refusal(settings)
    if refusal:
        sys.exit(f"elevate-sandbox: {refusal}")
    try:
        sock = serving.bind(settings.host, settings.port)
    except OSError as exc:
        sys.exit(f"elevate-sandbox: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}")
    # Port 0 asks for any free port: links and the start line use the one the system gave.
    settings = replace(settings, port=sock.getsockname()[1])
    try:
        app = create_app(settings)
    except StateFileError as exc:
        sys.exit(f"elevate-sandbox: {exc}; nothing was started (move the file away to start empty)")
    # Seed the default tenant now: a broken dataset stops the start, and the first request is fast.
    runtime: Runtime = app.runtime
    runtime.store.tenant(DEFAULT_TENANT)
    # What start-up built (the contract, its validators, the default tenant's data) lives as long as the
    # process: out of the cyclic collector's full passes, which otherwise paused requests for ~50 ms.
    collector.settle()
    collector.keep_full_collections_short()
    print(start_line(settings, serving.address_of(sock)) + _restored_note(runtime, settings), flush=True)
    sys.setswitchinterval(serving.SWITCH_INTERVAL_SECONDS)  # builds in worker threads stall the loop less
    # The lifespan saves the state file periodically and on shutdown.
    uvicorn.Server(serving.config(app, settings, lifespan="on")).run(sockets=[sock])


def start_line(settings: Settings, address: str) -> str:
    """What `serve` prints once it listens: the address it is bound to (not where links point), and exposure."""
    links = f"; links use {settings.base_url}" if settings.base_url != address else ""
    return (
        f"Elevate sandbox listening on {address}/v1 (Swagger UI {address}/v1/ui/) "
        f"with seed {settings.seed} and dataset {settings.dataset!r}{links}{_exposure_note(settings)}"
    )


def exposure_refusal(settings: Settings) -> str | None:
    """Why the sandbox must not start as configured (None: it may)."""
    if settings.exposed and settings.default_secret and not settings.insecure:
        return (
            f"refusing to listen on {settings.host}, beyond this machine, with the public default secret: anyone "
            "could sign tokens for any tenant. Set SANDBOX_JWT_SECRET to a secret of your own (and SANDBOX_ADMIN_KEY "
            "for named tenants), bind 127.0.0.1, or pass --insecure if everyone on that network may do anything"
        )
    if settings.admin_key is not None and len(settings.admin_key) < MIN_ADMIN_KEY_LENGTH:
        return f"SANDBOX_ADMIN_KEY must be at least {MIN_ADMIN_KEY_LENGTH} characters long"
    return None


def _exposure_note(settings: Settings) -> str:
    """What the start line adds about exposure."""
    if not settings.exposed:
        return ""
    if settings.default_secret:
        return "; EXPOSED WITH THE PUBLIC DEFAULT SECRET (--insecure): anyone can act as any tenant"
    admin = "admin key set" if settings.admin_key else "no admin key: named tenants, imports and large datasets refused"
    return f"; exposed: fresh tenants per token, {admin}"


def _restored_note(runtime: Runtime, settings: Settings) -> str:
    """What the start line adds about the state file."""
    if not settings.state_file or runtime.state_file is None:
        return ""
    restored = len(runtime.state_file.restored)
    return f"; state file {settings.state_file} ({restored} tenants restored)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of `python -m elevate_sandbox`."""
    try:
        env = settings_from_env()
    except ValueError as exc:
        sys.exit(f"elevate-sandbox: {exc}")
    args = build_parser(env).parse_args(argv)
    if args.command == "serve":
        tenant_limits = _tenant_settings(args)
        serve(
            replace(
                env,
                host=args.host,
                port=args.port,
                seed=args.seed,
                dataset=args.dataset,
                validate_responses=args.validate_responses,
                freeze_time=args.freeze_time,
                public_url=args.public_url,
                access_log=args.access_log,
                state_file=args.state_file,
                save_interval=args.save_interval,
                insecure=args.insecure,
                strict_inferred=args.strict_inferred,
                stock_connexion=args.stock_connexion,
                max_tenants=tenant_limits["max_tenants"],
                tenant_idle_ttl=tenant_limits["tenant_idle_ttl"],
            )
        )
    elif args.command == "verify":
        return run_verify(args)
    elif args.command == "token":
        try:
            print(mint_token(env.jwt_secret, SystemClock(), args.tenant, args.expires_in))
        except ValueError as exc:
            sys.exit(f"elevate-sandbox: {exc}")
    return 0
