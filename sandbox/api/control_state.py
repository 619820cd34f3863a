"""The control API's snapshots (/_sandbox/state) and request journal (/_sandbox/requests)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from connexion.lifecycle import ConnexionResponse

from elevate_sandbox.api.admin import require_admin
from elevate_sandbox.api.common import current_tenant, no_content
from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.snapshot import TABLES
from elevate_sandbox.domain.time import clock_control
from elevate_sandbox.http.context import request_tenant
from elevate_sandbox.journal import DEFAULT_LIMIT
from elevate_sandbox.snapshots import export_tenant, install, read_tenant

if TYPE_CHECKING:
    from elevate_sandbox.store import Tenant


@operation("exportSandboxState")
async def export_sandbox_state(full: bool = False, **_: Any) -> dict[str, Any]:
    tenant = current_tenant()
    # Off the event loop: a large tenant (and its base's digest, computed once) takes seconds to write out,
    # and other tenants must not wait.
    return await asyncio.to_thread(_export, tenant, full)


def _export(tenant: Tenant, full: bool) -> dict[str, Any]:
    if tenant.base is not None and not full:
        tenant.base.digest()  # computed once per base, outside the lock (a million records take seconds)
    with tenant.lock:
        return export_tenant(tenant, full=full)


@operation("freeSandboxTenant")
async def free_sandbox_tenant(**_: Any) -> ConnexionResponse:
    # Not current_tenant(): freeing a tenant that does not exist must not create it first.
    current_runtime().store.free(request_tenant())
    return no_content(204)


@operation("importSandboxState")
async def import_sandbox_state(body: dict[str, Any], **_: Any) -> dict[str, Any]:
    require_admin("importing a state document")
    # Checked whole before the tenant is touched (a bad document changes nothing), off the event loop.
    restored = await asyncio.to_thread(read_tenant, body, current_runtime().store.bases)
    tenant = current_tenant()
    with tenant.lock:
        install(tenant, restored)
        with tenant.reading():
            tables = {name: len(getattr(tenant.backend.state, name)) for name in TABLES}
        return {
            "tenant": tenant.name,
            "seed": tenant.seed,
            "dataset": tenant.dataset,
            **clock_control.clock_view(tenant.backend.context),
            "tables": tables,
        }


@operation("getRequestJournal")
async def get_request_journal(**params: Any) -> list[dict[str, Any]]:
    return current_runtime().store.journal.recent(
        current_tenant().name,
        method=params.get("method"),
        path=params.get("path"),
        status=params.get("status"),
        limit=params.get("limit", DEFAULT_LIMIT),
    )
