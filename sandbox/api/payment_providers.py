"""payment-providers: list, create, get and JSON Patch of payment providers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connexion.lifecycle import ConnexionResponse
from starlette.responses import Response

from elevate_sandbox.api.common import backend, create_one, no_content, patch_one, read_one, strict_inferred
from elevate_sandbox.api.lists import ListQuery, list_response
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.inputs import NewPaymentProvider
from elevate_sandbox.domain.models import PaymentProvider
from elevate_sandbox.domain.resources import PAYMENT_PROVIDER


@operation("getPaymentProviders")
async def get_payment_providers(**params: Any) -> Response:
    owner = params.get("contractOwnerId")
    with backend() as b:
        table = b.state.payment_providers
        providers: Iterable[PaymentProvider]
        if owner is None:  # the table itself: a default-order page reads only its own rows
            providers, name = table.values(), "payment_providers"
        else:
            providers, name = [p for p in table.values() if owner in p.contract_owner_ids], None
        return list_response(providers, ListQuery(params, strict_inferred()), PAYMENT_PROVIDER, owner=b, table=name)


create_one(
    "createPaymentProvider",
    Backend.create_payment_provider,
    NewPaymentProvider,
    {
        "type": "type",
        "name": "name",
        "status": "status",
        "contractOwnerIds": "contract_owner_ids",
        "directDebitWithName": "direct_debit_with_name",
        "creditorIdentifier": "creditor_identifier",
        "instantBankPayments": "instant_bank_payments",
        "retryIfPossible": "retry_if_possible",
        "acceptExternalPayments": "accept_external_payments",
        "syncInstantBankPaymentsWithMandateCreation": "sync_instant_bank_payments_with_mandate_creation",
    },
)


read_one("getPaymentProvider", "payment_provider_id", Backend.get_payment_provider)


patch_one("updatePaymentProvider", "payment_provider_id", "PaymentProvider", Backend.update_payment_provider)


@operation("reprocessPaymentProvider")
async def reprocess_payment_provider(body: dict[str, Any], **_: Any) -> ConnexionResponse:
    with backend() as b:
        b.reprocess_payment_provider(payment_provider_id=body["paymentProviderId"], notes=body.get("notes"))
        return no_content(200)
