"""site-payment-mandates, payment-provider-mandates and instant-bank-payment-for-mandate."""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Unpack

from elevate_sandbox.domain.context import ALNUM, UPPER_ALNUM, Context
from elevate_sandbox.domain.enums import (
    MANDATE_METHODS,
    STRIPE_METHODS,
    MandateStatus,
    PaymentMethod,
    PaymentProviderStatus,
)
from elevate_sandbox.domain.errors import (
    INVALID_STATUS_TRANSITION,
    NO_MANDATE_PROVIDER,
    THIRD_PARTY_CUSTOMER_REFERENCE_REQUIRED,
    InvalidRequest,
    NotFound,
)
from elevate_sandbox.domain.hosted import MANDATE_PAGE, hosted_url
from elevate_sandbox.domain.inputs import NewSitePaymentMandate, takes
from elevate_sandbox.domain.lookups import by_token, require_positive, site_ref
from elevate_sandbox.domain.models import (
    Customer,
    InstantBankPayment,
    PaymentProvider,
    ProviderMandate,
    Site,
    SitePaymentMandate,
)
from elevate_sandbox.domain.money import to_money
from elevate_sandbox.domain.transitions import MANDATE_TRANSITIONS, check_transition

# (prefix, alphabet, length) of the references each provider issues, in its own style.
MANDATE_REFERENCE_FORMATS = {
    PaymentMethod.GO_CARDLESS: ("MD", UPPER_ALNUM, 12),
    PaymentMethod.STRIPE: ("mandate_", ALNUM, 24),
    PaymentMethod.STRIPE_DD: ("mandate_", ALNUM, 24),
    PaymentMethod.FINASTRA: ("FIN", string.digits, 9),
}
CUSTOMER_REFERENCE_FORMATS = {
    PaymentMethod.GO_CARDLESS: ("CU", UPPER_ALNUM, 12),
    PaymentMethod.STRIPE: ("cus_", ALNUM, 14),
    PaymentMethod.STRIPE_DD: ("cus_", ALNUM, 14),
    PaymentMethod.FINASTRA: ("", string.digits, 8),
}
# GoCardless billing-request-flow style token, and a GoCardless payment id for instant payments.
FLOW_TOKEN_FORMAT = ("RE", UPPER_ALNUM, 26)
INSTANT_PAYMENT_REFERENCE_FORMAT = ("PM", UPPER_ALNUM, 12)


def _reference(ctx: Context, fmt: tuple[str, str, int]) -> str:
    prefix, alphabet, length = fmt
    return prefix + ctx.token(alphabet, length)


def mandate_provider(
    ctx: Context, contract_owner_id: int, methods: tuple[PaymentMethod, ...]
) -> PaymentProvider | None:
    """The first ACTIVE provider (by id) of one of ``methods`` that serves the contract owner."""
    for provider in ctx.state.payment_providers.values():
        if (
            provider.status is PaymentProviderStatus.ACTIVE
            and provider.type in methods
            and contract_owner_id in provider.contract_owner_ids
        ):
            return provider
    return None


@takes(NewSitePaymentMandate)
def create_site_payment_mandate(ctx: Context, **fields: Unpack[NewSitePaymentMandate]) -> SitePaymentMandate:
    """Start a mandate-capture flow for a site with its contract owner's mandate provider."""
    site = site_ref(ctx, fields["site_id"])
    customer = ctx.state.customers[site.customer_id]
    provider = mandate_provider(ctx, customer.contract_owner_id, MANDATE_METHODS)
    if provider is None:
        raise InvalidRequest(
            f"No active mandate provider ({', '.join(MANDATE_METHODS)}) serves contract owner "
            f"{customer.contract_owner_id}",
            NO_MANDATE_PROVIDER,
        )
    method = provider.type
    reference = _reference(ctx, MANDATE_REFERENCE_FORMATS[method])
    while (method, reference) in ctx.state.provider_mandates:  # short Finastra references may collide
        reference = _reference(ctx, MANDATE_REFERENCE_FORMATS[method])
    customer_reference = _reference(ctx, CUSTOMER_REFERENCE_FORMATS[method])
    flow_token = _reference(ctx, FLOW_TOKEN_FORMAT)
    mandate = SitePaymentMandate(
        id=ctx.state.next_id("site_mandates"), site_id=site.id, return_url=fields["return_url"],
        payment_method=method, flow_token=flow_token, mandate_reference=reference,
        redirect_url=fields.get("redirect_url") or hosted_url(ctx, MANDATE_PAGE, flow_token),
        exit_url=fields.get("exit_url"), third_party_customer_reference=customer_reference,
    )
    ctx.state.site_mandates[mandate.id] = mandate
    ctx.index.site_mandate_ids_by_flow_token[flow_token] = mandate.id
    ctx.state.provider_mandates[(method, reference)] = _provider_mandate(ctx, mandate, site, customer)
    site.payment_method, site.mandate_reference, site.mandate_status = method, reference, MandateStatus.NEW
    return mandate


def _provider_mandate(
    ctx: Context, mandate: SitePaymentMandate, site: Site, customer: Customer
) -> ProviderMandate:
    """The provider's side of a new mandate, with the contact details it collected."""
    return ProviderMandate(
        payment_method=mandate.payment_method, mandate_reference=mandate.mandate_reference,
        customer_id=customer.id, site_id=site.id, contract_owner_id=customer.contract_owner_id,
        status=MandateStatus.NEW, created_at=ctx.clock.now(), status_since=ctx.clock.now(),
        third_party_customer_reference=mandate.third_party_customer_reference, email=customer.email,
        first_name=customer.first_name, last_name=customer.last_name, company_name=customer.name,
        address_line1=site.address_line1, city=site.city, postcode=site.postcode,
        telephone=customer.telephone,
    )


def _mandate_or_404(ctx: Context, payment_method: PaymentMethod, mandate_reference: str) -> ProviderMandate:
    mandate = ctx.state.provider_mandates.get((payment_method, mandate_reference))
    if mandate is None:
        raise NotFound(f"No {payment_method.value} mandate with reference {mandate_reference}")
    return mandate


def get_provider_mandate(
    ctx: Context,
    *,
    payment_method: PaymentMethod,
    mandate_reference: str,
    third_party_customer_reference: str | None = None,
    contract_owner_id: int | None = None,
) -> ProviderMandate:
    """Rule 6: a Stripe mandate is only found together with its Stripe customer id."""
    if payment_method in STRIPE_METHODS and not third_party_customer_reference:
        raise InvalidRequest(
            "thirdPartyCustomerReference (the Stripe customer id) is required for a Stripe mandate",
            THIRD_PARTY_CUSTOMER_REFERENCE_REQUIRED,
        )
    mandate = _mandate_or_404(ctx, payment_method, mandate_reference)
    wrong_customer = (
        third_party_customer_reference is not None
        and third_party_customer_reference != mandate.third_party_customer_reference
    )
    wrong_owner = contract_owner_id is not None and contract_owner_id != mandate.contract_owner_id
    if wrong_customer or wrong_owner:
        # Filters that do not match find nothing: the same answer as an unknown mandate.
        raise NotFound(f"No {payment_method.value} mandate with reference {mandate_reference} matches")
    return mandate


def move_provider_mandate(
    ctx: Context, payment_method: PaymentMethod, mandate_reference: str, status: MandateStatus
) -> ProviderMandate:
    """Move a mandate along its lifecycle; the site that uses it shows the same status."""
    mandate = _mandate_or_404(ctx, payment_method, mandate_reference)
    if not check_transition(MANDATE_TRANSITIONS, "mandate", mandate.status, status):
        return mandate
    mandate.status = status
    mandate.status_since = ctx.clock.now()
    site = ctx.state.sites[mandate.site_id]
    if site.mandate_reference == mandate.mandate_reference and site.payment_method is mandate.payment_method:
        site.mandate_status = status
    return mandate


def instant_bank_payments_for_mandate(
    ctx: Context, *, mandate_reference: str, payment_method: PaymentMethod
) -> list[InstantBankPayment]:
    """The instant payments recorded for a mandate, oldest first; none for an unknown mandate."""
    return [
        ibp for ibp in ctx.state.instant_bank_payments.values()
        if ibp.mandate_reference == mandate_reference and ibp.payment_method is payment_method
    ]


def record_instant_bank_payment(
    ctx: Context, *, mandate_reference: str, payment_method: PaymentMethod, amount: Decimal, description: str
) -> InstantBankPayment:
    """Record an instant payment taken with a mandate; rule 7 may make it upfront credit."""
    mandate = _mandate_or_404(ctx, payment_method, mandate_reference)
    amount = to_money(amount)
    require_positive(amount)
    provider = mandate_provider(ctx, mandate.contract_owner_id, (mandate.payment_method,))
    upfront = provider is not None and provider.sync_instant_bank_payments_with_mandate_creation
    payment = InstantBankPayment(
        id=ctx.state.next_id("instant_bank_payments"), mandate_reference=mandate_reference,
        payment_method=payment_method, amount=amount, description=description,
        reference=_reference(ctx, INSTANT_PAYMENT_REFERENCE_FORMAT), creation_date=ctx.clock.now(),
        upfront_credit=upfront,
    )
    ctx.state.instant_bank_payments[payment.id] = payment
    if upfront:
        ctx.state.customers[mandate.customer_id].balance += amount
    return payment


# A completed capture flow: the customer authorised the mandate, which now waits to be submitted to the
# bank (GoCardless: pending_customer_approval -> pending_submission once the billing request is fulfilled).
FLOW_OPEN_STATUSES = (MandateStatus.NEW, MandateStatus.CREATED)
FLOW_COMPLETION_STEPS = (MandateStatus.CUSTOMER_APPROVAL_GRANTED, MandateStatus.PENDING_SUBMISSION)


def site_mandate_by_flow_token(ctx: Context, flow_token: str) -> SitePaymentMandate:
    """The site mandate whose capture flow has this token, or NotFound."""
    return by_token(ctx.index.site_mandate_ids_by_flow_token, ctx.state.site_mandates, flow_token, "mandate flow")


def complete_mandate_flow(ctx: Context, flow_token: str) -> ProviderMandate:
    """The customer completed the flow: the provider mandate is approved and waits for submission, once."""
    flow = site_mandate_by_flow_token(ctx, flow_token)
    mandate = _mandate_or_404(ctx, flow.payment_method, flow.mandate_reference)
    if mandate.status not in FLOW_OPEN_STATUSES:
        raise InvalidRequest(
            f"The mandate flow {flow_token} was already completed: mandate {mandate.mandate_reference} is "
            f"{mandate.status.value}",
            INVALID_STATUS_TRANSITION,
        )
    for status in FLOW_COMPLETION_STEPS:
        move_provider_mandate(ctx, flow.payment_method, flow.mandate_reference, status)
    return mandate
