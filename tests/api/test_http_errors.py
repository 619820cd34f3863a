"""Bad input always gets a clear 4xx in the error shape, never a 500, and changes nothing."""

from __future__ import annotations

import httpx
import pytest

from elevate_sandbox.domain import errors
from tests.conftest import Api


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.fixture
def customer(api: Api) -> dict:
    return api.ok(api.post("/_sandbox/customers", {"name": "Brackley Tiles Ltd", "creditThreshold": 500}), 201)


def test_a_missing_required_field_names_the_field(api: Api) -> None:
    body = _error(
        api.post("/v1/customer-balance-adjustments", {"amountInMajorCurrency": 5}), 400, errors.VALIDATION_ERROR
    )
    assert {"field": "customerId", "message": "'customerId' is a required property"} in body["errors"]


def test_every_problem_is_listed(api: Api) -> None:
    body = _error(api.post("/v1/customer-payments", {"customerId": "x", "type": "GOLD"}), 400, errors.VALIDATION_ERROR)
    fields = {problem["field"] for problem in body["errors"]}
    assert {"customerId", "type", "amountInMajorCurrency"} <= fields


JSON = "application/json"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        pytest.param(b'{"invoiceId": 1,', JSON, 400, errors.VALIDATION_ERROR, id="malformed-json"),
        pytest.param(b"\xff\xfe\x00garbage", JSON, 400, errors.VALIDATION_ERROR, id="undecodable-bytes"),
        pytest.param(b"", JSON, 400, errors.VALIDATION_ERROR, id="empty-body"),
        pytest.param(b"invoiceId=1", "text/plain", 415, errors.UNSUPPORTED_MEDIA_TYPE, id="wrong-content-type"),
        # Refused from its declared length.
        pytest.param(
            b'{"description": "' + b"a" * (1024 * 1024 + 10) + b'"}',
            JSON,
            413,
            errors.PAYLOAD_TOO_LARGE,
            id="over-one-mebibyte",
        ),
    ],
)
def test_a_body_that_cannot_be_read_is_refused(
    api: Api, content: bytes, content_type: str, status: int, code: str
) -> None:
    response = api.http.post("/v1/refunds", content=content, headers={**api.headers, "Content-Type": content_type})
    _error(response, status, code)


def test_a_streamed_body_over_the_limit_is_a_413(live) -> None:
    def chunks():
        for _ in range(20):
            yield b"a" * (64 * 1024)

    headers = {"Authorization": f"Bearer {live.token('streamer')}", "Content-Type": "application/json"}
    response = httpx.post(f"{live.base_url}/v1/refunds", content=chunks(), headers=headers, timeout=30)
    assert "content-length" not in {k.lower() for k in response.request.headers}
    _error(response, 413, errors.PAYLOAD_TOO_LARGE)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0, "pageSize": 10}, "page"),
        ({"page": 1, "pageSize": 1001}, "pageSize"),
        ({"page": "one", "pageSize": 10}, "page"),
        ({"pageSize": 10}, "page"),
        ({"page": 1}, "pageSize"),
    ],
)
def test_bad_paging_names_the_parameter(api: Api, params: dict, field: str) -> None:
    body = _error(api.get("/v1/refunds", **params), 400, errors.VALIDATION_ERROR)
    assert field in {problem["field"] for problem in body["errors"]}


def test_a_path_id_out_of_range_is_a_400_and_a_non_number_names_no_resource(api: Api) -> None:
    _error(api.get("/v1/customer-payments/0"), 400, errors.VALIDATION_ERROR)
    # Integer path parameters only match digits, so "abc" addresses no resource at all.
    _error(api.get("/v1/customer-payments/abc"), 404, errors.NOT_FOUND)


def test_an_unknown_id_is_a_404(api: Api) -> None:
    for path in (
        "/v1/payment-providers/999",
        "/v1/invoice-payments/999",
        "/v1/adhoc-invoice-payments/999",
        "/v1/customer-payments/999",
        "/v1/outbound-payments/999",
    ):
        _error(api.get(path), 404, errors.NOT_FOUND)


def test_an_unknown_path_is_a_json_404(api: Api) -> None:
    _error(api.get("/v1/no-such-thing"), 404, errors.NOT_FOUND)


def test_an_undocumented_method_is_a_405(api: Api) -> None:
    response = api.http.delete("/v1/refunds", headers=api.headers)
    _error(response, 405, errors.METHOD_NOT_ALLOWED)
    assert response.headers["Allow"] == "GET, POST"
    assert api.http.put("/v1/payment-providers/1", headers=api.headers).headers["Allow"] == "GET, PATCH"


def test_a_rejected_request_changes_nothing(api: Api, customer: dict) -> None:
    invoice = api.ok(
        api.post(
            "/_sandbox/invoices", {"customerId": customer["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 80}
        ),
        201,
    )
    before = (
        api.get(f"/_sandbox/customers/{customer['id']}").json(),
        api.get(f"/_sandbox/invoices/{invoice['id']}").json(),
    )
    refused = api.post(
        "/v1/refunds", {"invoiceId": invoice["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 10}
    )
    _error(refused, 409, errors.NOTHING_TO_REFUND)
    wrong_kind = api.post(
        "/v1/adhoc-invoice-payments",
        {
            "generatedAdhocInvoiceId": invoice["id"],
            "amountInMajorCurrency": 5,
            "description": "x",
            "paymentMethod": "BACS",
        },
    )
    _error(wrong_kind, 409, errors.BILL_RUN_TYPE_MISMATCH)
    after = (
        api.get(f"/_sandbox/customers/{customer['id']}").json(),
        api.get(f"/_sandbox/invoices/{invoice['id']}").json(),
    )
    assert after == before
    assert api.ok(api.get("/v1/refunds", page=1, pageSize=10)) == []
    assert api.ok(api.get("/v1/adhoc-invoice-payments", page=1, pageSize=10)) == []
    # The next record still gets the next id: nothing was reserved by the refusals.
    paid = api.ok(
        api.post(
            "/v1/invoice-payments",
            {
                "generatedInvoiceId": invoice["id"],
                "amountInMajorCurrency": 5,
                "description": "x",
                "paymentMethod": "BACS",
            },
        ),
        201,
    )
    assert paid["id"] == 1


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/payment-providers", {"contractOwnerId": 2**63}, "contractOwnerId"),
        ("/v1/site-payment-mandates", {"siteId": 2**63}, "siteId"),
        ("/v1/refunds", {"customerId": 2**63, "invoiceId": 1}, "customerId"),
    ],
)
def test_an_integer_beyond_its_format_is_a_400(api: Api, path: str, params: dict, field: str) -> None:
    body = _error(api.get(path, page=1, pageSize=1, **params), 400, errors.VALIDATION_ERROR)
    assert field in {problem["field"] for problem in body["errors"]}
