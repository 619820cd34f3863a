"""Bases: the seeded state of a (dataset, seed, day), built once per process, frozen and shared by tenants.

A dataset is built from its seed and the day it is built on (its history counts back from that day;
the hour does not matter), so one base serves every tenant that starts from that dataset and seed that
day. The one tenant-specific thing seeding writes is the tenant's name in the hosted-page URLs it hands
out: a base is built for a placeholder tenant, and each tenant's copy of such a record names the tenant.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode
from weakref import WeakValueDictionary

import orjson

from elevate_sandbox.clock import FrozenClock
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.context import Index
from elevate_sandbox.domain.hosted import KEY_PARAM, MANDATE_PAGE, PAY_PAGE, TENANT_PARAM, page_key
from elevate_sandbox.domain.models import PaymentLink, SitePaymentMandate
from elevate_sandbox.domain.overlay import OverlayState, index_over, overlay_index
from elevate_sandbox.domain.state import TenantState

# Not a valid tenant name (auth.TENANT_PATTERN), so it never meets a real one in a URL.
PLACEHOLDER = "~base~"
# Where a base's hosted-page URLs point; each tenant's copy points at its sandbox's public URL, so a
# base (and the digest a snapshot names) does not depend on the port or URL a sandbox serves on.
PLACEHOLDER_URL = "http://base.invalid"
# The record fields that hold a hosted-page URL naming the tenant (hosted.hosted_url); a test holds
# this list to what seeding writes.
TENANT_URL_FIELDS: dict[type, tuple[str, ...]] = {
    SitePaymentMandate: ("redirect_url",),
    PaymentLink: ("payment_link",),
}
# The hosted page each of those records opens, and the field that names the record in its URL.
HOSTED_PAGE_OF: dict[type, tuple[str, str]] = {
    SitePaymentMandate: (MANDATE_PAGE, "flow_token"),
    PaymentLink: (PAY_PAGE, "token"),
}
# Records per slice of a table hashed at once by Base.digest.
DIGEST_SLICE = 10_000
# Bases kept built when no tenant uses them (each further one is kept only while tenants use it).
KEEP = 4

DatasetBuild = Callable[[str, Backend, int], None]


class Base:
    """The frozen seeded state of a dataset and seed on a day: its tables and their lookups."""

    def __init__(self, dataset: str, seed: int, day: date, state: TenantState, index: Index) -> None:
        self.dataset, self.seed, self.day = dataset, seed, day
        self.state, self.index = state, index
        # What tenants derive from these frozen records alone, kept once for all of them (renderings).
        self.caches: dict[str, Any] = {}
        self._digest: str | None = None

    def describe(self) -> dict[str, Any]:
        """How to build this base again, and the digest that proves it was."""
        return {"dataset": self.dataset, "seed": self.seed, "day": self.day.isoformat(), "digest": self.digest()}

    def digest(self) -> str:
        """A SHA-256 of every record (computed once): a snapshot names it to be sure its base comes back.

        orjson writes the records (dataclasses) itself; a table goes in slices, so that a million records are
        never all held as JSON at once.
        """
        if self._digest is None:
            digest = hashlib.sha256(orjson.dumps(dict(self.state.sequences)))
            for spec in fields(self.state):
                if spec.name == "sequences":
                    continue
                digest.update(spec.name.encode())
                records = iter(getattr(self.state, spec.name).values())
                while chunk := list(itertools.islice(records, DIGEST_SLICE)):
                    digest.update(orjson.dumps(chunk, default=str))  # str: Decimals, exactly as written
            self._digest = digest.hexdigest()
        return self._digest


def build_base(build: DatasetBuild, dataset: str, seed: int, day: date) -> Base:
    """Seed a dataset for a placeholder tenant on ``day``."""
    clock = FrozenClock(datetime.combine(day, time(12), tzinfo=UTC))
    backend = Backend(TenantState(), clock, random.Random(seed), public_base_url=PLACEHOLDER_URL, tenant=PLACEHOLDER)
    build(dataset, backend, seed)
    return Base(dataset, seed, day, backend.state, backend.index)


class Bases:
    """The bases of one sandbox: each built once (concurrent askers wait for the one build)."""

    def __init__(self, build: DatasetBuild) -> None:
        self._build = build
        self._kept: OrderedDict[tuple[str, int, date], Base] = OrderedDict()
        self._alive: WeakValueDictionary[tuple[str, int, date], Base] = WeakValueDictionary()
        self._building: dict[tuple[str, int, date], threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, dataset: str, seed: int, day: date) -> Base:
        """The base of ``dataset`` and ``seed`` on ``day``, built now if nobody built it yet."""
        key = (dataset, seed, day)
        found = self._find(key)
        if found is not None:
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            found = self._find(key)
            if found is None:
                found = build_base(self._build, dataset, seed, day)
                with self._lock:
                    self._alive[key] = found
                    self._keep(key, found)
        with self._lock:
            self._building.pop(key, None)
        return found

    def _find(self, key: tuple[str, int, date]) -> Base | None:
        with self._lock:
            found = self._kept.get(key) or self._alive.get(key)
            if found is not None:
                self._keep(key, found)
            return found

    def _keep(self, key: tuple[str, int, date], base: Base) -> None:
        self._kept[key] = base
        self._kept.move_to_end(key)
        while len(self._kept) > KEEP:
            self._kept.popitem(last=False)


def tenant_adapter(
    tenant: str | None, public_base_url: str, page_secret: bytes | None = None
) -> Callable[[Any], Any]:
    """What a tenant's copy of a base record changes: the placeholders in its hosted-page URLs, and the
    page's key (domain/hosted.py), which depends on the tenant and so is never in a base."""
    marker = "?" + urlencode({TENANT_PARAM: PLACEHOLDER})
    own = "?" + urlencode({TENANT_PARAM: tenant}) if tenant is not None else ""

    def adapt(record: Any) -> Any:
        for name in TENANT_URL_FIELDS.get(type(record), ()):
            value = getattr(record, name)
            if value and value.startswith(PLACEHOLDER_URL):
                url = public_base_url + value[len(PLACEHOLDER_URL) :].replace(marker, own)
                if page_secret is not None:
                    page, key_field = HOSTED_PAGE_OF[type(record)]
                    key = page_key(page_secret, tenant, page, getattr(record, key_field))
                    url += ("&" if "?" in url else "?") + urlencode({KEY_PARAM: key})
                setattr(record, name, url)
        return record

    return adapt


def overlay(base: Base, tenant: str | None, public_base_url: str, page_secret: bytes | None = None) -> OverlayState:
    """A tenant's empty copy-on-write state over ``base``."""
    adapt = tenant_adapter(tenant, public_base_url, page_secret)
    return OverlayState(base.state, adapt=adapt, kinds=TENANT_URL_FIELDS, caches=base.caches)


def attach(backend: Backend, base: Base, own: OverlayState | None = None) -> None:
    """Give a backend a copy-on-write state over ``base``: empty, or holding the changes of ``own``."""
    state = overlay(base, backend._ctx.tenant, backend.public_base_url, backend._ctx.page_secret)
    if own is not None:
        for name, table in own.used_tables().items():
            getattr(state, name).restore(*table.changes())
        state.sequences = dict(own.sequences)
    # The backend's working parts are replaced directly: its state setter would derive every lookup
    # again from all the records, which is what sharing the base's lookups avoids.
    backend._ctx.state = state
    backend._ctx.index = overlay_index(base.index, state) if own is None else index_over(base.index, state)
    backend._ctx.revision += 1
