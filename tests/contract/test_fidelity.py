"""The contract's own examples work, strictness has a source, and errors name the field that is wrong.

- Every example of ``openapi/elevate-payments.yaml`` (parameters and bodies) is sent to a sandbox holding
  the default demo dataset (seed 0): each operation's request, built from its examples alone, is
  answered with success, in the default (lenient) mode and with --strict-inferred.
- The lenient contract holds only documented rules; ``x-inferred-constraints`` apply with --strict-inferred.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from starlette.testclient import TestClient

from elevate_sandbox.app import create_app
from elevate_sandbox.auth import mint_token
from elevate_sandbox.cli import build_parser
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.fidelity import MARK, inferred_constraints, strict_contract
from elevate_sandbox.runtime import load_spec
from elevate_sandbox.settings import ELEVATE_SPEC, Settings, settings_from_env
from tests.conftest import Api, make_settings

CONTRACT = load_spec(ELEVATE_SPEC)
METHODS = ("get", "post", "patch")


def _deref(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = CONTRACT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _example_requests() -> Iterator[tuple[str, str, str, str, Any]]:
    """(operationId, method, url, content type, body) built from each operation's examples alone."""
    for path, item in CONTRACT["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            url, query = "/v1" + path, {}
            for param in map(_deref, op.get("parameters", [])):
                assert "example" in param, f"{op['operationId']}: {param['name']} has no example"
                if param["in"] == "path":
                    url = url.replace("{" + param["name"] + "}", str(param["example"]))
                else:
                    query[param["name"]] = param["example"]
            content_type, body = "", None
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                content_type, body = media, content["example"]
            yield op["operationId"], method.upper(), url + (f"?{urlencode(query)}" if query else ""), content_type, body


EXAMPLES = list(_example_requests())


@pytest.fixture(scope="module", params=[False, True], ids=["lenient", "strict"])
def demo(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, Settings]]:
    """A sandbox with the default dataset (demo, seed 0), lenient or strict; one tenant per request."""
    settings = make_settings(dataset="demo", strict_inferred=request.param)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, settings


@pytest.mark.parametrize(("operation", "method", "url", "content_type", "body"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_in_the_contract_is_accepted_on_the_demo_data(
    demo: tuple[TestClient, Settings], operation: str, method: str, url: str, content_type: str, body: Any
) -> None:
    client, settings = demo
    token = mint_token(settings.jwt_secret, SystemClock(), f"examples-{operation}")
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = content_type
    answer = client.request(method, url, headers=headers, content=orjson.dumps(body) if body is not None else None)
    assert 200 <= answer.status_code < 300, f"{method} {url}: {answer.status_code} {answer.text}"
    assert "X-Sandbox-Ignored" not in answer.headers, answer.headers["X-Sandbox-Ignored"]


def test_every_inferred_constraint_says_why() -> None:
    places = inferred_constraints(CONTRACT)
    assert len(places) >= 20
    for pointer, _constraints in places:
        node: Any = CONTRACT
        for part in pointer.strip("/").split("/"):
            node = node[int(part)] if isinstance(node, list) else node[part.replace("~1", "/").replace("~0", "~")]
        assert isinstance(node.get(MARK), str) and len(node[MARK]) > 20, pointer


def test_strict_mode_merges_the_inferred_constraints() -> None:
    strict = strict_contract(CONTRACT)
    schemas = strict["components"]["schemas"]
    assert schemas["NewRefund"]["allOf"][1]["required"] == ["invoiceId", "billRunType", "amountInMajorCurrency"]
    assert "required" not in CONTRACT["components"]["schemas"]["NewRefund"]["allOf"][1]
    assert schemas["PaymentProviderPaymentLinkFields"]["properties"]["emailAddress"]["format"] == "email"
    assert inferred_constraints(strict) == []


def test_the_switch_is_a_flag_and_an_environment_variable() -> None:
    env = settings_from_env({"SANDBOX_STRICT_INFERRED": "true"})
    assert env.strict_inferred is True and Settings().strict_inferred is False
    parser = build_parser(Settings())
    assert parser.parse_args(["serve", "--strict-inferred"]).strict_inferred is True
    assert parser.parse_args(["serve", "--lenient"]).strict_inferred is False
    assert parser.parse_args(["serve"]).strict_inferred is False
    assert build_parser(env).parse_args(["serve", "--lenient"]).strict_inferred is False


def _fields(response: Any) -> dict[str, str]:
    return {problem["field"]: problem["message"] for problem in response.json()["errors"]}


def test_strict_mode_refuses_what_lenient_mode_accepts(api: Api, strict_api: Api) -> None:
    for client in (api, strict_api):
        customer = client.ok(client.post("/_sandbox/customers", {"name": "Harrow & Finch Ltd"}), 201)
        body = {"type": "GO_CARDLESS", "name": "GoCardless", "status": "ACTIVE", "contractOwnerIds": [1]}
        provider = client.ok(client.post("/v1/payment-providers", body), 201)
        invoice_body = {"customerId": customer["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 9}
        invoice = client.ok(client.post("/_sandbox/invoices", invoice_body), 201)
        link = {"paymentProviderId": provider["id"], "amountInMajorCurrency": 9, "description": "{pay}",
                "emailAddress": "string", "invoiceId": invoice["id"], "customerId": customer["id"]}
        answer = client.post("/v1/payment-provider-payment-link", link)
        if client is api:
            assert answer.status_code == 201, answer.text
        else:
            assert answer.status_code == 400 and {"description", "emailAddress"} <= set(_fields(answer)), answer.text
        listed = client.get("/v1/payment-providers", page=1, pageSize=5, sort="name:desc,colour", fields="id,name")
        assert listed.status_code == (200 if client is api else 400), listed.text


def test_a_missing_property_is_reported_against_itself(api: Api, strict_api: Api) -> None:
    answer = api.post("/v1/invoice-payment-cancel", {"notes": "why"})
    assert answer.status_code == 400
    assert _fields(answer) == {
        "invoiceId": "'invoiceId' is a required property",
        "billRunType": "'billRunType' is a required property",
    }
    strict = strict_api.post("/v1/refunds", {"invoiceId": 1})
    assert _fields(strict) == {
        "billRunType": "'billRunType' is a required property",
        "amountInMajorCurrency": "'amountInMajorCurrency' is a required property",
    }


@pytest.mark.parametrize(
    ("path", "body", "field", "says"),
    [
        ("/v1/customer-payments", {"customerId": "one", "amountInMajorCurrency": 1, "type": "BACS"}, "customerId",
         "is not of type 'integer'"),
        ("/v1/customer-payments", {"customerId": 1, "amountInMajorCurrency": 0, "type": "BACS"},
         "amountInMajorCurrency", "less than the minimum of 0.01"),
        ("/v1/customer-payments", {"customerId": 1, "amountInMajorCurrency": 1, "type": "CASH"}, "type",
         "is not one of"),
        ("/v1/payment-providers", {"type": "BACS", "name": "x", "status": "ACTIVE", "contractOwnerIds": ["1"]},
         "contractOwnerIds[0]", "is not of type 'integer'"),
    ],
)
def test_a_wrong_property_is_named_with_what_was_expected(
    api: Api, path: str, body: dict, field: str, says: str
) -> None:
    answer = api.post(path, body)
    assert answer.status_code == 400
    assert says in _fields(answer)[field], answer.text


def test_a_wrong_parameter_is_named_with_what_was_expected(api: Api) -> None:
    answer = api.get("/v1/refunds", page=0, pageSize="many")
    assert answer.status_code == 400
    problems = _fields(answer)
    assert "minimum of 1" in problems["page"] and "integer" in problems["pageSize"], problems
