"""The in-memory state of every tenant: each tenant has its own state, clock, backend and lock."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from elevate_sandbox.clock import FrozenClock, SystemClock, parse_instant
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.journal import Journal
from elevate_sandbox.settings import Settings

DatasetBuilder = Callable[[str, Backend, int], None]


@dataclass
class Tenant:
    """One isolated sandbox: its backend (state, clock, rng) and the lock that serialises writes."""

    name: str
    seed: int
    dataset: str
    backend: Backend
    lock: threading.RLock = field(default_factory=threading.RLock)


class Store:
    """All tenants of one running sandbox, created lazily from the configured seed and dataset."""

    def __init__(self, settings: Settings, build_dataset: DatasetBuilder) -> None:
        self._settings = settings
        self._build_dataset = build_dataset
        self._tenants: dict[str, Tenant] = {}
        self._lock = threading.Lock()
        # Bumped by anything that may have changed a tenant, so that the state file saves only when needed.
        self.generation = 0
        # Recent requests per tenant; kept across resets (what was asked is history, not state).
        self.journal = Journal(settings.journal_size)

    def tenant(self, name: str) -> Tenant:
        """The tenant called ``name``, seeded on first use."""
        tenant = self._tenants.get(name)
        if tenant is not None:
            return tenant
        with self._lock:
            tenant = self._tenants.get(name)
            if tenant is None:
                tenant = self._new_tenant(name, self._settings.seed, self._settings.dataset)
                self._tenants[name] = tenant
                self.generation += 1
            return tenant

    def reset(self, name: str, seed: int | None = None, dataset: str | None = None) -> Tenant:
        """Replace a tenant's whole state by a fresh one built from ``seed`` and ``dataset``."""
        current = self._tenants.get(name)
        seed = seed if seed is not None else (current.seed if current else self._settings.seed)
        dataset = dataset or (current.dataset if current else self._settings.dataset)
        # Build outside the store lock: a large dataset must not stall the other tenants.
        fresh = self._new_tenant(name, seed, dataset)
        with self._lock:
            self._tenants[name] = fresh
            self.generation += 1
        return fresh

    def put(self, tenant: Tenant) -> None:
        """Add or replace a tenant built elsewhere (restored from the state file)."""
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

    def _new_tenant(self, name: str, seed: int, dataset: str) -> Tenant:
        clock = FrozenClock(parse_instant(self._settings.freeze_time)) if self._settings.freeze_time else SystemClock()
        # Building a dataset may consume the seed's randomness; later ids and tokens come from its own stream.
        backend = Backend(
            TenantState(),
            clock,
            random.Random(seed),
            public_base_url=self._settings.base_url,
            tenant=name,
            page_secret=self._settings.hosted_page_secret,
        )
        self._build_dataset(dataset, backend, seed)
        # Seeded history counts its time from now, and only records created by requests honour magic values.
        backend.progression.epoch = clock.now()
        backend.progression.magic_values = True
        backend.rng.seed(f"{seed}:requests")
        return Tenant(name=name, seed=seed, dataset=dataset, backend=backend)
