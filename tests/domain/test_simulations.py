"""Outcome simulators through HTTP: each scenario has the real event's effects, or refuses and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from elevate_sandbox.domain import errors
from elevate_sandbox.domain.time.scenarios import SCENARIOS
from elevate_sandbox.domain.transitions import (
    MANDATE_TRANSITIONS,
    OUTBOUND_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
)
from tests.conftest import Api
from tests.driving_world import Driver


@pytest.fixture
def world(api: Api) -> Driver:
    return Driver(api)


def _state(world: Driver) -> Any:
    return world.api.ok(world.api.get("/_sandbox/state"))


def _applied(world: Driver, scenario: str, **ids: Any) -> dict[str, Any]:
    return world.api.ok(world.simulate(scenario, **ids))


def _refused(world: Driver, scenario: str, code: str = errors.SCENARIO_NOT_APPLICABLE, **ids: Any) -> None:
    """The scenario is refused with ``code`` and the tenant's state is exactly as it was."""
    before = _state(world)
    response = world.simulate(scenario, **ids)
    assert response.status_code == errors.status_of(code) and response.json()["code"] == code, response.text
    assert _state(world) == before


# --- the catalogue -------------------------------------------------------------------------------------


def test_the_catalogue_lists_every_scenario_with_its_kind_and_preconditions(api: Api) -> None:
    listed = {s["scenario"]: s for s in api.ok(api.get("/_sandbox/simulations"))}
    assert set(listed) == {
        "payment_paid",
        "payment_failed",
        "payment_charged_back",
        "payment_late_failure",
        "payment_customer_approval_denied",
        "mandate_activated",
        "mandate_failed",
        "mandate_cancelled",
        "mandate_expired",
        "refund_paid",
        "refund_bounced",
        "refund_funds_returned",
        "outbound_approved",
        "outbound_executed",
        "outbound_failed",
    }
    assert listed["payment_failed"]["preconditions"] == ["FAILED_RETRYING", "SUBMITTED"]
    assert listed["mandate_expired"] == {
        "scenario": "mandate_expired",
        "resource": "mandates",
        "description": "The mandate expires unused",
        "identifiedBy": ["paymentMethod", "mandateReference"],
        "preconditions": ["ACTIVE"],
        "results": ["EXPIRED"],
    }
    assert (
        "SUBMITTED" in listed["payment_paid"]["preconditions"]
        and "PAID_OUT" not in listed["payment_paid"]["preconditions"]
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_one_step_scenario_is_a_transition_its_lifecycle_allows(name: str) -> None:
    transitions = {
        "invoicePayments": PAYMENT_TRANSITIONS,
        "refunds": REFUND_TRANSITIONS,
        "mandates": MANDATE_TRANSITIONS,
        "outboundPayments": OUTBOUND_TRANSITIONS,
    }[SCENARIOS[name].kind]
    for source, target in SCENARIOS[name].moves.items():
        assert (source, target) in transitions


# --- invoice payments ------------------------------------------------------------------------------------


def test_payment_paid_collects_the_money_and_settles_the_invoice(world: Driver) -> None:
    customer = world.customer()
    invoice = world.invoice(customer, 75)
    payment = world.pay(invoice, 75, status="PENDING_SUBMISSION")
    paid = _applied(world, "payment_paid", resourceId=payment["id"])
    assert paid["id"] == payment["id"] and paid["thirdPartyPaymentStatus"] == "PAID_OUT"
    assert world.invoice_of(invoice)["paymentStatus"] == "PAID" and world.balance(customer) == 0
    _refused(world, "payment_paid", resourceId=payment["id"])


def test_payment_failed_leaves_the_debt_and_says_why(world: Driver) -> None:
    customer = world.customer()
    invoice = world.invoice(customer, 60, kind="ADHOC")
    payment = world.pay(invoice, 60)
    failed = _applied(world, "payment_failed", resourceId=payment["id"], billRunType="ADHOC")
    assert failed["thirdPartyPaymentStatus"] == "FAILED" and "insufficient_funds" in failed["errorInfo"]
    assert world.invoice_of(invoice)["paymentStatus"] == "UNPAID" and world.balance(customer) == Decimal("-60.00")


def test_payment_charged_back_takes_collected_money_back(world: Driver) -> None:
    customer = world.customer()
    invoice = world.invoice(customer, 90)
    payment = world.pay(invoice, 90)
    _applied(world, "payment_paid", resourceId=payment["id"])
    charged = _applied(world, "payment_charged_back", resourceId=payment["id"])
    assert charged["thirdPartyPaymentStatus"] == "CHARGED_BACK" and charged["errorInfo"]
    assert world.invoice_of(invoice)["paymentStatus"] == "UNPAID" and world.balance(customer) == Decimal("-90.00")


@pytest.mark.parametrize(("start", "expected"), [("CONFIRMED", "FAILED"), ("PAID_OUT", "LATE_FAILURE_SETTLED")])
def test_payment_late_failure_undoes_a_collected_payment(world: Driver, start: str, expected: str) -> None:
    customer = world.customer()
    invoice = world.invoice(customer, 45)
    payment = world.pay(invoice, 45, status="CONFIRMED")
    if start == "PAID_OUT":
        _applied(world, "payment_paid", resourceId=payment["id"])
    assert world.balance(customer) == 0
    late = _applied(world, "payment_late_failure", resourceId=payment["id"])
    assert late["thirdPartyPaymentStatus"] == expected and "late_failure" in late["errorInfo"]
    assert world.balance(customer) == Decimal("-45.00")


def test_payment_customer_approval_denied_applies_only_while_approval_is_pending(world: Driver) -> None:
    invoice = world.invoice(world.customer(), 30)
    waiting = world.pay(invoice, 30, status="PENDING_CUSTOMER_APPROVAL")
    submitted = world.pay(world.invoice(world.customer("Other Ltd"), 31), 31)
    _refused(world, "payment_customer_approval_denied", resourceId=submitted["id"])
    denied = _applied(world, "payment_customer_approval_denied", resourceId=waiting["id"])
    assert denied["thirdPartyPaymentStatus"] == "CUSTOMER_APPROVAL_DENIED"
    assert world.invoice_of(invoice)["paymentStatus"] == "UNPAID"


def test_a_manual_payment_has_no_provider_event_to_simulate(world: Driver) -> None:
    cheque = world.pay(world.invoice(world.customer(), 20), 20, method="CHEQUE")
    _refused(world, "payment_failed", resourceId=cheque["id"])


# --- refunds -------------------------------------------------------------------------------------------


@pytest.fixture
def refund(world: Driver) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A submitted GoCardless refund of 25 on an invoice of 100 that was collected: (customer, invoice, refund)."""
    customer = world.customer()
    invoice = world.invoice(customer, 100)
    world.pay(invoice, 100, status="CONFIRMED")
    return customer, invoice, world.refund(invoice, 25)


def test_refund_paid_then_funds_returned_gives_the_money_back_to_the_books(world: Driver, refund: tuple) -> None:
    customer, invoice, submitted = refund
    assert _applied(world, "refund_paid", resourceId=submitted["id"])["thirdPartyRefundStatus"] == "PAID"
    assert world.balance(customer) == Decimal("-25.00")
    _refused(world, "refund_bounced", resourceId=submitted["id"])
    returned = _applied(world, "refund_funds_returned", resourceId=submitted["id"])
    assert returned["thirdPartyRefundStatus"] == "FUNDS_RETURNED"
    assert world.balance(customer) == 0 and world.invoice_of(invoice)["paymentStatus"] == "PAID"


def test_refund_bounced_uncounts_the_refund(world: Driver, refund: tuple) -> None:
    customer, invoice, submitted = refund
    assert world.invoice_of(invoice)["paymentStatus"] == "PART_REFUNDED"
    _refused(world, "refund_funds_returned", resourceId=submitted["id"])
    assert _applied(world, "refund_bounced", resourceId=submitted["id"])["thirdPartyRefundStatus"] == "BOUNCED"
    assert world.balance(customer) == 0 and world.invoice_of(invoice)["paymentStatus"] == "PAID"


# --- mandates --------------------------------------------------------------------------------------------


def _mandate_ids(mandate: dict[str, Any]) -> dict[str, str]:
    return {"paymentMethod": "GO_CARDLESS", "mandateReference": mandate["mandateReference"]}


def test_mandate_activated_then_expired_and_the_site_follows(world: Driver) -> None:
    mandate = world.mandate(world.customer())
    _refused(world, "mandate_expired", **_mandate_ids(mandate))
    assert _applied(world, "mandate_activated", **_mandate_ids(mandate))["status"] == "ACTIVE"
    site = world.api.ok(world.api.get(f"/_sandbox/sites/{mandate['siteId']}"))
    assert site["mandateStatus"] == "ACTIVE"
    assert _applied(world, "mandate_expired", **_mandate_ids(mandate))["status"] == "EXPIRED"
    _refused(world, "mandate_activated", **_mandate_ids(mandate))


@pytest.mark.parametrize(("scenario", "expected"), [("mandate_failed", "FAILED"), ("mandate_cancelled", "CANCELLED")])
def test_a_new_mandate_can_fail_or_be_cancelled(world: Driver, scenario: str, expected: str) -> None:
    mandate = world.mandate(world.customer())
    assert _applied(world, scenario, **_mandate_ids(mandate))["status"] == expected
    _refused(world, "mandate_failed", **_mandate_ids(mandate))


def test_an_unknown_mandate_is_a_404(world: Driver) -> None:
    response = world.simulate("mandate_activated", paymentMethod="GO_CARDLESS", mandateReference="MD000NOSUCH")
    assert response.status_code == 404 and response.json()["code"] == errors.NOT_FOUND


# --- outbound payments ---------------------------------------------------------------------------------


def test_outbound_approved_schedules_a_payout_that_waited_for_approval(world: Driver) -> None:
    customer = world.customer()
    refused = world.payout(customer, 12_000, reference="APPROVE-0001")
    assert refused.status_code == 403
    payout_id = int(refused.json()["authorisationUrl"].split("/")[-1].split("?")[0])
    approved = _applied(world, "outbound_approved", resourceId=payout_id)
    assert approved["thirdPartyOutboundPaymentStatus"] == "SCHEDULED"
    _refused(world, "outbound_approved", resourceId=payout_id)


def test_outbound_executed_uses_the_credit_whatever_the_date(world: Driver) -> None:
    customer = world.customer()
    world.credit(customer, 500)
    payout = world.api.ok(world.payout(customer, 120, execution_date="2027-01-15", use_credit=True))
    executed = _applied(world, "outbound_executed", resourceId=payout["id"])
    assert executed["thirdPartyOutboundPaymentStatus"] == "EXECUTED" and world.balance(customer) == Decimal("380.00")


def test_outbound_executed_refuses_when_the_credit_is_gone(world: Driver) -> None:
    customer = world.customer()
    world.credit(customer, 100)
    payout = world.api.ok(world.payout(customer, 100, execution_date="2027-01-15", use_credit=True))
    world.credit(customer, -50)
    _refused(world, "outbound_executed", errors.INSUFFICIENT_CREDIT, resourceId=payout["id"])
    failed = _applied(world, "outbound_failed", resourceId=_scheduled(world, payout)["id"])
    assert failed["thirdPartyOutboundPaymentStatus"] == "FAILED" and world.balance(customer) == Decimal("50.00")


def _scheduled(world: Driver, payout: dict[str, Any]) -> dict[str, Any]:
    """The payout after the clock has verified and scheduled it (a NEW payout cannot fail yet)."""
    _refused(world, "outbound_failed", resourceId=payout["id"])
    world.move_clock(advanceBy="P1D")
    return world.payout_of(payout)


# --- identification ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"scenario": "payment_paid", "resourceId": 999}, 404),
        ({"scenario": "refund_paid", "resourceId": 999}, 404),
        ({"scenario": "outbound_failed", "resourceId": 999}, 404),
        ({"scenario": "payment_paid"}, 400),
        ({"scenario": "mandate_activated", "paymentMethod": "GO_CARDLESS"}, 400),
        ({"scenario": "payment_teleported", "resourceId": 1}, 400),
        ({"scenario": "payment_paid", "resourceId": 1, "billRunType": "WEEKLY"}, 400),
    ],
)
def test_an_unknown_record_is_a_404_and_a_malformed_request_a_400(world: Driver, body: dict, status: int) -> None:
    response = world.api.post("/_sandbox/simulations", body)
    assert response.status_code == status, response.text
