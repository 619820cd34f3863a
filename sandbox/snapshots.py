"""A whole tenant as one JSON document: its tables, seed, dataset, clock, progression and randomness.

``export_tenant`` writes the document (under the tenant's lock); ``read_tenant`` checks all of it and
builds the parts of a new state without touching any tenant, so that a bad document changes nothing;
``install`` then swaps the parts in.

Version 1 holds every record. Version 2, written for a tenant over a shared base (bases.py), holds how
to build the base again (dataset, seed, day, and the digest of what that built) and only what the
tenant changed over it; reading it builds or finds that base and refuses a document whose base this
sandbox no longer builds the same. Both versions are read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from elevate_sandbox.bases import Base, Bases, attach
from elevate_sandbox.clock import Clock, FrozenClock, parse_instant
from elevate_sandbox.domain import limits
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.errors import SNAPSHOT_INVALID, FieldProblem, InvalidRequest
from elevate_sandbox.domain.overlay import OverlayState
from elevate_sandbox.domain.snapshot import dump_changes, dump_state, load_changes, load_state
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.domain.time import clock_control
from elevate_sandbox.domain.time.policy import Progression, policies_view, set_policies

if TYPE_CHECKING:
    from elevate_sandbox.store import Tenant

TENANT_FORMAT = "elevate-sandbox/tenant-state"
FORMAT_VERSION = 1
CHANGES_VERSION = 2
MAX_CLOCK_OFFSET = timedelta(days=365 * 100)


@dataclass(slots=True)
class Restored:
    """The checked parts of a tenant read from a document, ready to install."""

    seed: int
    dataset: str
    state: TenantState
    clock: Clock
    progression: Progression
    rng_state: tuple[Any, ...]
    # The shared base ``state`` lies over (version 2), or None when ``state`` holds every record.
    base: Base | None = None

    def over_base(self) -> tuple[Base, OverlayState] | None:
        """Version 2: the base and the tenant's changes over it; None when ``state`` holds every record."""
        if self.base is None or not isinstance(self.state, OverlayState):
            return None
        return self.base, self.state


def invalid(where: str, message: str) -> InvalidRequest:
    return InvalidRequest(
        f"The state document is not valid: {where}: {message}", SNAPSHOT_INVALID, [FieldProblem(where, message)]
    )


def _dataset_names() -> frozenset[str]:
    from elevate_sandbox.fixtures import DATASETS  # the fixtures import the domain: imported when first needed

    return frozenset(DATASETS)


def export_tenant(tenant: Tenant, full: bool = False) -> dict[str, Any]:
    """The tenant's state as JSON data: its changes over its base, or (``full``) every record."""
    with tenant.reading():
        state = tenant.backend.state
        if tenant.base is None or full or not isinstance(state, OverlayState):
            return {**_head(tenant, FORMAT_VERSION), **dump_state(state)}
        return {**_head(tenant, CHANGES_VERSION), "base": tenant.base.describe(), **dump_changes(state)}


def _head(tenant: Tenant, version_number: int) -> dict[str, Any]:
    backend = tenant.backend
    version, internal, gauss = backend.rng.getstate()
    return {
        "format": TENANT_FORMAT,
        "version": version_number,
        "tenant": tenant.name,
        "seed": tenant.seed,
        "dataset": tenant.dataset,
        "clock": _clock_document(backend.clock),
        "progression": {
            "policies": policies_view(backend.progression),
            "epoch": backend.progression.epoch.isoformat() if backend.progression.epoch else None,
            "magicValues": backend.progression.magic_values,
        },
        "rng": {"version": version, "internal": list(internal), "gauss": gauss},
    }


def _clock_document(clock: Clock) -> dict[str, Any]:
    if clock_control.is_frozen(clock):
        return {"now": clock.now().isoformat(), "frozen": True}
    # A running clock keeps its lead over wall time, so a restored sandbox goes on from the real now.
    offset = clock_control.offset_of(clock)
    return {"now": clock.now().isoformat(), "frozen": False, "offsetSeconds": offset.total_seconds()}


def read_tenant(document: Any, bases: Bases | None = None) -> Restored:
    """Check a tenant document and build its parts; SNAPSHOT_INVALID (400) when anything is wrong.

    ``bases`` finds or builds the base a version 2 document lies over (without it, only version 1 is read).
    """
    if not isinstance(document, dict):
        raise invalid("document", "expected a JSON object")
    if document.get("format") != TENANT_FORMAT:
        raise invalid("format", f"expected {TENANT_FORMAT!r}, not {document.get('format')!r}")
    versions = (FORMAT_VERSION, CHANGES_VERSION) if bases is not None else (FORMAT_VERSION,)
    if document.get("version") not in versions:
        readable = " or ".join(str(v) for v in versions)
        raise invalid("version", f"this sandbox reads version {readable}, not {document.get('version')!r}")
    seed, dataset = document.get("seed"), document.get("dataset")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= limits.MAX_SEED:
        raise invalid("seed", f"expected an integer in 0..{limits.MAX_SEED}")
    if dataset not in _dataset_names():
        raise invalid("dataset", f"expected one of {', '.join(sorted(_dataset_names()))}")
    base = None
    if bases is not None and document["version"] == CHANGES_VERSION:
        base = _read_base(document.get("base"), bases)
    return Restored(
        seed=seed,
        dataset=dataset,
        state=load_state(document) if base is None else load_changes(document, base.state),
        clock=_read_clock(document.get("clock")),
        progression=_read_progression(document.get("progression")),
        rng_state=_read_rng(document.get("rng")),
        base=base,
    )


def _read_base(raw: Any, bases: Bases) -> Base:
    """The base a version 2 document names, built again here and proved the same by its digest."""
    if not isinstance(raw, dict):
        raise invalid("base", "expected {dataset, seed, day, digest}")
    dataset, seed, day, digest = (raw.get(key) for key in ("dataset", "seed", "day", "digest"))
    if not isinstance(dataset, str):
        raise invalid("base.dataset", "expected a dataset name")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise invalid("base.seed", "expected a non-negative integer")
    try:
        built_on = date.fromisoformat(day) if isinstance(day, str) else None
    except ValueError:
        built_on = None
    if built_on is None:
        raise invalid("base.day", "expected an ISO date")
    if not isinstance(digest, str):
        raise invalid("base.digest", "expected the base's SHA-256")
    try:
        base = bases.get(dataset, seed, built_on)
    except ValueError as exc:
        raise invalid("base.dataset", str(exc)) from None
    if base.digest() != digest:
        raise invalid(
            "base.digest",
            f"this sandbox builds {dataset!r} with seed {seed} on {built_on} differently from the one that saved "
            "the document (another version?): export it there with ?full=true",
        )
    return base


def _read_clock(raw: Any) -> Clock:
    if not isinstance(raw, dict) or not isinstance(raw.get("frozen"), bool):
        raise invalid("clock", "expected {now, frozen[, offsetSeconds]}")
    if raw["frozen"]:
        text = raw.get("now")
        try:
            now = parse_instant(text if isinstance(text, str) else "")  # "" is refused like any non-instant
        except (TypeError, ValueError, OverflowError):
            raise invalid("clock.now", "expected an ISO instant") from None
        if not limits.date_in_range(now):
            raise invalid("clock.now", f"expected an instant {limits.date_range_text()}")
        return FrozenClock(now)
    offset = raw.get("offsetSeconds", 0)
    number = isinstance(offset, int | float) and not isinstance(offset, bool)
    if not number or not abs(offset) <= MAX_CLOCK_OFFSET.total_seconds():
        raise invalid("clock.offsetSeconds", "expected a number of seconds")
    return clock_control.running_from(datetime.now(UTC) + timedelta(seconds=offset))


def _read_progression(raw: Any) -> Progression:
    if not isinstance(raw, dict) or not isinstance(raw.get("policies"), dict):
        raise invalid("progression", "expected {policies, epoch, magicValues}")
    settings = Progression(magic_values=raw.get("magicValues", True) is True)
    try:
        set_policies(settings, raw["policies"])
        settings.epoch = parse_instant(raw["epoch"]) if raw.get("epoch") is not None else None
    except InvalidRequest as exc:
        raise invalid("progression.policies", exc.message) from None
    except (TypeError, ValueError, OverflowError):
        raise invalid("progression.epoch", "expected an ISO instant or null") from None
    if settings.epoch is not None and not limits.date_in_range(settings.epoch):
        raise invalid("progression.epoch", f"expected an instant {limits.date_range_text()}")
    return settings


def _read_rng(raw: Any) -> tuple[Any, ...]:
    if not isinstance(raw, dict) or not isinstance(raw.get("internal"), list):
        raise invalid("rng", "expected {version, internal, gauss}")
    state = (raw.get("version"), tuple(raw["internal"]), raw.get("gauss"))
    try:
        random.Random().setstate(state)
    except (TypeError, ValueError, OverflowError):
        raise invalid("rng", "not a state of Python's random generator") from None
    return state


def install(tenant: Tenant, restored: Restored) -> None:
    """Swap a checked document's parts into a tenant; call it holding the tenant's lock."""
    backend = tenant.backend
    layered = restored.over_base()
    if layered is not None:
        attach(backend, *layered)
    else:
        backend.state = restored.state  # the setter derives the indexes again
    tenant.base = restored.base
    backend.clock = restored.clock
    backend.progression = restored.progression
    backend.rng.setstate(restored.rng_state)
    tenant.seed, tenant.dataset = restored.seed, restored.dataset


def new_backend(restored: Restored, name: str, public_base_url: str, page_secret: bytes | None = None) -> Backend:
    """A backend built from a checked document (restoring a tenant at start)."""
    layered = restored.over_base()
    own = restored.state if layered is None else TenantState()
    backend = Backend(
        own, restored.clock, random.Random(), public_base_url=public_base_url, tenant=name, page_secret=page_secret
    )
    if layered is not None:
        attach(backend, *layered)
    backend.progression = restored.progression
    backend.rng.setstate(restored.rng_state)
    return backend
