"""payment-providers (create, read, JSON Patch) and payment-provider-reprocess."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import PaymentMethod, PaymentProviderStatus
from elevate_sandbox.domain.errors import PROVIDER_INACTIVE, InvalidRequest
from elevate_sandbox.domain.lookups import check_contract_owners, get_or_404, provider_ref
from elevate_sandbox.domain.models import PaymentProvider
from elevate_sandbox.domain.patching import patched_values
from elevate_sandbox.domain.payments import resubmit
from elevate_sandbox.domain.resources import PAYMENT_PROVIDER
from elevate_sandbox.domain.transitions import PROVIDER_REPROCESS_STATUSES


def create_payment_provider(
    ctx: Context,
    *,
    type: PaymentMethod,  # Elevate's field name, shadowing the builtin on purpose
    name: str,
    status: PaymentProviderStatus,
    contract_owner_ids: list[int],
    direct_debit_with_name: str | None = None,
    creditor_identifier: str | None = None,
    instant_bank_payments: bool = False,
    retry_if_possible: bool = False,
    accept_external_payments: bool = False,
    sync_instant_bank_payments_with_mandate_creation: bool = False,
) -> PaymentProvider:
    """Add a payment provider for existing contract owners."""
    check_contract_owners(ctx, contract_owner_ids)
    provider = PaymentProvider(
        id=ctx.state.next_id("payment_providers"), type=type, name=name, status=status,
        contract_owner_ids=list(contract_owner_ids), direct_debit_with_name=direct_debit_with_name,
        creditor_identifier=creditor_identifier, instant_bank_payments=instant_bank_payments,
        retry_if_possible=retry_if_possible, accept_external_payments=accept_external_payments,
        sync_instant_bank_payments_with_mandate_creation=sync_instant_bank_payments_with_mandate_creation,
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
