"""site-payment-mandates, payment-provider-mandates and instant-bank-payment-for-mandate."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from elevate_sandbox.api.common import backend, create_one, rendered, strict_inferred
from elevate_sandbox.api.lists import ListQuery, list_response
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import PaymentMethod
from elevate_sandbox.domain.inputs import NewSitePaymentMandate
from elevate_sandbox.domain.resources import SITE_PAYMENT_MANDATE


@operation("getSitePaymentMandates")
async def get_site_payment_mandates(**params: Any) -> Response:
    with backend() as b:
        mandates, query = b.state.site_mandates.values(), ListQuery(params, strict_inferred())
        return list_response(mandates, query, SITE_PAYMENT_MANDATE, owner=b, table="site_mandates")


create_one(
    "createSitePaymentMandate",
    Backend.create_site_payment_mandate,
    NewSitePaymentMandate,
    {"siteId": "site_id", "returnURL": "return_url", "redirectURL": "redirect_url", "exitURL": "exit_url"},
)


@operation("getPaymentProviderMandate")
async def get_payment_provider_mandate(
    paymentMethod: str,
    mandateReference: str,
    **params: Any,
) -> tuple[dict[str, Any], int]:
    with backend() as b:
        mandate = b.get_provider_mandate(
            payment_method=PaymentMethod(paymentMethod),
            mandate_reference=mandateReference,
            third_party_customer_reference=params.get("thirdPartyCustomerReference"),
            contract_owner_id=params.get("contractOwnerId"),
        )
        return rendered(mandate)


@operation("getInstantBankPaymentForMandate")
async def get_instant_bank_payment_for_mandate(**params: Any) -> list[dict[str, Any]]:
    with backend() as b:
        payments = b.instant_bank_payments_for_mandate(
            mandate_reference=params["mandateReference"], payment_method=PaymentMethod(params["paymentMethod"])
        )
        return [payment.to_api() for payment in payments]
