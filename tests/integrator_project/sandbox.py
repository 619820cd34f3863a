"""Acme Billing's own ``sandbox`` module: how its billing code registers and lists payment providers."""

from __future__ import annotations

import httpx

PROVIDER_TYPE = "GO_CARDLESS"


def register_provider(api: httpx.Client, name: str) -> int:
    """Create an active provider called ``name``; its id."""
    body = {"type": PROVIDER_TYPE, "name": name, "status": "ACTIVE", "contractOwnerIds": [1]}
    response = api.post("/payment-providers", json=body)
    response.raise_for_status()
    return int(response.json()["id"])


def provider_names(api: httpx.Client) -> list[str]:
    """The names of every provider, sorted by name."""
    response = api.get("/payment-providers", params={"page": 1, "pageSize": 100, "sort": "name"})
    response.raise_for_status()
    return [provider["name"] for provider in response.json()]
