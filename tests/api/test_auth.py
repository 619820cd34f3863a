"""Authentication and tenant isolation, through HTTP."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from elevate_sandbox.auth import mint_token
from elevate_sandbox.clock import FrozenClock, SystemClock
from elevate_sandbox.domain import errors
from tests.conftest import Api


def _assert_401(response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == errors.UNAUTHORIZED
    assert body["message"]
    assert response.headers["content-type"].startswith("application/json")


def test_a_request_without_a_token_is_refused(http) -> None:
    _assert_401(http.get("/v1/payment-providers", params={"page": 1, "pageSize": 10}))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "bearer"],
)
def test_a_malformed_authorization_header_is_refused(http, header: str) -> None:
    response = http.get("/v1/payment-providers", params={"page": 1, "pageSize": 10}, headers={"Authorization": header})
    _assert_401(response)


def test_a_token_signed_with_another_secret_is_refused(http) -> None:
    token = mint_token("some-other-secret", SystemClock(), "default")
    _assert_401(
        http.get("/v1/refunds", params={"page": 1, "pageSize": 1}, headers={"Authorization": f"Bearer {token}"})
    )


def test_an_expired_token_is_refused(http, app) -> None:
    past = FrozenClock(SystemClock().now() - timedelta(days=2))
    token = mint_token(app.runtime.settings.jwt_secret, past, "default", expires_in=60)
    response = http.get("/v1/refunds", params={"page": 1, "pageSize": 1}, headers={"Authorization": f"Bearer {token}"})
    _assert_401(response)
    assert "expired" in response.json()["message"]


def test_a_token_without_a_tenant_claim_is_refused(http, app) -> None:
    token = jwt.encode({"exp": 4102444800}, app.runtime.settings.jwt_secret, algorithm="HS256")
    _assert_401(
        http.get("/v1/refunds", params={"page": 1, "pageSize": 1}, headers={"Authorization": f"Bearer {token}"})
    )


def test_tokens_can_be_minted_over_http_and_work(http) -> None:
    response = http.post("/_sandbox/tokens", json={"tenant": "minted-over-http", "expiresIn": 600})
    assert response.status_code == 201, response.text
    minted = response.json()
    assert minted["tenant"] == "minted-over-http"
    ok = http.get(
        "/v1/refunds", params={"page": 1, "pageSize": 1}, headers={"Authorization": f"Bearer {minted['token']}"}
    )
    assert ok.status_code == 200


def test_a_bad_tenant_name_gets_400_when_minting(http) -> None:
    response = http.post("/_sandbox/tokens", json={"tenant": "../etc"})
    assert response.status_code == 400
    assert response.json()["code"] == errors.VALIDATION_ERROR


def test_tenants_never_see_each_others_data(http, token_for) -> None:
    alice, bob = Api(http, token_for("iso-alice")), Api(http, token_for("iso-bob"))
    customer = alice.ok(alice.post("/_sandbox/customers", {"name": "Alice Bakeries Ltd"}), 201)
    invoice = alice.ok(
        alice.post(
            "/_sandbox/invoices", {"customerId": customer["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 50}
        ),
        201,
    )
    assert bob.get(f"/_sandbox/invoices/{invoice['id']}").status_code == 404
    assert bob.get(f"/_sandbox/customers/{customer['id']}").status_code == 404
    paid = bob.post(
        "/v1/invoice-payments",
        {
            "generatedInvoiceId": invoice["id"],
            "amountInMajorCurrency": 10,
            "description": "x",
            "paymentMethod": "CHEQUE",
        },
    )
    assert paid.status_code == 404
    assert paid.json()["code"] == errors.INVOICE_NOT_FOUND
    assert alice.ok(alice.get(f"/_sandbox/invoices/{invoice['id']}"))["paymentStatus"] == "UNPAID"


def test_health_needs_no_token(http) -> None:
    body = http.get("/_sandbox/health").json()
    assert body["status"] == "ok"
