"""payment-providers (create, read, JSON Patch) and payment-provider-reprocess."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Unpack

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import PaymentProviderStatus
from elevate_sandbox.domain.errors import PROVIDER_INACTIVE, InvalidRequest
from elevate_sandbox.domain.inputs import NewPaymentProvider, takes
from elevate_sandbox.domain.lookups import check_contract_owners, get_or_404, provider_ref
from elevate_sandbox.domain.models import PaymentProvider
from elevate_sandbox.domain.patching import patched_values
from elevate_sandbox.domain.payments import resubmit
from elevate_sandbox.domain.resources import PAYMENT_PROVIDER
from elevate_sandbox.domain.transitions import PROVIDER_REPROCESS_STATUSES


@takes(NewPaymentProvider)
def create_payment_provider(ctx: Context, **fields: Unpack[NewPaymentProvider]) -> PaymentProvider:
    """Add a payment provider for existing contract owners."""
    check_contract_owners(ctx, fields["contract_owner_ids"])
    provider = PaymentProvider(
        id=ctx.state.next_id("payment_providers"), type=fields["type"], name=fields["name"], status=fields["status"],
        contract_owner_ids=list(fields["contract_owner_ids"]),
        direct_debit_with_name=fields.get("direct_debit_with_name"),
        creditor_identifier=fields.get("creditor_identifier"),
        instant_bank_payments=fields.get("instant_bank_payments", False),
        retry_if_possible=fields.get("retry_if_possible", False),
        accept_external_payments=fields.get("accept_external_payments", False),
        sync_instant_bank_payments_with_mandate_creation=fields.get(
            "sync_instant_bank_payments_with_mandate_creation", False
        ),
    )
    ctx.state.payment_providers[provider.id] = provider
    return provider


def get_payment_provider(ctx: Context, provider_id: int) -> PaymentProvider:
    return get_or_404(ctx.state.payment_providers, provider_id, "payment provider")


def update_payment_provider(
    ctx: Context, provider_id: int, operations: list[dict[str, Any]], validate: Callable[[dict[str, Any]], None]
) -> PaymentProvider:
    """Apply a JSON Patch: read-only paths, tests, schema and contract owners all pass, or nothing changes."""
    provider = get_payment_provider(ctx, provider_id)
    fields = patched_values(provider, operations, PAYMENT_PROVIDER, validate)
    check_contract_owners(ctx, fields["contract_owner_ids"])
    for name, value in fields.items():
        setattr(provider, name, value)
    return provider


def reprocess_payment_provider(ctx: Context, *, payment_provider_id: int, notes: str | None = None) -> int:
    """Resubmit every failed payment this provider collects; returns how many (inferred operation)."""
    provider = provider_ref(ctx, payment_provider_id)
    if provider.status is PaymentProviderStatus.INACTIVE:
        raise InvalidRequest(f"Payment provider {provider.id} is INACTIVE", PROVIDER_INACTIVE)
    owners = set(provider.contract_owner_ids)
    due = [
        payment
        for payment in (*ctx.state.invoice_payments.values(), *ctx.state.adhoc_invoice_payments.values())
        if payment.third_party_payment_status in PROVIDER_REPROCESS_STATUSES
        and payment.payment_method is provider.type
        and ctx.state.customers[payment.customer_id].contract_owner_id in owners
    ]
    for payment in due:
        resubmit(ctx, payment, notes)
    return len(due)
