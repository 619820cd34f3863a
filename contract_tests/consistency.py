"""What a schema cannot say about state: one record shows the same everywhere, reads change nothing, a
refused write changes nothing, a create is stored as answered, money moves by exactly its amount.

The resources come from the contract: a list ``GET /x`` pairs with ``GET /x/{id}``, a create ``POST /x``
with the same read. What cannot be derived (a valid body, where the record lists) is one small table.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from elevate_sandbox.contract_tests import spec
from elevate_sandbox.contract_tests.client import Api

PAGE_ALL = 1000
SAMPLE = 5


def money(value: Any) -> Decimal:
    """An amount as exact pennies, whatever JSON number form it came in."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def by_id_read(path: str) -> spec.Operation | None:
    """The ``GET path/{id}`` of the contract, if it has one."""
    for operation in spec.operations():
        if operation.method == "get" and operation.path.rsplit("/", 1)[0] == path and operation.path.endswith("}"):
            return operation
    return None


def listed_resources() -> list[tuple[spec.Operation, spec.Operation]]:
    """(list, read by id) pairs of the contract."""
    pairs = []
    for operation in spec.list_operations():
        read = by_id_read(operation.path)
        if read is not None:
            pairs.append((operation, read))
    return pairs


def readable_paths() -> list[spec.Operation]:
    """Every GET of the contract that reads one record by its identifier."""
    return [op for op in spec.operations() if op.method == "get" and op.path.endswith("}") and op.path.count("{") == 1]


def differences(expected: dict[str, Any], got: dict[str, Any], names: list[str] | None = None) -> list[str]:
    """The fields (of ``names``, default every field of either) whose values differ; numbers as numbers."""
    found = []
    for name in names if names is not None else sorted(set(expected) | set(got)):
        left, right = expected.get(name), got.get(name)
        numbers = isinstance(left, int | float) and isinstance(right, int | float)
        if numbers and not isinstance(left, bool) and not isinstance(right, bool):
            if abs(Decimal(str(left)) - Decimal(str(right))) > Decimal("0.000001"):
                found.append(f"{name}: {left!r} vs {right!r}")
        elif left != right:
            found.append(f"{name}: {left!r} vs {right!r}")
    return found


def read(api: Api, operation: spec.Operation, record_id: Any) -> dict[str, Any]:
    path = operation.path.split("{", 1)[0] + str(record_id)
    return api.ok(api.get(path), 200)


@dataclass(frozen=True, slots=True)
class Creatable:
    """A resource the kit can create: a valid body, and the list query where the new record must appear."""

    create: str  # POST path
    body: Callable[[dict[str, Any]], dict[str, Any] | None]  # context -> body (None: the target lacks data)
    list_query: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]  # (body, created) -> list params


def _reference(prefix: str) -> str:
    return f"KIT-{prefix}-{secrets.token_hex(4).upper()}"


CREATABLE = [
    Creatable(
        "/payment-providers",
        lambda ctx: {
            "type": "PAYPAL",
            "name": f"Contract kit provider {secrets.token_hex(3)}",
            "status": "INACTIVE",
            "contractOwnerIds": [ctx["owner"]],
            "creditorIdentifier": "KIT-0001",
            "retryIfPossible": False,
        },
        lambda body, created: {},
    ),
    Creatable(
        "/customer-payments",
        lambda ctx: {
            "customerId": ctx["customer"],
            "amountInMajorCurrency": 1.23,
            "type": "BACS",
            "reference": _reference("CP"),
        },
        lambda body, created: {"customer_id": body["customerId"]},
    ),
    Creatable(
        "/invoice-payments",
        lambda ctx: (
            ctx.get("invoice")
            and {
                "generatedInvoiceId": ctx["invoice"],
                "amountInMajorCurrency": 0.01,
                "description": _reference("IP"),
                "paymentMethod": "CHEQUE",
            }
        ),
        lambda body, created: {"generatedInvoiceId": str(body["generatedInvoiceId"])},
    ),
    Creatable(
        "/adhoc-invoice-payments",
        lambda ctx: (
            ctx.get("adhoc_invoice")
            and {
                "generatedAdhocInvoiceId": ctx["adhoc_invoice"],
                "amountInMajorCurrency": 0.01,
                "description": _reference("AP"),
                "paymentMethod": "CHEQUE",
            }
        ),
        lambda body, created: {"generatedAdhocInvoiceId": str(body["generatedAdhocInvoiceId"])},
    ),
]


def find_in_list(api: Api, path: str, params: dict[str, Any], record_id: Any) -> dict[str, Any] | None:
    """The record with ``record_id`` in the list at ``path`` (every page of it), or None."""
    page = 1
    while True:
        rows = api.ok(api.get(path, page=page, pageSize=200, **params), 200)
        for row in rows:
            if row.get("id") == record_id:
                return row
        if len(rows) < 200 or page >= 50:
            return None
        page += 1


def balance(api: Api, customer_id: int) -> Decimal:
    """The customer's balance through the Elevate API."""
    return money(api.ok(api.get("/customer-balances", customer_id=customer_id), 200)["balance"])
