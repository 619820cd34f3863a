"""outbound-payments (1.39): GoCardless payouts, created, read and changed by JSON Patch."""

from __future__ import annotations

from typing import Any

from elevate_sandbox.api.common import backend, money, optional_date, rendered, strict_inferred
from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.api.registry import operation
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


@operation("getOutboundPayment")
async def get_outbound_payment(outbound_payment_id: int, **_: Any) -> tuple[dict[str, Any], int]:
    with backend() as b:
        return rendered(b.get_outbound_payment(outbound_payment_id))


@operation("updateOutboundPayment")
async def update_outbound_payment(
    outbound_payment_id: int, body: list[dict[str, Any]], **_: Any
) -> tuple[dict[str, Any], int]:
    check = current_runtime().schema_check("OutboundPayment")
    with backend() as b:
        return rendered(b.update_outbound_payment(outbound_payment_id, body, check, strict=strict_inferred()))
