"""The tenant clock and the progression policy, through HTTP: time moves records, policies decide how."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from elevate_sandbox.domain import errors
from tests.conftest import Api
from tests.driving_world import START, Driver, put


@pytest.fixture
def world(api: Api) -> Driver:
    return Driver(api)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- the clock ---------------------------------------------------------------------------------------


def test_the_clock_starts_frozen_where_the_settings_put_it(api: Api) -> None:
    assert api.ok(api.get("/_sandbox/clock")) == {"now": START, "frozen": True}


@pytest.mark.parametrize(
    ("advance_by", "expected"),
    [
        ("P1D", "2026-11-26T09:00:00Z"),
        ("PT2H30M", "2026-11-25T11:30:00Z"),
        (90, "2026-11-25T09:01:30Z"),
        ("P1W", "2026-12-02T09:00:00Z"),
        ("P1DT1S", "2026-11-26T09:00:01Z"),
    ],
)
def test_advancing_by_a_duration_or_seconds_moves_now(world: Driver, advance_by: object, expected: str) -> None:
    moved = world.move_clock(advanceBy=advance_by)
    assert (moved["now"], moved["frozen"], moved["changes"]) == (expected, True, [])
    assert world.now() == expected


def test_the_clock_moves_to_an_instant_but_never_back(world: Driver) -> None:
    assert world.move_clock(to="2026-12-24T18:00:00Z")["now"] == "2026-12-24T18:00:00Z"
    refused = world.api.post("/_sandbox/clock", {"to": "2026-12-24T17:59:59Z"})
    assert refused.status_code == 400 and refused.json()["code"] == errors.CLOCK_BACKWARDS
    refused = world.api.post("/_sandbox/clock", {"advanceBy": -1})
    assert refused.status_code == 400 and refused.json()["code"] == errors.CLOCK_BACKWARDS
    assert world.now() == "2026-12-24T18:00:00Z"


@pytest.mark.parametrize(
    "body",
    [
        {"advanceBy": "P1M"},
        {"advanceBy": "1 day"},
        {"advanceBy": "P99999D"},
        {"advanceBy": 1.5},
        {"to": "soon"},
        {"advanceBy": "P1D", "to": "2027-01-01T00:00:00Z"},
        {"freeze": "yes"},
        {"speed": 2},
    ],
)
def test_a_bad_clock_request_is_a_400_and_the_clock_stays(world: Driver, body: dict) -> None:
    response = world.api.post("/_sandbox/clock", body)
    assert response.status_code == 400 and response.json()["code"] == errors.VALIDATION_ERROR, response.text
    assert world.now() == START


def test_unfreezing_lets_time_run_on_from_the_frozen_instant_and_freezing_stops_it(world: Driver) -> None:
    running = world.move_clock(freeze=False)
    assert running["frozen"] is False
    now = _instant(world.now())
    assert _instant(START) <= now < _instant(START) + timedelta(minutes=1)
    frozen = world.move_clock(freeze=True, advanceBy="P1D")
    assert frozen["frozen"] is True and _instant(frozen["now"]) - now >= timedelta(days=1)
    assert world.now() == frozen["now"]


def test_each_tenant_has_its_own_clock(world: Driver, http, token_for) -> None:  # type: ignore[no-untyped-def]
    world.move_clock(advanceBy="P3D")
    other = Api(http, token_for(f"other-{id(world)}"))
    assert other.ok(other.get("/_sandbox/clock"))["now"] == START


def test_the_clock_needs_a_token(http) -> None:  # type: ignore[no-untyped-def]
    assert http.get("/_sandbox/clock").status_code == 401
    assert http.post("/_sandbox/clock", json={"advanceBy": "P1D"}).status_code == 401


# --- time drives state ---------------------------------------------------------------------------------


def test_a_direct_debit_confirms_three_working_days_after_submission_and_pays_out_two_later(world: Driver) -> None:
    customer = world.customer()
    invoice = world.invoice(customer, 120.50)
    payment = world.pay(invoice, 120.50)
    assert payment["thirdPartyPaymentStatus"] == "SUBMITTED"
    # Wednesday 09:00 + 3 working days is Monday 09:00: a second earlier nothing happens.
    assert world.move_clock(to="2026-11-30T08:59:59Z")["changes"] == []
    assert world.invoice_of(invoice)["paymentStatus"] == "PENDING"
    moved = world.move_clock(to="2026-11-30T09:00:00Z")
    assert moved["changes"] == [
        {
            "resource": "invoicePayments",
            "id": payment["id"],
            "from": "SUBMITTED",
            "to": "CONFIRMED",
            "at": "2026-11-30T09:00:00Z",
        }
    ]
    assert world.invoice_of(invoice)["paymentStatus"] == "PAID" and world.balance(customer) == 0
    changes = world.move_clock(to="2026-12-02T09:00:00Z")["changes"]
    assert [(c["from"], c["to"]) for c in changes] == [("CONFIRMED", "PAID_OUT")]
    assert world.payment(payment)["thirdPartyPaymentStatus"] == "PAID_OUT"


def test_one_long_advance_chains_every_step_at_the_instant_it_fell_due(world: Driver) -> None:
    customer = world.customer()
    payment = world.pay(world.invoice(customer, 40, kind="ADHOC"), 40)
    changes = world.move_clock(advanceBy="P30D")["changes"]
    assert [(c["resource"], c["id"], c["to"], c["at"]) for c in changes] == [
        ("adhocInvoicePayments", payment["id"], "CONFIRMED", "2026-11-30T09:00:00Z"),
        ("adhocInvoicePayments", payment["id"], "PAID_OUT", "2026-12-02T09:00:00Z"),
    ]


def test_a_provider_refund_is_paid_then_settled(world: Driver) -> None:
    customer = world.customer()
    invoice = world.invoice(customer, 100)
    world.pay(invoice, 100, status="CONFIRMED")
    refund = world.refund(invoice, 30)
    assert refund["thirdPartyRefundStatus"] == "SUBMITTED"
    changes = world.move_clock(advanceBy="P10D")["changes"]
    assert [(c["resource"], c["from"], c["to"], c["at"]) for c in changes if c["resource"] == "refunds"] == [
        ("refunds", "SUBMITTED", "PAID", "2026-11-27T09:00:00Z"),
        ("refunds", "PAID", "REFUND_SETTLED", "2026-11-30T09:00:00Z"),
    ]
    assert world.balance(customer) == Decimal("-30.00")


def test_a_scheduled_payout_executes_on_its_execution_date_and_not_before(world: Driver) -> None:
    customer = world.customer()
    payout = world.api.ok(world.payout(customer, 250, execution_date="2026-11-27"))
    assert payout["thirdPartyOutboundPaymentStatus"] == "NEW"
    first = world.move_clock(advanceBy="P1D")["changes"]
    assert [(c["from"], c["to"]) for c in first] == [("NEW", "VERIFYING"), ("VERIFYING", "SCHEDULED")]
    assert world.move_clock(to="2026-11-26T23:59:59Z")["changes"] == []
    second = world.move_clock(to="2026-11-27T00:00:00Z")["changes"]
    assert [(c["from"], c["to"], c["at"]) for c in second] == [
        ("SCHEDULED", "EXECUTING", "2026-11-27T00:00:00Z"),
        ("EXECUTING", "EXECUTED", "2026-11-27T00:00:00Z"),
    ]
    assert world.payout_of(payout)["thirdPartyOutboundPaymentStatus"] == "EXECUTED"


def test_a_payout_using_credit_executes_with_the_credit_or_fails_without_it(world: Driver) -> None:
    customer = world.customer()
    world.credit(customer, 300)
    kept = world.api.ok(world.payout(customer, 200, reference="PAYOUT-A", use_credit=True))
    short = world.api.ok(world.payout(customer, 150, reference="PAYOUT-B", use_credit=True))
    changes = world.move_clock(advanceBy="P2D")["changes"]
    final = {c["id"]: c["to"] for c in changes}
    # Both start with enough credit; the first to execute uses it, so the second finds too little.
    assert final == {kept["id"]: "EXECUTED", short["id"]: "FAILED"}
    assert world.balance(customer) == Decimal("100.00")


def test_a_new_mandate_waits_for_the_customer_rather_than_the_clock(world: Driver) -> None:
    mandate = world.mandate(world.customer())
    world.move_clock(advanceBy="P10D")
    assert world.provider_mandate(mandate)["status"] == "NEW"


# --- progression policies ------------------------------------------------------------------------------


def test_every_kind_progresses_by_the_clock_until_told_otherwise(world: Driver) -> None:
    default = {"invoicePayments": "clock", "refunds": "clock", "mandates": "clock", "outboundPayments": "clock"}
    assert world.api.ok(world.api.get("/_sandbox/progression")) == default
    assert world.policies(refunds="manual") == {**default, "refunds": "manual"}
    assert world.policies(mandates="immediate") == {**default, "refunds": "manual", "mandates": "immediate"}


@pytest.mark.parametrize("body", [{"payments": "clock"}, {"refunds": "later"}, {"refunds": None}])
def test_an_unknown_kind_or_policy_is_a_400_and_nothing_changes(world: Driver, body: dict) -> None:
    response = put(world.api, "/_sandbox/progression", {"invoicePayments": "manual", **body})
    assert response.status_code == 400, response.text
    assert world.api.ok(world.api.get("/_sandbox/progression"))["invoicePayments"] == "clock"


def test_manual_records_ignore_the_clock(world: Driver) -> None:
    world.policies(invoicePayments="manual")
    payment = world.pay(world.invoice(world.customer(), 10), 10)
    assert world.move_clock(advanceBy="P30D")["changes"] == []
    assert world.payment(payment)["thirdPartyPaymentStatus"] == "SUBMITTED"


def test_immediate_records_settle_as_they_are_created(world: Driver) -> None:
    world.policies(invoicePayments="immediate", refunds="immediate", mandates="immediate", outboundPayments="immediate")
    customer = world.customer()
    invoice = world.invoice(customer, 80)
    assert world.pay(invoice, 80)["thirdPartyPaymentStatus"] == "PAID_OUT"
    assert world.invoice_of(invoice)["paymentStatus"] == "PAID"
    assert world.refund(invoice, 20)["thirdPartyRefundStatus"] == "REFUND_SETTLED"
    mandate = world.mandate(customer)
    assert world.provider_mandate(mandate)["status"] == "ACTIVE"
    payout = world.api.ok(world.payout(customer, 15, execution_date="2026-12-20", use_credit=False))
    assert payout["thirdPartyOutboundPaymentStatus"] == "EXECUTED"
    assert world.balance(customer) == Decimal("-20.00")
