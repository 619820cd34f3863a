"""The in-memory state of every tenant: each tenant has its own state, clock, backend and lock.

A tenant does not hold a dataset of its own. The seeded state of a (dataset, seed, day) is built once
(bases.py), frozen and shared; a tenant keeps only what it changed over it (domain/overlay.py), so a
new tenant costs microseconds and kilobytes until it writes, and ``reset`` is O(1). The number of
tenants is bounded (``max_tenants``); past it a new tenant is refused with a 503, never by dropping
someone's data. Tenants idle longer than ``tenant_idle_ttl`` seconds, when set, are dropped.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from elevate_sandbox.bases import Base, Bases, attach
from elevate_sandbox.clock import Clock, FrozenClock, SystemClock, parse_instant
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.errors import SandboxError
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.journal import Journal
from elevate_sandbox.settings import Settings

DatasetBuilder = Callable[[str, Backend, int], None]
TENANT_LIMIT = "TENANT_LIMIT"
# Idle tenants are looked for at most this often (seconds): the look walks every tenant.
SWEEP_EVERY = 1.0


@dataclass
class TooManyTenants(SandboxError):
    """A new tenant past --max-tenants: refused (503) until a tenant is freed or expires."""

    code: str = TENANT_LIMIT
    status = 503


class TenantLock:
    """The lock that serialises a tenant's use (reentrant).

    Letting go of it for the last time drops the copies of shared records the holder made but did not
    change (overlay.Scope.settle), so whatever the holder did, the tenant keeps only its changes.
    """

    __slots__ = ("_backend", "_depth", "_lock")

    def __init__(self, backend: Backend) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        # The backend, not the tenant: a tenant holding its lock holding it would be a reference cycle,
        # and a tenant's records must be freed by reference counting alone (collector.py).
        self._backend = backend

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        taken = self._lock.acquire(blocking, timeout)
        if taken:
            self._depth += 1
        return taken

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                settle(self._backend)
        finally:
            self._lock.release()

    def __enter__(self) -> TenantLock:
        self.acquire()
        return self

    def __exit__(self, *_: Any) -> None:
        self.release()


@dataclass(eq=False)
class Tenant:
    """One isolated sandbox: its backend (state, clock, rng), the base it shares, and its lock."""

    name: str
    seed: int
    dataset: str
    backend: Backend
    # The shared seeded state under this tenant's own changes (None: a tenant holding all its records).
    base: Base | None = None
    last_used: float = field(default_factory=time.monotonic)
    lock: TenantLock = field(init=False)

    def __post_init__(self) -> None:
        self.lock = TenantLock(self.backend)

    def reading(self) -> Reading:
        """The backend under the lock, for a holder that only reads: shared records are not copied."""
        return Reading(self)

    def writing(self) -> Writing:
        """The backend under the lock, for a holder that may change records."""
        return Writing(self)


class Writing:
    """``with tenant.writing() as backend``: a class, not a generator, as it wraps every change."""

    __slots__ = ("_tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant

    def __enter__(self) -> Backend:
        self._tenant.lock.acquire()
        return self._tenant.backend

    def __exit__(self, *_: Any) -> None:
        self._tenant.lock.release()


class Reading:
    """``with tenant.reading() as backend``: a class, not a generator, as it wraps every GET."""

    __slots__ = ("_scope", "_tenant", "_was")

    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant

    def __enter__(self) -> Backend:
        self._tenant.lock.acquire()
        self._scope = getattr(self._tenant.backend.state, "scope", None)
        if self._scope is not None:
            self._was, self._scope.reading = self._scope.reading, True
        return self._tenant.backend

    def __exit__(self, *_: Any) -> None:
        try:
            if self._scope is not None:
                self._scope.reading = self._was
        finally:
            self._tenant.lock.release()


Held = Reading | Writing


class Store:
    """All tenants of one running sandbox, created lazily from the configured seed and dataset.

    ``share=False`` gives every tenant a dataset built for it alone, as before bases were shared: the
    reference the copy-on-write tenants are tested against.
    """

    def __init__(self, settings: Settings, build_dataset: DatasetBuilder, *, share: bool = True) -> None:
        self._settings = settings
        # Derived once: every new tenant needs them (the page secret is an HMAC, the URL a formatting).
        self._public_base_url = settings.base_url
        self._page_secret = settings.hosted_page_secret
        self._build_dataset = build_dataset
        self._share = share
        self.bases = Bases(build_dataset)
        self._tenants: dict[str, Tenant] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0
        # Bumped by anything that may have changed a tenant, so that the state file saves only when needed.
        self.generation = 0
        # Recent requests per tenant; kept across resets (what was asked is history, not state).
        self.journal = Journal(settings.journal_size)

    @property
    def max_tenants(self) -> int:
        return self._settings.max_tenants

    def tenant(self, name: str) -> Tenant:
        """The tenant called ``name``, created on first use; TooManyTenants past the limit."""
        now = time.monotonic()
        ttl = self._idle_ttl
        if ttl and now >= self._next_sweep:
            self._expire_idle(now, ttl)
        tenant = self._tenants.get(name)
        if tenant is not None:
            if not ttl or now - tenant.last_used <= ttl:
                tenant.last_used = now
                return tenant
            self._drop_if_idle(tenant, now, ttl)  # idle past the TTL: it starts afresh, as documented
        with self._lock:
            tenant = self._tenants.get(name)
            if tenant is None:
                self._check_room()
                tenant = self._new_tenant(name, self._settings.seed, self._settings.dataset)
                self._tenants[name] = tenant
                self.generation += 1
            return tenant

    def reset(self, name: str, seed: int | None = None, dataset: str | None = None) -> Tenant:
        """Start a tenant again from ``seed`` and ``dataset``: O(1) once that base is built."""
        current = self._tenants.get(name)
        seed = seed if seed is not None else (current.seed if current else self._settings.seed)
        dataset = dataset or (current.dataset if current else self._settings.dataset)
        if current is None:
            with self._lock:
                self._check_room()
        # Built outside the store lock: a base being built must not stall the other tenants.
        fresh = self._new_tenant(name, seed, dataset)
        with self._lock:
            if name not in self._tenants:
                self._check_room()
            self._tenants[name] = fresh
            self.generation += 1
        return fresh

    def free(self, name: str) -> bool:
        """Forget a tenant at once (state and journal); whether it existed. Its next use starts it afresh."""
        with self._lock:
            gone = self._tenants.pop(name, None)
            if gone is not None:
                self.generation += 1
        self.journal.forget(name)
        return gone is not None

    def put(self, tenant: Tenant) -> None:
        """Add or replace a tenant built elsewhere (restored from the state file); never refused."""
        with self._lock:
            self._tenants[tenant.name] = tenant
            self.generation += 1

    def tenants(self) -> list[Tenant]:
        """Every tenant created so far, by name."""
        with self._lock:
            return [self._tenants[name] for name in sorted(self._tenants)]

    def touch(self) -> None:
        """Note that a tenant may have changed."""
        self.generation += 1

    def find(self, name: str) -> Tenant | None:
        """The tenant called ``name`` if it exists (public pages must not seed tenants on demand)."""
        return self._tenants.get(name)

    def tenant_names(self) -> list[str]:
        """Names of the tenants created so far."""
        return sorted(self._tenants)

    def new_clock(self) -> Clock:
        """A tenant's clock as it starts: frozen at --freeze-time, else the wall clock."""
        freeze = self._settings.freeze_time
        return FrozenClock(parse_instant(freeze)) if freeze else SystemClock()

    def base_for(self, dataset: str, seed: int, clock: Clock) -> Base:
        """The shared seeded state of a dataset and seed on the clock's day, built on first use."""
        return self.bases.get(dataset, seed, clock.today())

    def _check_room(self) -> None:
        limit = self.max_tenants
        if limit and len(self._tenants) >= limit:
            raise TooManyTenants(
                f"This sandbox already holds its limit of {limit} tenants (--max-tenants, SANDBOX_MAX_TENANTS): "
                "free finished ones with DELETE /_sandbox/state, or start it with a higher limit"
            )

    @property
    def _idle_ttl(self) -> int:
        return self._settings.tenant_idle_ttl

    def _expire_idle(self, now: float, ttl: int) -> None:
        """Drop the tenants nobody used for ``ttl`` seconds (a look at every tenant, at most once a second)."""
        self._next_sweep = now + SWEEP_EVERY
        for tenant in list(self._tenants.values()):
            self._drop_if_idle(tenant, now, ttl)

    def _drop_if_idle(self, tenant: Tenant, now: float, ttl: int) -> None:
        # A tenant in use (its lock held) is not idle, whatever its last request.
        if now - tenant.last_used > ttl and tenant.lock.acquire(blocking=False):
            try:
                if now - tenant.last_used > ttl and self._tenants.get(tenant.name) is tenant:
                    self.free(tenant.name)
            finally:
                tenant.lock.release()

    def _new_tenant(self, name: str, seed: int, dataset: str) -> Tenant:
        clock = self.new_clock()
        if not self._share:
            return self._built_tenant(name, seed, dataset, clock)
        base = self.base_for(dataset, seed, clock)
        backend = Backend(
            TenantState(),
            clock,
            random.Random(_requests_seed(seed)),  # nothing draws before requests: seeded once, here
            public_base_url=self._public_base_url,
            tenant=name,
            page_secret=self._page_secret,
        )
        attach(backend, base)  # the base's hosted-page URLs get this tenant's name and keys
        _start(backend, clock)
        return Tenant(name=name, seed=seed, dataset=dataset, backend=backend, base=base)

    def _built_tenant(self, name: str, seed: int, dataset: str, clock: Clock) -> Tenant:
        # Building a dataset may consume the seed's randomness; later ids and tokens come from its own stream.
        backend = Backend(
            TenantState(),
            clock,
            random.Random(seed),
            public_base_url=self._public_base_url,
            tenant=name,
            page_secret=self._page_secret,
        )
        self._build_dataset(dataset, backend, seed)
        backend.rng.seed(_requests_seed(seed))
        _start(backend, clock)
        return Tenant(name=name, seed=seed, dataset=dataset, backend=backend)


def settle(backend: Backend) -> None:
    """Drop the copies of shared records that were made but not changed."""
    scope = getattr(backend.state, "scope", None)
    if scope is not None:
        scope.settle()


def _requests_seed(seed: int) -> str:
    """What seeds the randomness of a tenant's requests (ids, tokens), whatever its dataset consumed."""
    return f"{seed}:requests"


def _start(backend: Backend, clock: Clock) -> None:
    # Seeded history counts its time from now, and only records created by requests honour magic values.
    backend.progression.epoch = clock.now()
    backend.progression.magic_values = True
