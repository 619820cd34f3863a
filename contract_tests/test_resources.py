"""Single resources: unknown ids give 404, creations read back equal, JSON Patch (RFC 6902) semantics."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from elevate_sandbox.contract_tests import spec
from elevate_sandbox.contract_tests.client import Api
from elevate_sandbox.contract_tests.plugin import KitPlugin
from elevate_sandbox.contract_tests.references import References

NO_SUCH_ID = 9_000_000_000_000
NO_SUCH_REFERENCE = "NO-SUCH-MANDATE-0000"
BY_ID = [op for op in spec.operations() if any(p["in"] == "path" for p in op.parameters.values())]
PROVIDERS = "/payment-providers"
PATCH_PROVIDER = "PATCH /payment-providers/{payment_provider_id}"


def unknown_path(operation: spec.Operation) -> str:
    """The operation's path with identifiers no record has."""
    path = operation.path
    for name, parameter in operation.parameters.items():
        if parameter["in"] != "path":
            continue
        schema = spec.deref(parameter["schema"])
        if "enum" in schema:
            value = schema["enum"][0]
        elif schema.get("type") == "integer":
            value = str(NO_SUCH_ID)
        else:
            value = NO_SUCH_REFERENCE
        path = path.replace("{" + name + "}", value)
    return path


def refused(response: Any) -> bool:
    """A client error that is neither an auth problem nor a missing resource."""
    return 400 <= response.status_code < 500 and response.status_code not in (401, 404)


@pytest.mark.parametrize(
    "operation",
    [pytest.param(op, marks=[pytest.mark.writes] if op.method != "get" else [], id=op.operation_id) for op in BY_ID],
)
def test_unknown_ids_give_404(plugin: KitPlugin, api: Api, operation: spec.Operation) -> None:
    with plugin.verdict(operation.label, "unknown_id_404", api):
        path = unknown_path(operation)
        if operation.method == "patch":
            response = api.patch(path, [{"op": "test", "path": "/id", "value": NO_SUCH_ID}])
        else:
            response = api.get(path)
        assert response.status_code == 404, (
            f"{operation.method.upper()} {path} answered {response.status_code}, expected 404: {response.text[:300]}"
        )
    with plugin.verdict(operation.label, "error_shape", api):
        expect_error_shape(response)


def expect_error_shape(response: Any) -> None:
    """The contract's Error body: a JSON object with a string ``message`` (and a string ``code`` if any)."""
    kind = response.headers.get("content-type", "")
    assert kind.startswith("application/json"), f"a {response.status_code} answered {kind!r}: {response.text[:200]}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("message"), str), f"not the error shape: {body!r}"
    assert isinstance(body.get("code", ""), str), f"the error code is not a string: {body!r}"


def _same(sent: dict[str, Any], received: dict[str, Any]) -> list[str]:
    """The sent fields whose value did not come back (numbers compared as numbers)."""
    differ = []
    for name, value in sent.items():
        got = received.get(name)
        if isinstance(value, int | float) and isinstance(got, int | float) and not isinstance(value, bool):
            if abs(value - got) > 1e-9:
                differ.append(f"{name}: sent {value!r}, got {got!r}")
        elif got != value:
            differ.append(f"{name}: sent {value!r}, got {got!r}")
    return differ


@pytest.fixture(scope="session")
def owner(references: References) -> int:
    """A contract owner that exists in the target (taken from its providers)."""
    owners = references.known.get("contractOwnerIds", [[1]])
    return int(owners[0][0])


def new_provider_body(owner: int) -> dict[str, Any]:
    """An inactive PayPal provider: it collects nothing, so it cannot disturb other checks."""
    return {
        "type": "PAYPAL",
        "name": f"Contract kit provider {secrets.token_hex(3)}",
        "status": "INACTIVE",
        "contractOwnerIds": [owner],
        "creditorIdentifier": "KIT-0001",
        "retryIfPossible": False,
    }


@pytest.fixture
def provider(api: Api, owner: int) -> dict[str, Any]:
    """A payment provider created for this test."""
    return api.ok(api.post(PROVIDERS, new_provider_body(owner)), 200, 201)


@pytest.mark.writes
def test_created_payment_provider_reads_back_equal(plugin: KitPlugin, api: Api, owner: int) -> None:
    with plugin.verdict("POST /payment-providers", "read_back_equal", api):
        sent = new_provider_body(owner)
        created = api.ok(api.post(PROVIDERS, sent), 200, 201)
        assert not _same(sent, created), f"the created provider differs from the request: {_same(sent, created)}"
        read = api.ok(api.get(f"{PROVIDERS}/{created['id']}"), 200)
        assert read == created, f"GET answered {read}, the create answered {created}"


@pytest.mark.writes
def test_created_customer_payment_reads_back_equal(plugin: KitPlugin, api: Api) -> None:
    statuses = api.ok(api.get("/customer-credit-status", page=1, pageSize=1), 200)
    if not statuses:
        pytest.skip("no customer to pay for")
    with plugin.verdict("POST /customer-payments", "read_back_equal", api):
        sent = {
            "customerId": statuses[0]["customerId"],
            "amountInMajorCurrency": 1.23,
            "type": "BACS",
            "reference": f"KIT-{secrets.token_hex(4)}",
        }
        created = api.ok(api.post("/customer-payments", sent), 200, 201)
        assert not _same(sent, created), f"the created payment differs from the request: {_same(sent, created)}"
        read = api.ok(api.get(f"/customer-payments/{created['id']}"), 200)
        assert read == created, f"GET answered {read}, the create answered {created}"


def _unchanged(api: Api, before: dict[str, Any], response: Any, what: str) -> None:
    assert refused(response), f"{what} answered {response.status_code}, expected a 4xx refusal: {response.text[:300]}"
    after = api.ok(api.get(f"{PROVIDERS}/{before['id']}"), 200)
    assert after == before, f"{what} was refused but changed the provider: {before} -> {after}"


PATCHES: dict[str, Callable[[Api, dict[str, Any]], None]] = {}


def patch_case(function: Callable[[Api, dict[str, Any]], None]) -> Callable[[Api, dict[str, Any]], None]:
    PATCHES[function.__name__] = function
    return function


@patch_case
def replace_applies_and_reads_back(api: Api, before: dict[str, Any]) -> None:
    path = f"{PROVIDERS}/{before['id']}"
    patched = api.ok(api.patch(path, [{"op": "replace", "path": "/retryIfPossible", "value": True}]), 200)
    assert patched == {**before, "retryIfPossible": True}, f"replace changed more or less than asked: {patched}"
    assert api.ok(api.get(path), 200) == patched, "GET does not show the patched provider"


@patch_case
def read_only_path_is_refused(api: Api, before: dict[str, Any]) -> None:
    operations = [{"op": "replace", "path": "/id", "value": before["id"] + 1000}]
    _unchanged(api, before, api.patch(f"{PROVIDERS}/{before['id']}", operations), "replacing the read-only /id")


@patch_case
def failed_test_op_changes_nothing(api: Api, before: dict[str, Any]) -> None:
    operations: list[dict[str, Any]] = [
        {"op": "replace", "path": "/retryIfPossible", "value": True},
        {"op": "test", "path": "/name", "value": before["name"] + " (not the name)"},
    ]
    _unchanged(api, before, api.patch(f"{PROVIDERS}/{before['id']}", operations), "a patch whose test op fails")


@patch_case
def an_invalid_later_op_undoes_the_earlier_ones(api: Api, before: dict[str, Any]) -> None:
    operations: list[dict[str, Any]] = [
        {"op": "replace", "path": "/retryIfPossible", "value": True},
        {"op": "replace", "path": "/creditorIdentifier", "value": "KIT-0003"},
        {"op": "replace", "path": "/status", "value": "SUSPENDED"},
    ]
    _unchanged(api, before, api.patch(f"{PROVIDERS}/{before['id']}", operations), "a patch whose last op is invalid")


@patch_case
def passing_test_op_lets_the_patch_apply(api: Api, before: dict[str, Any]) -> None:
    operations = [
        {"op": "test", "path": "/name", "value": before["name"]},
        {"op": "replace", "path": "/creditorIdentifier", "value": "KIT-0002"},
    ]
    patched = api.ok(api.patch(f"{PROVIDERS}/{before['id']}", operations), 200)
    assert patched == {**before, "creditorIdentifier": "KIT-0002"}, f"unexpected result {patched}"


@patch_case
def removing_a_required_field_is_refused(api: Api, before: dict[str, Any]) -> None:
    operations = [{"op": "remove", "path": "/name"}]
    _unchanged(api, before, api.patch(f"{PROVIDERS}/{before['id']}", operations), "removing the required /name")


@patch_case
def a_value_outside_the_contract_is_refused(api: Api, before: dict[str, Any]) -> None:
    operations = [{"op": "replace", "path": "/status", "value": "SUSPENDED"}]
    _unchanged(
        api,
        before,
        api.patch(f"{PROVIDERS}/{before['id']}", operations),
        "status SUSPENDED (not in the enum)",
    )


@pytest.mark.writes
@pytest.mark.parametrize("name", list(PATCHES))
def test_json_patch_semantics(plugin: KitPlugin, api: Api, provider: dict[str, Any], name: str) -> None:
    with plugin.verdict(PATCH_PROVIDER, "json_patch_semantics", api):
        PATCHES[name](api, provider)
