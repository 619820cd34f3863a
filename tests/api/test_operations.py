"""Every operation of the contract is served: it resolves to a handler and none answers 501 or 500."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from elevate_sandbox.api.registry import OPERATIONS
from elevate_sandbox.runtime import load_spec
from elevate_sandbox.settings import CONTROL_SPEC, ELEVATE_SPEC
from tests.conftest import Api

ELEVATE = load_spec(ELEVATE_SPEC)
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op) for path, item in spec["paths"].items() for method, op in item.items() if method in METHODS
    ]


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_every_operation_of_both_contracts_has_exactly_one_handler() -> None:
    declared = {op["operationId"] for spec in (ELEVATE, load_spec(CONTROL_SPEC)) for _, _, op in _operations(spec)}
    assert declared == set(OPERATIONS)


@pytest.fixture
def demo_api(api: Api) -> Api:
    api.ok(api.post("/_sandbox/reset", {"dataset": "demo", "seed": 0}))
    return api


@pytest.mark.parametrize(
    ("method", "path", "operation"), _operations(ELEVATE), ids=[op["operationId"] for _, _, op in _operations(ELEVATE)]
)
def test_the_operation_answers_from_its_own_examples(demo_api: Api, method: str, path: str, operation: dict) -> None:
    params = [_resolve(ELEVATE, p) for p in operation.get("parameters", [])]
    url = "/v1" + path
    for param in params:
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(param["example"]))
    query = {p["name"]: p["example"] for p in params if p["in"] == "query" and p.get("required")}
    headers = dict(demo_api.headers)
    content = None
    if "requestBody" in operation:
        media_type, media = next(iter(operation["requestBody"]["content"].items()))
        headers["Content-Type"] = media_type
        content = orjson.dumps(media["example"])
    response = demo_api.http.request(method.upper(), url, params=query, content=content, headers=headers)
    assert response.status_code < 500, response.text
    assert str(response.status_code) in operation["responses"], response.text
