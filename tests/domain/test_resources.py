"""The resource tables against the contract: every member is a schema property, every property is declared."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest

from elevate_sandbox.domain import models
from elevate_sandbox.domain.resources import CUSTOMER_CREDIT_STATUS, RESOURCES, Resource, ValueType
from elevate_sandbox.listing import LIST_PARAMETERS
from elevate_sandbox.runtime import load_spec
from elevate_sandbox.settings import CONTROL_SPEC, ELEVATE_SPEC

SPECS = {"elevate": load_spec(ELEVATE_SPEC), "control": load_spec(CONTROL_SPEC)}
# The model class each table renders (the credit status is a mapping the domain computes).
MODELS: dict[str, type] = {
    "Customer": models.Customer,
    "Site": models.Site,
    "Invoice": models.Invoice,
    "PaymentProviderFields": models.PaymentProvider,
    "InvoicePaymentFields": models.InvoicePayment,
    "AdhocInvoicePaymentFields": models.InvoicePayment,
    "RefundFields": models.Refund,
    "CustomerPaymentFields": models.CustomerPayment,
    "CustomerBalanceAdjustmentFields": models.BalanceAdjustment,
    "PaymentProviderMandate": models.ProviderMandate,
    "SitePaymentMandateFields": models.SitePaymentMandate,
    "InstantBankPayment": models.InstantBankPayment,
    "PaymentProviderPaymentLinkFields": models.PaymentLink,
    "OutboundPaymentFields": models.OutboundPayment,
}
# List query parameters that choose which records are listed rather than filter one of their members
# (the handlers read them): a provider's owners, the invoice's bill run, the customer and the sign.
SCOPES = {
    "getPaymentProviders": {"contractOwnerId"},
    "getInvoicePayments": {"billRunId"},
    "getAdhocInvoicePayments": {"adhocBillRunId"},
    "getCustomerPayments": {"customer_id", "filter", "excludeDebits", "excludeCredits"},
}


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _properties(resource: Resource) -> dict[str, dict[str, Any]]:
    spec = SPECS[resource.contract]
    return _resolve(spec, spec["components"]["schemas"][resource.schema])["properties"]


def _enum_values(spec: dict[str, Any], prop: dict[str, Any]) -> list[str] | None:
    for part in [prop, *prop.get("allOf", [])]:
        values = _resolve(spec, part).get("enum")
        if values is not None:
            return values
    return None


def _type_agrees(resource: Resource, kind: ValueType | type[StrEnum], prop: dict[str, Any]) -> bool:
    spec = SPECS[resource.contract]
    is_enum = not isinstance(kind, ValueType)
    documented = _enum_values(spec, prop)
    if documented is not None:
        return is_enum and set(documented) == {member.value for member in kind}
    prop = _resolve(spec, prop)
    json_type, form = prop.get("type"), prop.get("format")
    if json_type == "string":
        wanted = {"date": ValueType.DATE, "date-time": ValueType.DATETIME}.get(form)
        # The control schemas (and MandateStatus, whose values are not published) type enums as plain strings.
        return kind is wanted if wanted else is_enum or kind is ValueType.TEXT
    if json_type == "array":
        return kind is ValueType.INTEGERS and prop["items"].get("type") == "integer"
    return {"integer": ValueType.INTEGER, "number": ValueType.DECIMAL, "boolean": ValueType.BOOLEAN}[json_type] is kind


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.schema)
def test_every_member_is_a_schema_property_and_every_property_is_declared(resource: Resource) -> None:
    properties = _properties(resource)
    names = [f.api for f in resource.fields]
    assert len(names) == len(set(names)), "a member is declared twice"
    assert set(names) <= set(properties), f"not in {resource.schema}: {set(names) - set(properties)}"
    undeclared = set(properties) - set(names) - set(resource.absent)
    assert not undeclared, f"{resource.schema} properties missing from the table: {undeclared}"
    assert not set(resource.absent) & set(names), "a member is both declared and listed as absent"


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.schema)
def test_every_member_has_the_contract_type_and_read_only_members_stay_read_only(resource: Resource) -> None:
    properties = _properties(resource)
    for f in resource.fields:
        assert _type_agrees(resource, f.type, properties[f.api]), f"{resource.schema}.{f.api}: {f.type}"
    documented = {name for name, prop in properties.items() if prop.get("readOnly")}
    assert documented <= resource.read_only, f"{resource.schema}: readOnly in the contract {documented}"


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.schema in MODELS], ids=lambda r: r.schema)
def test_every_member_renders_an_attribute_of_its_model(resource: Resource) -> None:
    model = MODELS[resource.schema]
    missing = [f.attr for f in resource.fields if not hasattr(model, f.attr)]
    assert not missing, f"{model.__name__} has no {missing}"


def test_the_credit_status_the_domain_computes_has_the_table_members_in_order(world: Any) -> None:
    status = world.backend.get_credit_status(world.customer.id)
    assert list(status) == [f.api for f in CUSTOMER_CREDIT_STATUS.fields]


def _list_operations() -> dict[str, tuple[str, set[str]]]:
    """operationId -> (item schema, query parameter names) for every documented paged list."""
    spec = SPECS["elevate"]
    found = {}
    for item in spec["paths"].values():
        operation = item.get("get")
        if operation is None:
            continue
        params = [_resolve_param(spec, p) for p in operation.get("parameters", [])]
        names = {p["name"] for p in params if p["in"] == "query"}
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if "page" in names and schema.get("type") == "array":
            found[operation["operationId"]] = (schema["items"]["$ref"].rsplit("/", 1)[1], names)
    return found


def _resolve_param(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["parameters"][node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node


LISTS = _list_operations()


@pytest.mark.parametrize("operation_id", sorted(LISTS))
def test_every_documented_list_filter_is_declared_in_its_table(operation_id: str) -> None:
    schema, params = LISTS[operation_id]
    [resource] = [r for r in RESOURCES if r.schema == schema and r.contract == "elevate"]
    declared = {spec.param for spec in resource.filters}
    assert params == LIST_PARAMETERS | declared | SCOPES.get(operation_id, set())
