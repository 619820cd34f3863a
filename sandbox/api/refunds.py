"""refunds: list and create refunds against normal and adhoc invoices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.responses import Response

from elevate_sandbox.api.common import backend, optional_money, rendered, strict_inferred
from elevate_sandbox.api.lists import ListQuery, list_response
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.enums import BillRunType, PaymentMethod
from elevate_sandbox.domain.models import Refund
from elevate_sandbox.domain.resources import REFUND


@operation("getRefunds")
async def get_refunds(**params: Any) -> Response:
    customer_id = params.get("customerId")
    with backend() as b:
        # One customer's refunds come from the index; the filter still applies to them, as to all.
        if isinstance(customer_id, int) and not isinstance(customer_id, bool):
            refunds: Iterable[Refund] = b.index.refunds_of(customer_id)
            table = None
        else:
            refunds, table = b.state.refunds.values(), "refunds"
        return list_response(refunds, ListQuery(params, strict_inferred()), REFUND, owner=b, table=table)


@operation("createRefund")
async def create_refund(body: dict[str, Any], **_: Any) -> tuple[dict[str, Any], int]:
    # The docs mark no field required (--strict-inferred requires invoiceId, billRunType and the amount).
    method, bill_run_type = body.get("paymentMethod"), body.get("billRunType")
    with backend() as b:
        refund = b.create_refund(
            invoice_id=body.get("invoiceId"),
            bill_run_type=BillRunType(bill_run_type) if bill_run_type else None,
            amount=optional_money(body, "amountInMajorCurrency"),
            payment_method=PaymentMethod(method) if method else None,
            description=body.get("description"),
        )
        return rendered(refund, 201)
