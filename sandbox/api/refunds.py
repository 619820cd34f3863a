"""refunds: list and create refunds against normal and adhoc invoices."""

from __future__ import annotations

from typing import Any

from sandbox.api.common import backend, money, page_of, rendered
from sandbox.api.registry import operation
from sandbox.domain.enums import BillRunType, PaymentMethod
from sandbox.listing import FilterKind, FilterSpec

FILTERS = (
    FilterSpec("customerId", "customerId", FilterKind.INTEGER),
    FilterSpec("invoiceId", "invoiceId", FilterKind.INTEGER),
    FilterSpec("billRunType", "billRunType", FilterKind.STRING),
)


@operation("getRefunds")
async def get_refunds(**params: Any) -> list[dict[str, Any]]:
    with backend() as b:
        return page_of(b.state.refunds.values(), params, FILTERS, "RefundFields")


@operation("createRefund")
async def create_refund(body: dict[str, Any], **_: Any) -> tuple[dict[str, Any], int]:
    method = body.get("paymentMethod")
    with backend() as b:
        refund = b.create_refund(
            invoice_id=body["invoiceId"],
            bill_run_type=BillRunType(body["billRunType"]),
            amount=money(body),
            payment_method=PaymentMethod(method) if method else None,
            description=body.get("description"),
        )
        return rendered(refund, 201)
