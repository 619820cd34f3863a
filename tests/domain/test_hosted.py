"""The hosted pages' rules: URLs that name their tenant, completing a mandate flow, deciding a payout approval."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from elevate_sandbox.clock import FrozenClock
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import (
    MandateStatus,
    PaymentMethod,
    PaymentProviderStatus,
    ThirdPartyOutboundPaymentStatus,
)
from elevate_sandbox.domain.errors import INVALID_STATUS_TRANSITION, NOT_FOUND, ApprovalRequired, NotFound
from elevate_sandbox.domain.state import TenantState

PAYOUT, MANDATE = ThirdPartyOutboundPaymentStatus, MandateStatus
RETURN_URL = "https://billing.example.co.uk/mandates/done"
AMOUNT = Decimal("10000.00")


def flow(world):
    site = world.backend.create_site(customer_id=world.customer.id, name="Head office")
    return world.backend.create_site_payment_mandate(site_id=site.id, return_url=RETURN_URL)


def waiting_payout(world):
    world.backend.create_balance_adjustment(customer_id=world.customer.id, amount=AMOUNT)
    world.backend.progression.magic_values = True  # the approval step is opt-in: reference APPROVE...
    with pytest.raises(ApprovalRequired) as caught:
        world.backend.create_outbound_payment(
            customer_id=world.customer.id, amount=AMOUNT, reference="APPROVE-BIG", use_customer_credit_balance=True
        )
    return world.backend.get_outbound_payment(caught.value.outbound_payment_id)


def test_a_tenants_backend_names_the_tenant_in_every_hosted_url(clock: FrozenClock) -> None:
    backend = Backend(TenantState(), clock, random.Random(0), "https://sandbox.example/", tenant="ci-42")
    owner = backend.create_contract_owner("Owner")
    customer = backend.create_customer(name="Harrow & Finch Ltd", contract_owner_id=owner.id)
    provider = backend.create_payment_provider(
        type=PaymentMethod.GO_CARDLESS,
        name="GoCardless",
        status=PaymentProviderStatus.ACTIVE,
        contract_owner_ids=[owner.id],
    )
    link = backend.create_payment_link(
        payment_provider_id=provider.id, amount=Decimal("5.00"), description="Pay", customer_id=customer.id
    )
    site = backend.create_site(customer_id=customer.id)
    mandate = backend.create_site_payment_mandate(site_id=site.id, return_url=RETURN_URL)
    backend.create_balance_adjustment(customer_id=customer.id, amount=AMOUNT)
    backend.progression.magic_values = True
    with pytest.raises(ApprovalRequired) as caught:
        backend.create_outbound_payment(customer_id=customer.id, amount=AMOUNT, reference="APPROVE-R")
    assert link.payment_link == f"https://sandbox.example/_sandbox/hosted/pay/{link.token}?tenant=ci-42"
    assert mandate.redirect_url == f"https://sandbox.example/_sandbox/hosted/mandates/{mandate.flow_token}?tenant=ci-42"
    payout_id = caught.value.outbound_payment_id
    assert caught.value.authorisation_url == (
        f"https://sandbox.example/_sandbox/hosted/outbound-approvals/{payout_id}?tenant=ci-42"
    )


def test_a_payment_link_is_found_by_its_token(world) -> None:
    made = world.backend.create_payment_link(
        payment_provider_id=world.provider.id, amount=Decimal("5.00"), description="Pay", customer_id=world.customer.id
    )
    assert world.backend.get_payment_link(made.token) is made
    with pytest.raises(NotFound):
        world.backend.get_payment_link("f" * 32)


def test_when_the_flow_is_completed_then_the_mandate_waits_for_submission_and_the_site_follows(world, refused) -> None:
    started = flow(world)
    assert world.backend.get_mandate_flow(started.flow_token) is started
    mandate = world.backend.complete_mandate_flow(started.flow_token)
    assert mandate.status is MANDATE.PENDING_SUBMISSION
    assert world.backend.get_site(started.site_id).mandate_status is MANDATE.PENDING_SUBMISSION
    with refused(INVALID_STATUS_TRANSITION):
        world.backend.complete_mandate_flow(started.flow_token)


def test_given_a_mandate_that_moved_on_then_its_flow_cannot_be_completed(world, refused) -> None:
    started = flow(world)
    world.backend.move_provider_mandate(started.payment_method, started.mandate_reference, MANDATE.CANCELLED)
    with refused(INVALID_STATUS_TRANSITION):
        world.backend.complete_mandate_flow(started.flow_token)
    with refused(NOT_FOUND, NotFound):
        world.backend.complete_mandate_flow("RE" + "0" * 26)


@pytest.mark.parametrize(("approve", "status"), [(True, PAYOUT.SCHEDULED), (False, PAYOUT.CANCELLED)])
def test_when_an_approver_decides_then_the_payout_is_scheduled_or_cancelled(world, refused, approve, status) -> None:
    payout = waiting_payout(world)
    assert world.backend.decide_outbound_approval(payout.id, approve=approve).status is status
    with refused(INVALID_STATUS_TRANSITION):
        world.backend.decide_outbound_approval(payout.id, approve=True)
    with refused(NOT_FOUND, NotFound):
        world.backend.decide_outbound_approval(99, approve=True)
