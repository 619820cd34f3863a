"""The control API under /_sandbox: health, tokens, reset, and seed records (customers, sites, invoices)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from elevate_sandbox import __version__
from elevate_sandbox.api import admin
from elevate_sandbox.api.admin import require_admin
from elevate_sandbox.api.common import create_one, read_one
from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.api.registry import operation
from elevate_sandbox.auth import DEFAULT_EXPIRES_IN, DEFAULT_TENANT, check_tenant_name, mint_token
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.errors import UNKNOWN_DATASET, VALIDATION_ERROR, FieldProblem, InvalidRequest
from elevate_sandbox.domain.inputs import NewCustomer, NewInvoice, NewSite
from elevate_sandbox.http.context import request_tenant


def _dataset_names() -> list[str]:
    from elevate_sandbox.fixtures import DATASETS

    return sorted(DATASETS)


@operation("getHealth")
async def get_health(**_: Any) -> dict[str, Any]:
    runtime = current_runtime()
    health: dict[str, Any] = {
        "status": "ok",
        "version": __version__,
        "seed": runtime.settings.seed,
        "dataset": runtime.settings.dataset,
        "tenants": len(runtime.store.tenant_names()),
    }
    if runtime.state_file is not None:
        saves = runtime.state_file.health()
        health["saves"] = saves
        if saves["failures"] or saves["error"]:
            health["status"] = "degraded"  # serving, but something is not being saved
    return health


@operation("createToken")
async def create_token(body: dict[str, Any] | None = None, **_: Any) -> tuple[dict[str, Any], int]:
    body = body or {}
    runtime = current_runtime()
    if "tenant" in body:
        tenant = _tenant_name(body["tenant"])
        require_admin("a token for a named tenant")
    else:
        # Exposed, a caller who names no tenant gets one of their own, never somebody else's default.
        tenant = admin.fresh_tenant() if admin.exposed() else DEFAULT_TENANT
    expires_in = body.get("expiresIn", DEFAULT_EXPIRES_IN)
    token = mint_token(runtime.settings.jwt_secret, runtime.auth_clock, tenant, expires_in)
    expires_at = runtime.auth_clock.now() + timedelta(seconds=expires_in)
    return {"token": token, "tenant": tenant, "expiresAt": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")}, 201


def _tenant_name(raw: Any) -> str:
    try:
        return check_tenant_name(raw)
    except ValueError as exc:
        raise InvalidRequest(str(exc), VALIDATION_ERROR, [FieldProblem("tenant", str(exc))]) from None


@operation("getDatasets")
async def get_datasets(**_: Any) -> list[str]:
    return _dataset_names()


@operation("resetTenant")
async def reset_tenant(body: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
    body = body or {}
    dataset = body.get("dataset")
    if dataset is not None and dataset not in _dataset_names():
        raise InvalidRequest(
            f"Unknown dataset {dataset!r}; choose one of {', '.join(_dataset_names())}",
            UNKNOWN_DATASET,
            [FieldProblem("dataset", "unknown dataset")],
        )
    if dataset in admin.LARGE_DATASETS:
        require_admin(f"loading the {dataset!r} dataset")
    name = request_tenant()
    # A dataset build takes up to seconds of CPU: off the event loop, so that other tenants are still served.
    tenant = await asyncio.to_thread(current_runtime().store.reset, name, body.get("seed"), dataset)
    return {"tenant": tenant.name, "seed": tenant.seed, "dataset": tenant.dataset}


create_one(
    "createSandboxCustomer",
    Backend.create_customer,
    NewCustomer,
    {
        "name": "name",
        "contractOwnerId": "contract_owner_id",
        "creditThreshold": "credit_threshold",
        "emailAddress": "email",
    },
)
read_one("getSandboxCustomer", "customer_id", Backend.get_customer)

create_one(
    "createSandboxSite",
    Backend.create_site,
    NewSite,
    {
        "startDate": "start_date",
        "endDate": "end_date",
        "customerId": "customer_id",
        "name": "name",
        "postcode": "postcode",
    },
)
read_one("getSandboxSite", "site_id", Backend.get_site)

# The dates are read before the amount: the first bad value answers.
create_one(
    "createSandboxInvoice",
    Backend.create_invoice,
    NewInvoice,
    {
        "invoiceDate": "invoice_date",
        "dueDate": "due_date",
        "customerId": "customer_id",
        "billRunType": "bill_run_type",
        "amountInMajorCurrency": "amount",
        "siteId": "site_id",
    },
)
read_one("getSandboxInvoice", "invoice_id", Backend.get_invoice)
