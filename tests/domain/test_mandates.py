"""Site mandates, provider mandates (rules 5, 6), their lifecycle and instant bank payments (rule 7)."""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import MandateStatus, PaymentMethod, PaymentProviderStatus
from elevate_sandbox.domain.errors import (
    INVALID_STATUS_TRANSITION,
    NO_MANDATE_PROVIDER,
    NOT_FOUND,
    SITE_NOT_FOUND,
    THIRD_PARTY_CUSTOMER_REFERENCE_REQUIRED,
    NotFound,
)
from elevate_sandbox.domain.state import TenantState

ACTIVE, INACTIVE = PaymentProviderStatus.ACTIVE, PaymentProviderStatus.INACTIVE
RETURN_URL = "https://billing.example.co.uk/mandates/done"


def provider(world, method: PaymentMethod, status=ACTIVE, owners=None, sync: bool = False):
    return world.backend.create_payment_provider(
        type=method, name=f"{method} provider", status=status, contract_owner_ids=owners or [world.owner.id],
        sync_instant_bank_payments_with_mandate_creation=sync,
    )


def mandate_for(world, **extra):
    site = world.backend.create_site(customer_id=world.customer.id, name="Head office", **extra)
    return site, world.backend.create_site_payment_mandate(site_id=site.id, return_url=RETURN_URL)


def test_when_a_site_mandate_is_created_then_the_provider_mandate_and_site_follow(world, clock) -> None:
    site, mandate = mandate_for(world, postcode="M1 1AE")
    assert re.fullmatch(r"RE[A-Z0-9]{26}", mandate.flow_token)
    assert mandate.redirect_url == f"http://127.0.0.1:8080/_sandbox/hosted/mandates/{mandate.flow_token}"
    held = world.backend.get_provider_mandate(
        payment_method=PaymentMethod.GO_CARDLESS, mandate_reference=mandate.mandate_reference
    )
    assert (held.status, held.company_name, held.postcode, held.created_at) == (
        MandateStatus.NEW, world.customer.name, "M1 1AE", clock.now(),
    )
    assert held.third_party_customer_reference == mandate.third_party_customer_reference
    assert (site.payment_method, site.mandate_reference, site.mandate_status) == (
        PaymentMethod.GO_CARDLESS, mandate.mandate_reference, MandateStatus.NEW,
    )


@pytest.mark.parametrize(
    ("method", "reference", "customer_reference"),
    [
        (PaymentMethod.STRIPE, r"mandate_[A-Za-z0-9]{24}", r"cus_[A-Za-z0-9]{14}"),
        (PaymentMethod.STRIPE_DD, r"mandate_[A-Za-z0-9]{24}", r"cus_[A-Za-z0-9]{14}"),
        (PaymentMethod.FINASTRA, r"FIN\d{9}", r"\d{8}"),
        (PaymentMethod.GO_CARDLESS, r"MD[A-Z0-9]{12}", r"CU[A-Z0-9]{12}"),
    ],
)
def test_the_first_active_mandate_provider_of_the_owner_issues_references_in_its_style(
    world, method, reference, customer_reference
) -> None:
    other_owner = world.backend.create_contract_owner("Other owner")
    world.provider.status = INACTIVE
    provider(world, PaymentMethod.STRIPE_CARD)  # not a mandate method
    provider(world, PaymentMethod.FINASTRA, owners=[other_owner.id])
    provider(world, method)
    provider(world, PaymentMethod.GO_CARDLESS)  # later by id
    _, mandate = mandate_for(world)
    assert mandate.payment_method is method
    assert re.fullmatch(reference, mandate.mandate_reference)
    assert re.fullmatch(customer_reference, mandate.third_party_customer_reference)


def test_given_no_mandate_provider_or_site_then_the_mandate_is_refused(world, refused) -> None:
    site = world.backend.create_site(customer_id=world.customer.id)
    world.provider.status = INACTIVE
    with refused(NO_MANDATE_PROVIDER):
        world.backend.create_site_payment_mandate(site_id=site.id, return_url=RETURN_URL)
    with refused(SITE_NOT_FOUND):
        world.backend.create_site_payment_mandate(site_id=99, return_url=RETURN_URL)


def test_given_the_same_seed_then_mandates_get_the_same_references(clock) -> None:
    def references(seed: int) -> tuple[str, str, str]:
        backend = Backend(TenantState(), clock, random.Random(seed))
        customer = backend.create_customer(name="Seeded Ltd")
        backend.create_payment_provider(
            type=PaymentMethod.GO_CARDLESS, name="GC", status=ACTIVE, contract_owner_ids=[1]
        )
        site = backend.create_site(customer_id=customer.id)
        mandate = backend.create_site_payment_mandate(site_id=site.id, return_url=RETURN_URL)
        return mandate.flow_token, mandate.mandate_reference, mandate.third_party_customer_reference

    assert references(7) == references(7) != references(8)


def test_a_stripe_mandate_is_found_only_with_its_stripe_customer_id(world, refused) -> None:
    world.provider.status = INACTIVE
    provider(world, PaymentMethod.STRIPE)
    _, mandate = mandate_for(world)
    look = {"payment_method": PaymentMethod.STRIPE, "mandate_reference": mandate.mandate_reference}
    with refused(THIRD_PARTY_CUSTOMER_REFERENCE_REQUIRED):
        world.backend.get_provider_mandate(**look)
    found = world.backend.get_provider_mandate(
        **look, third_party_customer_reference=mandate.third_party_customer_reference, contract_owner_id=1
    )
    assert found.mandate_reference == mandate.mandate_reference


@pytest.mark.parametrize(
    "filters",
    [
        {"third_party_customer_reference": "CU000000000000"},
        {"contract_owner_id": 2},
        {"mandate_reference": "MD000000000000"},
        {"payment_method": PaymentMethod.FINASTRA},
    ],
)
def test_given_filters_that_do_not_match_then_the_mandate_is_not_found(world, filters) -> None:
    _, mandate = mandate_for(world)
    look = {"payment_method": PaymentMethod.GO_CARDLESS, "mandate_reference": mandate.mandate_reference}
    with pytest.raises(NotFound):
        world.backend.get_provider_mandate(**{**look, **filters})


def test_moving_a_mandate_keeps_its_site_in_step_and_follows_the_lifecycle(world, refused) -> None:
    site, mandate = mandate_for(world)
    for status in (MandateStatus.PENDING_SUBMISSION, MandateStatus.SUBMITTED, MandateStatus.ACTIVE):
        world.backend.move_provider_mandate(PaymentMethod.GO_CARDLESS, mandate.mandate_reference, status)
    assert site.mandate_status is MandateStatus.ACTIVE
    with refused(INVALID_STATUS_TRANSITION):
        world.backend.move_provider_mandate(
            PaymentMethod.GO_CARDLESS, mandate.mandate_reference, MandateStatus.NEW
        )
    with refused(NOT_FOUND, NotFound):
        world.backend.move_provider_mandate(PaymentMethod.GO_CARDLESS, "MD404", MandateStatus.ACTIVE)


@pytest.mark.parametrize(("sync", "credit"), [(True, Decimal("25.50")), (False, Decimal("0.00"))])
def test_an_instant_bank_payment_becomes_upfront_credit_only_when_the_provider_syncs(
    world, sync, credit
) -> None:
    world.provider.sync_instant_bank_payments_with_mandate_creation = sync
    _, mandate = mandate_for(world)
    keys = {"mandate_reference": mandate.mandate_reference, "payment_method": PaymentMethod.GO_CARDLESS}
    assert world.backend.instant_bank_payments_for_mandate(**keys) == []
    payment = world.backend.record_instant_bank_payment(**keys, amount=25.5, description="Sign-up payment")
    assert re.fullmatch(r"PM[A-Z0-9]{12}", payment.reference) and payment.amount == Decimal("25.50")
    assert world.backend.instant_bank_payments_for_mandate(**keys) == [payment]
    assert world.balance == credit


def test_given_an_unknown_mandate_then_instant_payments_are_an_empty_list_and_cannot_be_recorded(
    world, refused
) -> None:
    keys = {"mandate_reference": "MDX", "payment_method": PaymentMethod.GO_CARDLESS}
    assert world.backend.instant_bank_payments_for_mandate(**keys) == []
    with refused(NOT_FOUND, NotFound):
        world.backend.record_instant_bank_payment(**keys, amount=Decimal("1.00"), description="x")
