"""--state-file: every tenant restored on start, saved on shutdown and every N seconds, written atomically.

A tenant over a shared base is saved as its changes and how to build the base (snapshots.py), so the
file grows with what tenants did, not with the size of their dataset.

The file is replaced in one step (a temporary file in the same directory, fsync, os.replace), so a crash
mid-write leaves the previous snapshot whole; the temporary file a killed save leaves behind is removed at
the next start. A file that cannot be read stops the start: starting empty would silently lose everything
the file held. Each tenant is written on its own: a tenant that cannot be written keeps its last saved
state in the file, is logged and shown by /_sandbox/health, and never stops the others from being saved.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from elevate_sandbox.auth import check_tenant_name
from elevate_sandbox.bases import Bases
from elevate_sandbox.domain.errors import InvalidRequest
from elevate_sandbox.snapshots import Restored, export_tenant, new_backend, read_tenant
from elevate_sandbox.store import Store, Tenant

FILE_FORMAT = "elevate-sandbox/state-file"
FILE_VERSION = 1
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
logger = logging.getLogger("elevate_sandbox.persistence")


class StateFileError(Exception):
    """The state file cannot be used; the sandbox must not start."""


@dataclass(frozen=True, slots=True)
class SaveFailure:
    """A tenant the last save could not write: the file keeps its previous state."""

    tenant: str
    message: str
    at: str

    def to_api(self) -> dict[str, str]:
        return {"tenant": self.tenant, "message": self.message, "at": self.at}


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_state_file(path: Path, bases: Bases | None = None) -> dict[str, Restored]:
    """Every tenant of a state file, checked; StateFileError saying what is wrong otherwise.

    ``bases`` builds the shared bases that tenants saved as their changes only lie over (by default
    bases of its own, built from the named datasets).
    """
    if bases is None:
        from elevate_sandbox.fixtures import build_dataset

        bases = Bases(build_dataset)
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise StateFileError(f"cannot read the state file {path}: {exc.strerror or exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise StateFileError(f"the state file {path} is not valid JSON (corrupt or truncated): {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise StateFileError(f'{path} is not an elevate-sandbox state file (no "format": {FILE_FORMAT!r})')
    if document.get("version") != FILE_VERSION:
        raise StateFileError(
            f"the state file {path} has version {document.get('version')!r}; this sandbox reads version {FILE_VERSION}"
        )
    tenants = document.get("tenants")
    if not isinstance(tenants, dict):
        raise StateFileError(f'the state file {path} has no "tenants" object')
    restored = {}
    for name, tenant_document in tenants.items():
        try:
            restored[check_tenant_name(name)] = read_tenant(tenant_document, bases)
        except (ValueError, InvalidRequest) as exc:
            message = exc.message if isinstance(exc, InvalidRequest) else str(exc)
            raise StateFileError(f"the state file {path}, tenant {name!r}: {message}") from exc
    return restored


def _temporary_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete the temporary files of saves that were killed mid-write (they are never the snapshot)."""
    removed = []
    for stale in path.parent.glob(f"{_temporary_prefix(path)}*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
            removed.append(stale)
    return removed


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` in one step: readers see the old file or the new one, never a part."""
    handle, temporary = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX; not possible everywhere)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class StateFile:
    """The --state-file of one running sandbox."""

    def __init__(
        self, path: str | Path, store: Store, interval: int, public_base_url: str, page_secret: bytes | None = None
    ) -> None:
        self.path = Path(path)
        self.store = store
        self.interval = interval
        self.public_base_url = public_base_url
        self.page_secret = page_secret
        self._saved_generation: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self.restored: list[str] = []
        # What /_sandbox/health shows: tenants the last save could not write, when and how long it took.
        self.failures: dict[str, SaveFailure] = {}
        self.last_saved_at: str | None = None
        self.last_save_seconds: float | None = None
        self.last_error: str | None = None

    def restore(self) -> list[str]:
        """Install every tenant of the file (none when there is no file yet); the names restored."""
        if not self.path.parent.is_dir():
            raise StateFileError(f"the directory of the state file {self.path} does not exist")
        for stale in remove_stale_temporaries(self.path):
            logger.warning("removed %s, left by a save that was interrupted", stale)
        if not self.path.exists():
            return []
        tenants = read_state_file(self.path, self.store.bases)
        for name, restored in tenants.items():
            backend = new_backend(restored, name, self.public_base_url, self.page_secret)
            seed, dataset = restored.seed, restored.dataset
            self.store.put(Tenant(name=name, seed=seed, dataset=dataset, backend=backend, base=restored.base))
        self._saved_generation = self.store.generation
        self.restored = sorted(tenants)
        return self.restored

    def save(self) -> None:
        """Write every tenant to the file now; a tenant that cannot be written keeps its last saved state."""
        with self._save_lock:
            started = time.perf_counter()
            generation = self.store.generation
            parts = [orjson.dumps(name) + b":" + data for name, data in self._tenant_documents().items()]
            saved_at = _now_text()
            head = {"format": FILE_FORMAT, "version": FILE_VERSION, "savedAt": saved_at}
            # The head, then each tenant's own bytes: one tenant's bad value cannot spoil the others.
            document = orjson.dumps(head)[:-1] + b',"tenants":{' + b",".join(parts) + b"}}"
            write_atomically(self.path, document)
            self._saved_generation = generation
            self.last_saved_at, self.last_error = saved_at, None
            self.last_save_seconds = round(time.perf_counter() - started, 3)

    def _tenant_documents(self) -> dict[str, bytes]:
        """Every tenant as JSON bytes, each exported under its own lock; failures noted, not raised."""
        documents: dict[str, bytes] = {}
        previous: dict[str, bytes] | None = None
        for tenant in self.store.tenants():
            try:
                if tenant.base is not None:
                    tenant.base.digest()  # computed once per base, outside the tenant's lock
                with tenant.lock:
                    documents[tenant.name] = orjson.dumps(export_tenant(tenant))
                self.failures.pop(tenant.name, None)
            except Exception as exc:  # one tenant's state must never stop every other tenant's save
                logger.exception("could not save tenant %r to %s; its last saved state is kept", tenant.name, self.path)
                self.failures[tenant.name] = SaveFailure(tenant.name, f"{type(exc).__name__}: {exc}", _now_text())
                previous = self._previous_documents() if previous is None else previous
                if tenant.name in previous:
                    documents[tenant.name] = previous[tenant.name]
        return documents

    def _previous_documents(self) -> dict[str, bytes]:
        """Each tenant of the file as last saved (read only when a tenant fails to save)."""
        try:
            tenants = orjson.loads(self.path.read_bytes()).get("tenants", {})
            return {name: orjson.dumps(document) for name, document in tenants.items()}
        except (OSError, orjson.JSONDecodeError, AttributeError):
            return {}

    def health(self) -> dict[str, Any]:
        """The saves as /_sandbox/health shows them."""
        return {
            "lastSavedAt": self.last_saved_at,
            "lastSaveSeconds": self.last_save_seconds,
            "intervalSeconds": self.interval,
            "error": self.last_error,
            "failures": [failure.to_api() for failure in self.failures.values()],
        }

    def save_if_changed(self) -> bool:
        """Save when anything may have changed since the last save; whether it saved."""
        if self.store.generation == self._saved_generation:
            return False
        self.save()
        return True

    def start(self) -> None:
        """Save every ``interval`` seconds in the background (0: only on shutdown)."""
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="elevate-sandbox-saver", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.save_if_changed()
            except Exception as exc:  # a full disk must not stop the sandbox; the next round tries again
                logger.exception("could not save the state file %s", self.path)
                self.last_error = f"{type(exc).__name__}: {exc}"

    def stop(self) -> None:
        """Stop saving in the background and save one last time."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.save_if_changed()


class ChangeTracker:
    """ASGI middleware: any request that may write marks the store changed, for the next periodic save."""

    def __init__(self, app: Any, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope.get("method") not in SAFE_METHODS:
                self.store.touch()
