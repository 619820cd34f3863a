"""The cyclic garbage collector's policy for a long-running sandbox: full passes stay short.

A full collection walks every tracked object that is not frozen. Left alone, it walks the contract,
its validators and every record each time (about 50 ms with the demo dataset, more as records are
created), and the request that happens to trigger it waits: that was the sandbox's p99. Records are
freed by reference counting when their tenant goes (tests/store/test_collector.py checks that a tenant's
records form no cycles), so what has survived a full pass can be frozen: later passes walk only what
is newer. Installed by `elevate-sandbox serve`, not on import, so a test process keeps the default.
"""

from __future__ import annotations

import gc
from typing import Any

FULL = 2


def settle() -> None:
    """Collect what start-up left behind, then freeze the rest: it lives as long as the process."""
    gc.collect()
    gc.freeze()


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == FULL:
        gc.freeze()


def keep_full_collections_short() -> None:
    """From now on, freeze whatever survives each full collection (installed once)."""
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
