"""refunds: list and create refunds against normal and adhoc invoices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.responses import Response

from elevate_sandbox.api.common import backend, create_one, strict_inferred
from elevate_sandbox.api.lists import ListQuery, list_response
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.inputs import NewRefund
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


# The docs mark no field required (--strict-inferred requires invoiceId, billRunType and the amount).
create_one(
    "createRefund",
    Backend.create_refund,
    NewRefund,
    {
        "invoiceId": "invoice_id",
        "billRunType": "bill_run_type",
        "amountInMajorCurrency": "amount",
        "paymentMethod": "payment_method",
        "description": "description",
    },
)
