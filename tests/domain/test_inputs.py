"""What each create takes is declared once (domain/inputs.py) and checked when it is called, as a keyword
signature was: an unknown or missing keyword is a TypeError, and nothing is created."""

from __future__ import annotations

from decimal import Decimal

import pytest

from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import PaymentMethod, PaymentProviderStatus


def test_a_misspelt_keyword_is_a_type_error_and_creates_nothing(backend: Backend) -> None:
    before = len(backend.state.customers)
    with pytest.raises(TypeError, match="unexpected keyword argument 'emial'"):
        backend.create_customer(name="Brackley Tiles Ltd", emial="accounts@brackley.example")  # type: ignore[call-arg]
    assert len(backend.state.customers) == before


def test_a_missing_required_keyword_is_a_type_error(backend: Backend) -> None:
    with pytest.raises(TypeError, match="missing a required keyword argument: 'contract_owner_ids'"):
        backend.create_payment_provider(  # type: ignore[call-arg]
            type=PaymentMethod.GO_CARDLESS, name="GoCardless", status=PaymentProviderStatus.ACTIVE
        )


def test_the_declared_keywords_and_the_creates_own_are_accepted(backend: Backend) -> None:
    customer = backend.create_customer(name="Brackley Tiles Ltd", credit_threshold=Decimal("500"))
    provider = backend.create_payment_provider(
        type=PaymentMethod.GO_CARDLESS, name="GoCardless", status=PaymentProviderStatus.ACTIVE, contract_owner_ids=[1]
    )
    link = backend.create_payment_link(
        payment_provider_id=provider.id, amount=Decimal("10"), description="Deposit", customer_id=customer.id,
        strict=True,
    )  # fmt: skip
    assert link.customer_id == customer.id
