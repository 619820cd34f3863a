"""Identifiers that exist in the target, so that generated requests reach the rules, not only "not found".

Random ids in a create body are almost always unknown, and the target rightly refuses them. Before the
kit sends a *valid* generated body, it swaps the ids that name other records (customers, invoices,
providers, sites, contract owners) for ids found in the target's own lists. Invalid bodies are left
as generated: their point is to be refused.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from schemathesis import Case

from elevate_sandbox.contract_tests.client import Api

PAGE = {"page": 1, "pageSize": 200}


def _column(api: Api, path: str, name: str, **params: Any) -> list[Any]:
    response = api.get(path, **PAGE, **params)
    if response.status_code != 200 or not isinstance(response.json(), list):
        return []
    values = []
    for row in response.json():
        value = row.get(name) if isinstance(row, dict) else None
        for item in value if isinstance(value, list) else [value]:
            if item is not None and item not in values:
                values.append(item)
    return values


@dataclass(slots=True)
class References:
    """Known ids per body property name, and the seeded choice among them."""

    known: dict[str, list[Any]]
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    @classmethod
    def discover(cls, api: Api, seed: int) -> References:
        """Read the target's lists (GET only) for ids of each kind."""
        customers = _column(api, "/customer-credit-status", "customerId")
        invoices = _column(api, "/invoice-payments", "generatedInvoiceId")
        adhoc = _column(api, "/adhoc-invoice-payments", "generatedAdhocInvoiceId")
        providers = _column(api, "/payment-providers", "id")
        owners = _column(api, "/payment-providers", "contractOwnerIds")
        sites = _column(api, "/site-payment-mandates", "siteId")
        known = {
            "customerId": customers,
            "generatedInvoiceId": invoices,
            "generatedAdhocInvoiceId": adhoc,
            "invoiceId": invoices,
            "paymentProviderId": providers,
            "siteId": sites,
        }
        references = cls({name: values for name, values in known.items() if values}, random.Random(seed))
        if owners:
            references.known["contractOwnerIds"] = [[owner] for owner in owners]
        return references

    def apply(self, case: Case) -> None:
        """Swap the reference ids of a valid generated JSON body for known ones."""
        body = case.body
        if not isinstance(body, dict) or case.meta is None or not case.meta.generation.mode.is_positive:
            return
        for name, values in self.known.items():
            if name in body:
                body[name] = self.rng.choice(values)
        if "invoiceId" in body and "billRunType" in body:
            body["billRunType"] = "NORMAL"  # the known invoice ids are of normal invoices
