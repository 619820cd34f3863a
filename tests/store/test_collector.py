"""The collector policy (sandbox/collector.py) freezes what survives a full collection. That is safe only
if a tenant's records form no reference cycles, so that they are freed by reference counting when the
tenant goes (a frozen cycle would never be freed): checked here on every dataset small enough to build."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from elevate_sandbox import collector
from elevate_sandbox.fixtures import build_dataset
from elevate_sandbox.settings import Settings
from elevate_sandbox.store import Store


@pytest.fixture
def no_cyclic_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize("dataset", ["empty", "demo", "large"])
@pytest.mark.usefixtures("no_cyclic_collection")
def test_a_reset_tenants_records_are_freed_without_the_cyclic_collector(dataset: str) -> None:
    store = Store(Settings(dataset=dataset, seed=0), build_dataset)
    old = store.tenant("t").backend
    tables = [weakref.ref(old), weakref.ref(old.state)]
    del old
    store.reset("t")
    assert [ref() is None for ref in tables] == [True, True]


def test_the_policy_freezes_the_survivors_of_a_full_collection() -> None:
    assert collector._freeze_survivors not in gc.callbacks  # only `serve` installs it
    collector.keep_full_collections_short()
    collector.keep_full_collections_short()
    try:
        assert gc.callbacks.count(collector._freeze_survivors) == 1
        survivor = [[n] for n in range(1000)]  # lists are tracked by the collector; plain objects are not
        frozen_before = gc.get_freeze_count()
        gc.collect(collector.FULL)
        assert gc.get_freeze_count() >= frozen_before + len(survivor)
    finally:
        gc.callbacks.remove(collector._freeze_survivors)
        gc.unfreeze()
