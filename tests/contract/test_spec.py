"""Checks of the public contract, openapi/elevate-payments.yaml (Elevate Payment and Refund API 1.39)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from openapi_spec_validator import OpenAPIV30SpecValidator, validate
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.stateful import collect_transitions

from elevate_sandbox.fidelity import strict_contract

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "elevate-payments.yaml"
TXT = r"^[\w\s%£@&#=':;`’,|!_—–()\\/\-+.?*]*$"
METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")

# (method, path, operationId): the 29 operations of the contract.
EXPECTED_OPERATIONS = {
    ("GET", "/payment-providers", "getPaymentProviders"),
    ("POST", "/payment-providers", "createPaymentProvider"),
    ("GET", "/payment-providers/{payment_provider_id}", "getPaymentProvider"),
    ("PATCH", "/payment-providers/{payment_provider_id}", "updatePaymentProvider"),
    ("GET", "/invoice-payments", "getInvoicePayments"),
    ("POST", "/invoice-payments", "createInvoicePayment"),
    ("GET", "/invoice-payments/{invoice_payment_id}", "getInvoicePayment"),
    ("GET", "/adhoc-invoice-payments", "getAdhocInvoicePayments"),
    ("POST", "/adhoc-invoice-payments", "createAdhocInvoicePayment"),
    ("GET", "/adhoc-invoice-payments/{adhoc_invoice_payment_id}", "getAdhocInvoicePayment"),
    ("GET", "/refunds", "getRefunds"),
    ("POST", "/refunds", "createRefund"),
    ("GET", "/site-payment-mandates", "getSitePaymentMandates"),
    ("POST", "/site-payment-mandates", "createSitePaymentMandate"),
    ("GET", "/payment-provider-mandates/{paymentMethod}/{mandateReference}", "getPaymentProviderMandate"),
    ("GET", "/instant-bank-payment-for-mandate", "getInstantBankPaymentForMandate"),
    ("GET", "/customer-payments", "getCustomerPayments"),
    ("POST", "/customer-payments", "createCustomerPayment"),
    ("GET", "/customer-payments/{customer_payment_id}", "getCustomerPayment"),
    ("GET", "/customer-balances", "getCustomerBalance"),
    ("POST", "/customer-balance-adjustments", "createCustomerBalanceAdjustment"),
    ("GET", "/customer-credit-status", "getCustomerCreditStatus"),
    ("POST", "/payment-provider-payment-link", "createPaymentProviderPaymentLink"),
    ("POST", "/invoice-payment-reprocess", "reprocessInvoicePayment"),
    ("POST", "/invoice-payment-cancel", "cancelInvoicePayment"),
    ("POST", "/payment-provider-reprocess", "reprocessPaymentProvider"),
    ("POST", "/outbound-payments", "createOutboundPayment"),
    ("GET", "/outbound-payments/{outbound_payment_id}", "getOutboundPayment"),
    ("PATCH", "/outbound-payments/{outbound_payment_id}", "updateOutboundPayment"),
}
LABELS = {op_id: f"{method} {path}" for method, path, op_id in EXPECTED_OPERATIONS}
LIST_OPERATIONS = {"getPaymentProviders", "getInvoicePayments", "getAdhocInvoicePayments", "getRefunds",
                   "getSitePaymentMandates", "getCustomerPayments", "getCustomerCreditStatus"}
UNPAGED_ARRAYS = {"getInstantBankPaymentForMandate"}
PAGE_REF, PAGE_SIZE_REF = "#/components/parameters/PageParam", "#/components/parameters/ResultsPerPageParam"
# source operationId -> {(status, target operationId)}
EXPECTED_LINKS = {
    "createPaymentProvider": {("200", "getPaymentProvider"), ("200", "updatePaymentProvider"),
                              ("201", "getPaymentProvider"), ("201", "updatePaymentProvider")},
    "updatePaymentProvider": {("200", "getPaymentProvider")},
    "createInvoicePayment": {("200", "getInvoicePayment"), ("201", "getInvoicePayment")},
    "createAdhocInvoicePayment": {("200", "getAdhocInvoicePayment"), ("201", "getAdhocInvoicePayment")},
    "createRefund": {("200", "getRefunds"), ("201", "getRefunds")},
    "createSitePaymentMandate": {("200", "getSitePaymentMandates"), ("201", "getSitePaymentMandates")},
    "createCustomerPayment": {("200", "getCustomerPayment")},
    "createCustomerBalanceAdjustment": {("200", "getCustomerBalance")},
    "createOutboundPayment": {("200", "getOutboundPayment"), ("200", "updateOutboundPayment")},
    "updateOutboundPayment": {("200", "getOutboundPayment")},
}
ENUM_SIZES = {"PaymentMethod": 17, "ThirdPartyPaymentStatus": 27, "ThirdPartyOutboundPaymentStatus": 8,
              "ThirdPartyRefundStatus": 9, "MandateStatus": 16, "BillRunType": 2, "PaymentProviderStatus": 2}
# The old Redoc sidebar, then the tags added in 1.37 and 1.39.
TAG_ORDER = ["payment-providers", "invoice-payments", "adhoc-invoice-payments", "refunds",
             "site-payment-mandates", "payment-provider-mandates", "customer-payments", "customer-balances",
             "customer-credit-status", "payment-provider-payment-link", "payment-provider-reprocess",
             "invoice-payment-reprocess", "invoice-payment-cancel", "instant-bank-payment-for-mandate",
             "outbound-payments"]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (one level per hop) to the object it names."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def operation(spec: dict[str, Any], op_id: str) -> tuple[str, dict[str, Any]]:
    return next((path, op) for _, path, op in operations(spec) if op["operationId"] == op_id)


def success_schema(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    return resolve(spec, op["responses"]["200"]["content"]["application/json"]["schema"])


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            yield from walk(child)


def test_spec_is_valid_openapi_30(spec: dict[str, Any]) -> None:
    validate(spec, cls=OpenAPIV30SpecValidator)
    assert spec["openapi"] == "3.0.3"
    assert (spec["info"]["title"], spec["info"]["version"]) == ("Elevate Payment and Refund API", "1.39")
    assert [s["url"] for s in spec["servers"]] == ["/v1", "https://rest.elevatebilling.com/v1"]
    bearer = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"], bearer["bearerFormat"]) == ("http", "bearer", "JWT")


def test_operations_match_the_table(spec: dict[str, Any]) -> None:
    found = {(method.upper(), path, op["operationId"]) for method, path, op in operations(spec)}
    assert found == EXPECTED_OPERATIONS


@pytest.mark.parametrize(("method", "path", "op_id"), sorted(EXPECTED_OPERATIONS))
def test_operation_conventions(spec: dict[str, Any], method: str, path: str, op_id: str) -> None:
    op = spec["paths"][path][method.lower()]
    declared_tags = {tag["name"] for tag in spec["tags"]}
    assert op["security"] == [{"bearerAuth": []}]
    assert op["tags"] and set(op["tags"]) <= declared_tags
    assert op["summary"].strip() and op["description"].strip()
    codes = set(op["responses"])
    assert {"400", "401", "403"} <= codes
    params = [resolve(spec, p) for p in op.get("parameters", [])]
    has_path_params = any(p["in"] == "path" for p in params)
    assert set(re.findall(r"{(\w+)}", path)) == {p["name"] for p in params if p["in"] == "path"}
    # 404: an unknown path id, or a record the body (or customer_id) names; 409: the data refuses it.
    names_records = op.get("requestBody") is not None or op_id in {"getCustomerBalance", "getPaymentProviderMandate"}
    assert ("404" in codes) == (has_path_params or names_records)
    assert ("409" in codes) == names_records
    assert all("example" in p for p in params)
    body = op.get("requestBody")
    assert ({"413", "415"} <= codes) == (body is not None)
    if body is not None:
        assert body["required"] is True
        expected_type = "application/json-patch+json" if method == "PATCH" else "application/json"
        assert list(body["content"]) == [expected_type]
        if method == "PATCH":
            assert body["content"][expected_type]["schema"] == {"$ref": "#/components/schemas/JsonPatch"}


def test_tags_follow_the_sidebar(spec: dict[str, Any]) -> None:
    assert [tag["name"] for tag in spec["tags"]] == TAG_ORDER
    assert all(tag.get("description") for tag in spec["tags"])


def test_list_operations_require_page_and_page_size(spec: dict[str, Any]) -> None:
    array_gets = {
        op["operationId"]
        for method, _, op in operations(spec)
        if method == "get" and success_schema(spec, op).get("type") == "array"
    }
    assert array_gets == LIST_OPERATIONS | UNPAGED_ARRAYS
    components = spec["components"]["parameters"]
    page, page_size = components["PageParam"], components["ResultsPerPageParam"]
    assert page["required"] and page_size["required"]
    assert (page["name"], page_size["name"]) == ("page", "pageSize")
    for op_id in LIST_OPERATIONS:
        _, op = operation(spec, op_id)
        refs = {p.get("$ref") for p in op["parameters"]}
        assert {PAGE_REF, PAGE_SIZE_REF} <= refs, op_id
        items = resolve(spec, success_schema(spec, op)["items"])
        assert "required" not in items, f"{op_id}: list items must allow `fields` projection"


def test_customer_id_is_required_where_documented(spec: dict[str, Any]) -> None:
    for op_id in ("getCustomerPayments", "getCustomerBalance"):
        params = [resolve(spec, p) for p in operation(spec, op_id)[1]["parameters"]]
        assert any(p["name"] == "customer_id" and p["required"] for p in params), op_id


def examples(spec: dict[str, Any]) -> Iterator[tuple[str, Any, Any, type]]:
    """Yield (where, schema, example, validator class) for every parameter, request and response example."""
    for method, path, op in operations(spec):
        where = f"{method.upper()} {path}"
        for param in (resolve(spec, p) for p in op.get("parameters", [])):
            yield f"{where} parameter {param['name']}", param["schema"], param["example"], OAS30WriteValidator
        for media_type, media in resolve(spec, op.get("requestBody", {})).get("content", {}).items():
            yield f"{where} request {media_type}", media["schema"], media["example"], OAS30WriteValidator
        for status, response in op["responses"].items():
            for media_type, media in resolve(spec, response).get("content", {}).items():
                yield f"{where} {status} {media_type}", media["schema"], media["example"], OAS30ReadValidator


def test_every_example_validates(spec: dict[str, Any]) -> None:
    failures, count = [], 0
    for where, schema, example, validator_cls in examples(spec):
        count += 1
        # The schema is embedded next to the components, so its `#/components/...` references resolve.
        root = {"components": spec["components"], "allOf": [schema]}
        validator = validator_cls(root, format_checker=oas30_format_checker)
        failures += [f"{where}: {error.message}" for error in validator.iter_errors(example)]
    assert count > 100
    assert not failures, "\n".join(failures)


def test_every_media_type_has_an_example(spec: dict[str, Any]) -> None:
    json_types = ("application/json", "application/json-patch+json")
    media = [m for node in walk(spec) for key, m in node.items() if key in json_types]
    assert media and all("example" in m for m in media)


def test_enum_sizes(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    # MandateStatus's published list is cut off: its enum applies only with --strict-inferred.
    strict = strict_contract(spec)["components"]["schemas"]
    assert {name: len(strict[name]["enum"]) for name in ENUM_SIZES} == ENUM_SIZES
    assert "enum" not in schemas["MandateStatus"]
    assert schemas["CustomerPaymentType"]["enum"] == ["CUSTOMER"]


def test_no_nullable_and_every_component_used(spec: dict[str, Any]) -> None:
    assert not [node for node in walk(spec) if "nullable" in node]
    refs = {node["$ref"] for node in walk(spec) if "$ref" in node}
    kinds = ("schemas", "parameters", "responses")
    defined = {f"#/components/{kind}/{name}" for kind in kinds for name in spec["components"][kind]}
    # CustomerCreditStatus documents the unprojected record; the list answers CustomerCreditStatusFields.
    assert defined - refs == {"#/components/schemas/CustomerCreditStatus"}


def test_txt_pattern(spec: dict[str, Any]) -> None:
    compiled = re.compile(TXT)
    assert compiled.match("Invoice INV-2026-0042 paid by BACS (ref: 12/A)")
    assert compiled.match("https://pay.example.co.uk/return?x=1&y=2")
    assert compiled.match("Harrow & Finch Ltd, £125.40 — paid")
    assert not compiled.match("<script>")
    patterns = {node["pattern"] for node in walk(strict_contract(spec)) if isinstance(node.get("pattern"), str)}
    assert patterns == {TXT, "^((in:)?[0-9]+(,[0-9]+)*|(lt|gt):[0-9]+|like:.+)$"}


def test_schemathesis_loads_every_operation_and_link() -> None:
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results)
    loaded = [result.ok() for result in results]
    assert sorted(op.label for op in loaded) == sorted(LABELS.values())
    transitions = collect_transitions(loaded)
    by_label = {label: op_id for op_id, label in LABELS.items()}
    found = {
        by_label[source]: {(link.status_code, by_label[link.target.label]) for link in entry.outgoing}
        for source, entry in transitions.operations.items()
        if entry.outgoing
    }
    assert found == EXPECTED_LINKS
    assert schema.as_state_machine() is not None
