"""outbound-payments (1.39): GoCardless payouts, created, read and changed by JSON Patch."""

from __future__ import annotations

from typing import Any

from elevate_sandbox.api.common import backend, money, optional_date, patch_one, read_one, rendered, strict_inferred
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import ThirdPartyOutboundPaymentStatus


@operation("createOutboundPayment")
async def create_outbound_payment(body: dict[str, Any], **_: Any) -> tuple[dict[str, Any], int]:
    execution_date = optional_date(body, "executionDate")
    status = body.get("thirdPartyOutboundPaymentStatus")
    with backend() as b:
        payment = b.create_outbound_payment(
            customer_id=body["customerId"],
            amount=money(body),
            reference=body["reference"],
            description=body.get("description"),
            execution_date=execution_date,
            use_customer_credit_balance=body.get("useCustomerCreditBalance", False),
            status=ThirdPartyOutboundPaymentStatus(status) if status else None,
            strict=strict_inferred(),
        )
        return rendered(payment)


read_one("getOutboundPayment", "outbound_payment_id", Backend.get_outbound_payment)


patch_one(
    "updateOutboundPayment",
    "outbound_payment_id",
    "OutboundPayment",
    lambda b, record_id, patch, check: b.update_outbound_payment(record_id, patch, check, strict=strict_inferred()),
)
