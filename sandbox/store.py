"""The in-memory state of every tenant: each tenant has its own state, clock, backend and lock."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.clock import FrozenClock, SystemClock, parse_instant
from sandbox.domain.backend import Backend
from sandbox.domain.state import TenantState
from sandbox.settings import Settings

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
        return fresh

    def tenant_names(self) -> list[str]:
        """Names of the tenants created so far."""
        return sorted(self._tenants)

    def _new_tenant(self, name: str, seed: int, dataset: str) -> Tenant:
        clock = FrozenClock(parse_instant(self._settings.freeze_time)) if self._settings.freeze_time else SystemClock()
        # Building a dataset may consume the seed's randomness; later ids and tokens come from its own stream.
        backend = Backend(TenantState(), clock, random.Random(seed), public_base_url=self._settings.base_url)
        self._build_dataset(dataset, backend, seed)
        backend.rng.seed(f"{seed}:requests")
        return Tenant(name=name, seed=seed, dataset=dataset, backend=backend)
