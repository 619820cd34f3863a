"""Elevate's business rules, driven through HTTP as an integrator would (given / when / then)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from elevate_sandbox.domain import errors
from tests.conftest import Api


def _customer(api: Api, name: str = "Harrow & Finch Ltd", threshold: float = 0) -> dict:
    return api.ok(api.post("/_sandbox/customers", {"name": name, "creditThreshold": threshold}), 201)


def _invoice(api: Api, customer_id: int, amount: float, date: str, kind: str = "NORMAL") -> dict:
    body = {"customerId": customer_id, "billRunType": kind, "amountInMajorCurrency": amount, "invoiceDate": date}
    return api.ok(api.post("/_sandbox/invoices", body), 201)


def _pay(api: Api, invoice: dict, amount: float, method: str = "BACS", status: str | None = None, kind: str = "NORMAL"):
    path, key = (
        ("/v1/invoice-payments", "generatedInvoiceId")
        if kind == "NORMAL"
        else ("/v1/adhoc-invoice-payments", "generatedAdhocInvoiceId")
    )
    body = {key: invoice["id"], "amountInMajorCurrency": amount, "description": "Payment", "paymentMethod": method}
    if status:
        body["thirdPartyPaymentStatus"] = status
    return api.post(path, body)


def _balance(api: Api, customer_id: int) -> Decimal:
    return Decimal(str(api.ok(api.get("/v1/customer-balances", customer_id=customer_id))["balance"]))


def _provider(api: Api, kind: str = "GO_CARDLESS", status: str = "ACTIVE") -> dict:
    body = {"type": kind, "name": f"{kind} provider", "status": status, "contractOwnerIds": [1]}
    return api.ok(api.post("/v1/payment-providers", body), 201)


def _invoice_state(api: Api, invoice_id: int) -> dict:
    return api.ok(api.get(f"/_sandbox/invoices/{invoice_id}"))


# --- balances ---------------------------------------------------------------------------------------


def test_given_invoices_and_payments_when_reading_the_balance_then_it_is_their_signed_sum(api: Api) -> None:
    customer = _customer(api)
    first = _invoice(api, customer["id"], 100.10, "2026-09-01")
    _invoice(api, customer["id"], 50.20, "2026-10-01")
    api.ok(_pay(api, first, 60.05), 201)
    api.ok(api.post("/v1/customer-balance-adjustments", {"customerId": customer["id"], "amountInMajorCurrency": -0.15}))
    assert _balance(api, customer["id"]) == Decimal("-90.40")


def test_given_a_customer_payment_then_oldest_invoices_are_settled_first_and_surplus_is_credit(api: Api) -> None:
    customer = _customer(api)
    newer = _invoice(api, customer["id"], 30, "2026-10-01")
    older = _invoice(api, customer["id"], 20, "2026-09-01")
    payment = api.ok(
        api.post("/v1/customer-payments", {"customerId": customer["id"], "amountInMajorCurrency": 60.0, "type": "BACS"})
    )
    assert payment["resultingCustomerBalance"] == 10.0
    assert _invoice_state(api, older["id"])["paymentStatus"] == "PAID"
    assert _invoice_state(api, newer["id"])["paymentStatus"] == "PAID"
    assert _balance(api, customer["id"]) == Decimal("10.00")
    allocations = api.ok(api.get("/v1/invoice-payments", page=1, pageSize=10, customerPaymentId=str(payment["id"])))
    assert [a["generatedInvoiceId"] for a in allocations] == [older["id"], newer["id"]]
    assert sum(Decimal(str(a["amountInMajorCurrency"])) for a in allocations) == Decimal("50.00")


def test_given_a_small_customer_payment_then_only_the_oldest_invoice_is_paid(api: Api) -> None:
    customer = _customer(api)
    older = _invoice(api, customer["id"], 20, "2026-09-01")
    newer = _invoice(api, customer["id"], 30, "2026-10-01")
    api.ok(
        api.post("/v1/customer-payments", {"customerId": customer["id"], "amountInMajorCurrency": 25, "type": "CHEQUE"})
    )
    assert _invoice_state(api, older["id"])["paymentStatus"] == "PAID"
    assert _invoice_state(api, newer["id"])["paymentStatus"] == "PARTIALLY_PAID"
    assert _invoice_state(api, newer["id"])["outstandingAmountInMajorCurrency"] == 25.0


# --- invoice payments ---------------------------------------------------------------------------------


def test_a_manual_payment_marks_the_invoice_paid_and_carries_no_third_party_status(api: Api) -> None:
    customer = _customer(api)
    invoice = _invoice(api, customer["id"], 42.5, "2026-11-01")
    payment = api.ok(_pay(api, invoice, 42.5, "CHEQUE"), 201)
    assert "thirdPartyPaymentStatus" not in payment
    assert _invoice_state(api, invoice["id"])["paymentStatus"] == "PAID"
    assert api.ok(api.get(f"/v1/invoice-payments/{payment['id']}")) == payment


def test_a_manual_payment_with_a_third_party_status_is_accepted_and_the_status_ignored(api: Api) -> None:
    # "Not applicable for manual payments": the docs' own sample sends NEW with a CHEQUE payment.
    invoice = _invoice(api, _customer(api)["id"], 10, "2026-11-01")
    payment = api.ok(_pay(api, invoice, 10, "CHEQUE", "PAID_OUT"), 201)
    assert "thirdPartyPaymentStatus" not in payment
    assert _invoice_state(api, invoice["id"])["paymentStatus"] == "PAID"


def test_a_provider_payment_moves_through_the_third_party_lifecycle(api: Api) -> None:
    customer = _customer(api)
    invoice = _invoice(api, customer["id"], 75, "2026-11-01")
    submitted = api.ok(_pay(api, invoice, 75, "GO_CARDLESS"), 201)
    assert submitted["thirdPartyPaymentStatus"] == "SUBMITTED"
    assert _invoice_state(api, invoice["id"])["paymentStatus"] == "PENDING"
    assert _balance(api, customer["id"]) == Decimal("-75.00")
    confirmed = api.ok(_pay(api, invoice, 75, "GO_CARDLESS", "CONFIRMED"), 200)
    assert confirmed["id"] == submitted["id"] and confirmed["thirdPartyPaymentStatus"] == "CONFIRMED"
    assert _invoice_state(api, invoice["id"])["paymentStatus"] == "PAID"
    assert _balance(api, customer["id"]) == Decimal("0.00")


def test_an_adhoc_payment_needs_an_adhoc_invoice(api: Api) -> None:
    customer = _customer(api)
    normal = _invoice(api, customer["id"], 10, "2026-11-01")
    adhoc = _invoice(api, customer["id"], 15, "2026-11-02", "ADHOC")
    refused = _pay(api, normal, 10, kind="ADHOC")
    assert refused.status_code == 409 and refused.json()["code"] == errors.BILL_RUN_TYPE_MISMATCH
    paid = api.ok(_pay(api, adhoc, 15, kind="ADHOC"), 201)
    assert paid["generatedAdhocInvoiceId"] == adhoc["id"]
    assert _invoice_state(api, adhoc["id"])["paymentStatus"] == "PAID"


def test_cancel_works_only_on_a_pending_payment(api: Api) -> None:
    customer = _customer(api)
    invoice = _invoice(api, customer["id"], 30, "2026-11-01")
    body = {"invoiceId": invoice["id"], "billRunType": "NORMAL", "notes": "Customer asked to stop"}
    refused = api.post("/v1/invoice-payment-cancel", body)
    assert refused.status_code == 409 and refused.json()["code"] == errors.NO_PENDING_PAYMENT
    payment = api.ok(_pay(api, invoice, 30, "GO_CARDLESS"), 201)
    accepted = api.post("/v1/invoice-payment-cancel", body)
    assert accepted.status_code == 202 and accepted.content == b""
    assert api.ok(api.get(f"/v1/invoice-payments/{payment['id']}"))["thirdPartyPaymentStatus"] == "CANCELLED"
    assert _invoice_state(api, invoice["id"])["paymentStatus"] == "UNPAID"


def test_reprocess_works_only_on_a_failed_payment(api: Api) -> None:
    customer = _customer(api)
    invoice = _invoice(api, customer["id"], 30, "2026-11-01")
    body = {"invoiceId": invoice["id"], "billRunType": "NORMAL"}
    payment = api.ok(_pay(api, invoice, 30, "GO_CARDLESS"), 201)
    refused = api.post("/v1/invoice-payment-reprocess", body)
    assert refused.status_code == 409 and refused.json()["code"] == errors.NO_FAILED_PAYMENT
    api.ok(_pay(api, invoice, 30, "GO_CARDLESS", "FAILED"), 200)
    assert api.post("/v1/invoice-payment-reprocess", body).status_code == 200
    again = api.ok(api.get(f"/v1/invoice-payments/{payment['id']}"))
    assert again["thirdPartyPaymentStatus"] == "PENDING_SUBMISSION"


# --- refunds ------------------------------------------------------------------------------------------


def test_a_refund_cannot_exceed_what_was_collected_less_what_was_refunded(api: Api) -> None:
    customer = _customer(api)
    invoice = _invoice(api, customer["id"], 100, "2026-10-01")
    api.ok(_pay(api, invoice, 100, "CREDIT_CARD"), 201)
    body = {"invoiceId": invoice["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 60}
    first = api.ok(api.post("/v1/refunds", body), 201)
    assert first["paymentMethod"] == "CREDIT_CARD"  # no method given: the last successful payment's
    assert _invoice_state(api, invoice["id"])["paymentStatus"] == "PART_REFUNDED"
    over = api.post("/v1/refunds", {**body, "amountInMajorCurrency": 40.01})
    assert over.status_code == 409 and over.json()["code"] == errors.REFUND_EXCEEDS_COLLECTED
    api.ok(api.post("/v1/refunds", {**body, "amountInMajorCurrency": 40}), 201)
    assert _invoice_state(api, invoice["id"])["paymentStatus"] == "REFUNDED"
    assert _balance(api, customer["id"]) == Decimal("-100.00")
    listed = api.ok(api.get("/v1/refunds", page=1, pageSize=10, invoiceId=invoice["id"]))
    assert [Decimal(str(r["amountInMajorCurrency"])) for r in listed] == [Decimal(60), Decimal(40)]


def test_a_refund_of_an_auto_collected_invoice_takes_the_providers_method(api: Api) -> None:
    customer = _customer(api)
    invoice = _invoice(api, customer["id"], 50, "2026-10-01")
    api.ok(_pay(api, invoice, 50, "GO_CARDLESS"), 201)
    api.ok(_pay(api, invoice, 50, "GO_CARDLESS", "CONFIRMED"), 200)
    refund = api.ok(
        api.post(
            "/v1/refunds",
            {
                "invoiceId": invoice["id"],
                "billRunType": "NORMAL",
                "amountInMajorCurrency": 5,
                "paymentMethod": "CHEQUE",
            },
        ),
        201,
    )
    assert refund["paymentMethod"] == "GO_CARDLESS"


# --- mandates -----------------------------------------------------------------------------------------


def test_a_site_mandate_gets_a_reference_and_is_readable_from_the_provider(api: Api) -> None:
    customer = _customer(api)
    site = api.ok(api.post("/_sandbox/sites", {"customerId": customer["id"], "name": "Head office"}), 201)
    body = {"siteId": site["id"], "returnURL": "https://app.example.co.uk/mandates/done"}
    refused = api.post("/v1/site-payment-mandates", body)
    assert refused.status_code == 409 and refused.json()["code"] == errors.NO_MANDATE_PROVIDER
    _provider(api)
    mandate = api.ok(api.post("/v1/site-payment-mandates", body), 201)
    assert mandate["mandateReference"] and mandate["flowToken"] and mandate["siteId"] == site["id"]
    looked_up = api.ok(api.get(f"/v1/payment-provider-mandates/GO_CARDLESS/{mandate['mandateReference']}"))
    assert looked_up["mandateReference"] == mandate["mandateReference"]
    assert looked_up["companyName"] == customer["name"]
    listed = api.ok(api.get("/v1/site-payment-mandates", page=1, pageSize=10, siteId=site["id"]))
    assert listed == [mandate]


def test_a_stripe_mandate_needs_the_stripe_customer_id(api: Api) -> None:
    customer = _customer(api)
    site = api.ok(api.post("/_sandbox/sites", {"customerId": customer["id"]}), 201)
    _provider(api, "STRIPE")
    mandate = api.ok(
        api.post("/v1/site-payment-mandates", {"siteId": site["id"], "returnURL": "https://x.example/r"}), 201
    )
    path = f"/v1/payment-provider-mandates/STRIPE/{mandate['mandateReference']}"
    refused = api.get(path)
    assert refused.status_code == 409 and refused.json()["code"] == errors.THIRD_PARTY_CUSTOMER_REFERENCE_REQUIRED
    assert api.get(path, thirdPartyCustomerReference="cus_wrong").status_code == 404
    found = api.ok(api.get(path, thirdPartyCustomerReference=mandate["thirdPartyCustomerReference"]))
    assert found["thirdPartyCustomerReference"] == mandate["thirdPartyCustomerReference"]


def test_a_mandate_for_an_unknown_site_is_refused(api: Api) -> None:
    response = api.post("/v1/site-payment-mandates", {"siteId": 999, "returnURL": "https://x.example/r"})
    assert response.status_code == 404 and response.json()["code"] == errors.SITE_NOT_FOUND


# --- credit status and payment links --------------------------------------------------------------------


def test_credit_status_is_computed_from_balance_and_threshold(api: Api) -> None:
    customer = _customer(api, threshold=200)
    _invoice(api, customer["id"], 50, "2026-11-01")
    rows = api.ok(api.get("/v1/customer-credit-status", page=1, pageSize=10, customerId=str(customer["id"])))
    assert rows == [
        {
            "customerId": customer["id"],
            "creditThreshold": 200.0,
            "billAmount": 50.0,
            "valueDifference": 150.0,
            "percentageDifference": 25.0,
            "openBillRunValue": 50.0,
        }
    ]


def test_a_payment_link_targets_at_least_one_thing_and_lives_on_the_sandbox(api: Api, app) -> None:
    customer = _customer(api)
    invoice = _invoice(api, customer["id"], 20, "2026-11-01")
    provider = _provider(api)
    base = {"paymentProviderId": provider["id"], "amountInMajorCurrency": 20, "description": "Pay INV"}
    refused = api.post("/v1/payment-provider-payment-link", base)
    assert refused.status_code == 409 and refused.json()["code"] == errors.PAYMENT_LINK_TARGET
    both = {**base, "invoiceId": invoice["id"], "customerId": customer["id"]}  # the docs' sample sets several
    assert api.ok(api.post("/v1/payment-provider-payment-link", both), 201)["invoiceId"] == invoice["id"]
    link = api.ok(api.post("/v1/payment-provider-payment-link", {**base, "invoiceId": invoice["id"]}), 201)
    assert link["paymentLink"].startswith(app.runtime.settings.base_url + "/")


# --- outbound payments --------------------------------------------------------------------------------


@pytest.fixture
def payee(api: Api) -> dict:
    customer = _customer(api, "Payee Ltd")
    _provider(api)
    api.ok(api.post("/v1/customer-balance-adjustments", {"customerId": customer["id"], "amountInMajorCurrency": 300}))
    return customer


def _outbound(api: Api, customer_id: int, amount: float, **extra) -> object:
    body = {"customerId": customer_id, "amountInMajorCurrency": amount, "reference": "REFUND-CREDIT-1", **extra}
    return api.post("/v1/outbound-payments", body)


def test_outbound_payments_keep_their_limits(api: Api, payee: dict) -> None:
    over = _outbound(api, payee["id"], 25000.01)
    assert over.status_code == 400
    past = _outbound(api, payee["id"], 10, executionDate="2026-11-25")
    assert past.status_code == 409 and past.json()["code"] == errors.EXECUTION_DATE_NOT_IN_FUTURE
    greedy = _outbound(api, payee["id"], 300.01, useCustomerCreditBalance=True)
    assert greedy.status_code == 409 and greedy.json()["code"] == errors.INSUFFICIENT_CREDIT
    ok = api.ok(_outbound(api, payee["id"], 10, executionDate="2026-11-26"))
    assert ok["thirdPartyOutboundPaymentStatus"] == "NEW" and ok["executionDate"] == "2026-11-26"


def test_an_outbound_payment_needing_approval_answers_403_with_an_authorisation_url(api: Api, payee: dict) -> None:
    # The approval step is opt-in (the docs say only that a payout may need it): reference APPROVE...
    assert api.ok(_outbound(api, payee["id"], 12000))["thirdPartyOutboundPaymentStatus"] == "NEW"
    response = _outbound(api, payee["id"], 12000, reference="APPROVE-12000")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == errors.APPROVAL_REQUIRED
    assert body["message"] == "Payment requires approval through payment provider"
    assert body["authorisationUrl"].startswith("http")


def test_an_outbound_payment_uses_credit_when_executed(api: Api, payee: dict) -> None:
    created = api.ok(_outbound(api, payee["id"], 120.5, useCustomerCreditBalance=True))
    path = f"/v1/outbound-payments/{created['id']}"
    for status in ("VERIFYING", "SCHEDULED", "EXECUTING"):
        api.ok(api.patch(path, [{"op": "replace", "path": "/thirdPartyOutboundPaymentStatus", "value": status}]))
        assert _balance(api, payee["id"]) == Decimal("300.00")
    api.ok(api.patch(path, [{"op": "replace", "path": "/thirdPartyOutboundPaymentStatus", "value": "EXECUTED"}]))
    assert _balance(api, payee["id"]) == Decimal("179.50")


def test_an_outbound_status_patch_follows_no_invented_lifecycle(api: Api, payee: dict) -> None:
    # The docs' PATCH sample replaces the status of a NEW payout with EXECUTED; they define no lifecycle.
    created = api.ok(_outbound(api, payee["id"], 100, useCustomerCreditBalance=True))
    patch = [{"op": "replace", "path": "/thirdPartyOutboundPaymentStatus", "value": "EXECUTED"}]
    executed = api.ok(api.patch(f"/v1/outbound-payments/{created['id']}", patch))
    assert executed["thirdPartyOutboundPaymentStatus"] == "EXECUTED"
    assert _balance(api, payee["id"]) == Decimal("200.00")


def test_outbound_payments_only_go_through_gocardless(api: Api) -> None:
    customer = _customer(api)
    _provider(api, "STRIPE")
    response = _outbound(api, customer["id"], 10)
    assert response.status_code == 409 and response.json()["code"] == errors.PAYMENT_METHOD_NOT_SUPPORTED


# --- JSON Patch ---------------------------------------------------------------------------------------


def test_patching_a_provider_changes_it_and_reads_back(api: Api) -> None:
    provider = _provider(api)
    path = f"/v1/payment-providers/{provider['id']}"
    patched = api.ok(api.patch(path, [{"op": "replace", "path": "/status", "value": "INACTIVE"}]))
    assert patched["status"] == "INACTIVE"
    assert api.ok(api.get(path)) == patched


@pytest.mark.parametrize(
    ("operations", "code"),
    [
        ([{"op": "replace", "path": "/id", "value": 99}], errors.PATCH_READ_ONLY),
        (
            [
                {"op": "test", "path": "/name", "value": "not the name"},
                {"op": "replace", "path": "/status", "value": "INACTIVE"},
            ],
            errors.PATCH_TEST_FAILED,
        ),
        ([{"op": "replace", "path": "/status", "value": "SLEEPING"}], errors.PATCH_INVALID),
        ([{"op": "replace", "path": "/contractOwnerIds", "value": []}], errors.PATCH_INVALID),
        ([{"op": "remove", "path": "/nonexistent"}], errors.PATCH_INVALID),
        ([{"op": "move", "from": "/id", "path": "/name"}], errors.PATCH_READ_ONLY),
    ],
)
def test_a_bad_patch_is_refused_whole_and_changes_nothing(api: Api, operations: list, code: str) -> None:
    provider = _provider(api)
    path = f"/v1/payment-providers/{provider['id']}"
    response = api.patch(path, operations)
    assert response.status_code == 409, response.text  # well formed, but not applicable to this provider
    assert response.json()["code"] == code
    assert api.ok(api.get(path)) == provider
