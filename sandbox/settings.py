"""The sandbox's configuration: one frozen dataclass, read from CLI flags and SANDBOX_* variables."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

# The contracts ship inside the package (elevate_sandbox.openapi), wherever it is installed.
OPENAPI_DIR: Traversable = resources.files("elevate_sandbox.openapi")
ELEVATE_SPEC: Traversable = OPENAPI_DIR / "elevate-payments.yaml"
CONTROL_SPEC: Traversable = OPENAPI_DIR / "sandbox-control.yaml"

# A fixed development secret: tokens minted by one sandbox work on another with the same default.
DEFAULT_JWT_SECRET = "elevate-sandbox-development-secret-not-for-production"
MAX_BODY_BYTES = 1024 * 1024
MAX_STATE_BYTES = 256 * 1024 * 1024
# A tenant that only read costs a few KB, one that wrote tens of KB: a thousand fit any machine.
DEFAULT_MAX_TENANTS = 1000


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that shapes one running sandbox."""

    host: str = "127.0.0.1"
    port: int = 8080
    seed: int = 0
    dataset: str = "demo"
    validate_responses: bool = False
    jwt_secret: str = DEFAULT_JWT_SECRET
    # ISO instant: start with a clock frozen there (deterministic demos and tests); None = system time.
    freeze_time: str | None = None
    # The base URL put into generated links (payment links, mandate redirects); default from host/port.
    public_url: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    access_log: bool = False
    # A JSON file holding every tenant: restored on start, saved on shutdown and every save_interval seconds.
    state_file: str | None = None
    save_interval: int = 30
    # Requests remembered per tenant by the request journal (0: no journal).
    journal_size: int = 500
    # Body limit of PUT /_sandbox/state, whose documents are larger than any Elevate request.
    max_state_bytes: int = MAX_STATE_BYTES
    # Tenants held at once (0: no limit); a new tenant past it is refused with a 503 (store.py).
    max_tenants: int = DEFAULT_MAX_TENANTS
    # Seconds a tenant may stay unused before its state is dropped (0: never).
    tenant_idle_ttl: int = 0
    # False (default, --lenient): only the rules Elevate documents. True (--strict-inferred): also the
    # constraints the sandbox infers, marked `x-inferred` in the contract (docs/fidelity.md).
    strict_inferred: bool = False
    # Serve every request through plain Connexion instead of the request pipeline (sandbox/http/): the
    # same answers, slower; for comparing the two (docs/architecture.md).
    stock_connexion: bool = False
    # --- exposure (issue 15, docs/security.md): what changes when the sandbox listens beyond loopback ---
    # Serve on a non-loopback address even with the public default secret (a demo on a network you trust).
    insecure: bool = False
    # When exposed: the X-Sandbox-Admin-Key that named tokens, state imports and large datasets need.
    # Read from SANDBOX_ADMIN_KEY (never a flag: command lines are visible to every user of the machine).
    admin_key: str | None = field(default=None, repr=False)
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """Where clients reach this sandbox, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def exposed(self) -> bool:
        """Whether the sandbox listens beyond this machine (any address but a loopback one)."""
        return not is_loopback(self.host)

    @property
    def guarded(self) -> bool:
        """Whether named tenants, imports and large datasets need the admin key: exposed, and not --insecure
        (which says that everyone who can reach the sandbox may do anything)."""
        return self.exposed and not self.insecure

    @property
    def default_secret(self) -> bool:
        """Whether tokens are signed with the secret printed in this source (anyone can sign them)."""
        return self.jwt_secret == DEFAULT_JWT_SECRET

    @property
    def hosted_page_secret(self) -> bytes:
        """The key of hosted pages' URL keys: derived from the JWT secret, never the secret itself."""
        return hmac.new(self.jwt_secret.encode(), b"elevate-sandbox/hosted-pages", hashlib.sha256).digest()


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def _coerce(name: str, raw: str, kind: object) -> object:
    if kind in (bool, "bool"):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"SANDBOX_{name.upper()} must be true or false, not {raw!r}")
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"SANDBOX_{name.upper()} must be an integer, not {raw!r}") from exc
    return raw


def settings_from_env(environ: Mapping[str, str] | None = None, base: Settings | None = None) -> Settings:
    """Read ``SANDBOX_<FIELD>`` variables (e.g. SANDBOX_PORT, SANDBOX_VALIDATE_RESPONSES) over ``base``."""
    environ = os.environ if environ is None else environ
    base = base or Settings()
    changes: dict[str, Any] = {}  # each value coerced to its field's type by _coerce
    for spec in fields(Settings):
        if spec.name == "extra":
            continue
        raw = environ.get(f"SANDBOX_{spec.name.upper()}")
        if raw is not None:
            kind = spec.type if not isinstance(spec.type, str) else spec.type.split(" ")[0]
            changes[spec.name] = _coerce(spec.name, raw, kind)
    return replace(base, **changes)
