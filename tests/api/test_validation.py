"""The compiled fast path of request validation (jsonschema-rs) may only ever be stricter than the jsonschema
validator it stands in front of: whenever it says "valid", jsonschema must find no error. Checked on values
generated from every request body and parameter schema of both contracts, starting from the documented
examples and bending them with edge values (int32/int64 bounds, the 25,000 limit, lengths, dates, Unicode).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from connexion.json_schema import resolve_refs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elevate_sandbox.http.checks import _body_validator, _compiled_parameter_check, _parameter_validator
from elevate_sandbox.http.compiled import PYTHON_WHITESPACE
from elevate_sandbox.http.compiled import compiled_check as _compiled_check
from elevate_sandbox.runtime import CONTROL_SPEC, ELEVATE_SPEC, load_spec

SPECS = [resolve_refs(load_spec(path)) for path in (ELEVATE_SPEC, CONTROL_SPEC)]
METHODS = ("get", "post", "put", "patch", "delete")


def _operations() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for base, spec in zip(("/v1", "/_sandbox"), SPECS, strict=True):
        for path, item in spec["paths"].items():
            for method in METHODS:
                if method in item:
                    yield f"{method.upper()} {base}{path}", item, item[method]


def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _walk(child)


BODIES = [
    (f"{name} {media}", content["schema"], content.get("example"))
    for name, _, op in _operations()
    for media, content in op.get("requestBody", {}).get("content", {}).items()
]
PARAMETERS = [
    (f"{name} {param['in']}:{param['name']}", param)
    for name, item, op in _operations()
    for param in [*item.get("parameters", []), *op.get("parameters", [])]
]
ENUMS = sorted({str(v) for spec in SPECS for n in _walk(spec) if isinstance(n, dict) for v in n.get("enum", [])})
NAMES = sorted(
    {key for spec in SPECS for n in _walk(spec) if isinstance(n, dict) for key in n.get("properties", {})}
)
EDGES = [
    2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 0, -1, 1, 1.0, 0.001, 0.005,
    0.01, 9999.99, 10000, 25000, 25000.0, 25000.01, 100000, 100000.01, 1e300, "", " ", "x" * 100, "x" * 101,
    "x" * 255, "x" * 256, "2026-02-30", "2026-1-1", "2026-12-01", "2026-12-01T09:00:00Z", "2026-12-01T09:00:00",
    "café", "Harrow & Finch Ltd", "💷", "a\u0000b", "a\nb", "<b>", "in:1,2", "like:x%", "gt:2026-01-01", "P1D",
    "https://example.com/return", "not a uri", "a@b.co", "x@", "/id", "/status", "replace", "test", "true", "1",
    "-1", "0", "1.5", True, False, None, [], {},
    # Where regular-expression dialects differ: ECMA-262's \s takes U+FEFF, Python's takes \x1c-\x1f and
    # \x85; Python's $ matches before a trailing newline; \w and \d are Unicode in Python.
    "\ufeff", "Acme\ufeff", "\x1c", "a\x1fb", "\x85", "\u2028", "\u3000", "Acme Ltd\n", "abc\r\n", "é", "١٢",
    "\u00a0", "MD123\n", "in:1\n",
]  # fmt: skip
DIALECT = ["\ufeff", "\x1c", "\x85", "\u2028", "\u00a0", "\u3000", "\n", "é", "١"]
ALPHABET = st.sampled_from([*DIALECT, "a", "1", " ", "-"])
LEAVES = st.one_of(
    st.sampled_from(EDGES),
    st.sampled_from(ENUMS),
    st.integers(min_value=-(2**65), max_value=2**65),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.text(alphabet=ALPHABET | st.characters(), max_size=12),
)
VALUES = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), children, max_size=4),
    max_leaves=8,
)


@st.composite
def _bent(draw: st.DrawFn, example: Any) -> Any:
    """The example with a few of its values replaced, removed or added, or something else entirely."""
    if example is None or draw(st.integers(0, 9)) == 0:
        return draw(VALUES)
    value = _copy(example)
    for _ in range(draw(st.integers(1, 3))):
        containers = [n for n in _walk(value) if isinstance(n, dict | list) and n]
        if not containers:
            break
        target = draw(st.sampled_from(containers))
        key = draw(st.sampled_from(list(target) if isinstance(target, dict) else list(range(len(target)))))
        action = draw(st.sampled_from(("replace", "replace", "remove", "add", "perturb")))
        if action == "perturb" and isinstance(target[key], str):
            # A character where regular-expression dialects differ, somewhere in a string the example had.
            at = draw(st.integers(0, len(target[key])))
            target[key] = target[key][:at] + draw(st.sampled_from(DIALECT)) + target[key][at:]
        elif action == "remove":
            del target[key]
        elif action == "add" and isinstance(target, dict):
            target[draw(st.sampled_from(NAMES))] = draw(VALUES)
        else:
            target[key] = draw(VALUES)
    return value


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def test_every_elevate_body_and_parameter_takes_the_fast_path() -> None:
    assert len(BODIES) >= 14 and len(PARAMETERS) >= 60
    slow = [name for name, schema, _ in BODIES if _compiled_check(schema) is None]
    assert slow == ["POST /_sandbox/clock application/json"]  # its advanceBy is a oneOf
    assert all(_compiled_parameter_check(param) is not None for _, param in PARAMETERS)


EXAMPLES = [body for body in BODIES if body[2] is not None]


@pytest.mark.parametrize(("name", "schema", "example"), EXAMPLES, ids=[b[0] for b in EXAMPLES])
def test_a_documented_example_takes_the_fast_path(name: str, schema: dict[str, Any], example: Any) -> None:
    assert _compiled_check(schema)(example), "the fast path should accept the contract's own example"


@pytest.mark.parametrize(("name", "schema", "example"), BODIES, ids=[b[0] for b in BODIES])
def test_the_fast_body_check_never_accepts_what_jsonschema_refuses(
    name: str, schema: dict[str, Any], example: Any
) -> None:
    fast, full = _compiled_check(schema), _body_validator(schema)
    if fast is None:
        return  # no fast path for this schema (asserted above): jsonschema alone decides

    @settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_bent(example))
    def check(body: Any) -> None:
        if fast(body):
            assert [e.message for e in full.iter_errors(body)] == []

    check()


@pytest.mark.parametrize(("name", "param"), PARAMETERS, ids=[p[0] for p in PARAMETERS])
def test_the_fast_parameter_check_never_accepts_what_jsonschema_refuses(name: str, param: dict[str, Any]) -> None:
    fast, full = _compiled_parameter_check(param), _parameter_validator(param)

    @settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(LEAVES | st.sampled_from(DIALECT).map(lambda c: f"MD{c}12"))
    def check(value: Any) -> None:
        if fast(value):
            assert [e.message for e in full.iter_errors(value)] == []

    check()


@pytest.mark.parametrize(
    ("schema", "value", "fast_says"),
    [
        ({"type": "integer", "format": "int32"}, 2**31 - 1, True),
        ({"type": "integer", "format": "int32"}, 2**31, False),  # formats apply to strings in jsonschema-rs
        ({"type": "integer", "format": "int64"}, -(2**63) - 1, False),
        ({"type": "string", "format": "date"}, "2026-02-30", False),  # stricter: jsonschema then decides
        ({"type": "object", "properties": {"format": {"type": "string"}}}, {"format": "x"}, True),
        ({"type": "string", "pattern": r"^[\w\s]*$"}, "Acme\ufeffLtd", False),  # ECMA's \s takes U+FEFF
        ({"type": "string", "pattern": r"^[\w\s]*$"}, "Acme\u3000Ltd", True),
        ({"type": "string", "pattern": r"^\s$"}, "\x85", True),
    ],
)
def test_the_fast_check_rewrites_integer_formats_and_whitespace(
    schema: dict[str, Any], value: Any, fast_says: bool
) -> None:
    assert _compiled_check(schema)(value) is fast_says


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "format": "date-time"},  # jsonschema-rs takes 23:59:60 and year 0000
        {"type": "number", "multipleOf": 0.01},  # jsonschema refuses 19.99, jsonschema-rs takes it
        {"oneOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 10}]},
        {"not": {"type": "string", "pattern": "^[0-9]+$"}},
        {"type": "array", "uniqueItems": True},
        {"type": "object", "patternProperties": {"^a$": {"type": "integer"}}},
        {"type": "string", "pattern": r"^\S+$"},  # an escape whose dialects differ
        {"type": "string", "pattern": r"^(?=a)a$"},
        {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}}},  # nested too
    ],
)
def test_schemas_the_fast_check_cannot_be_trusted_with_have_none(schema: dict[str, Any]) -> None:
    assert _compiled_check(schema) is None


def test_a_value_the_compiled_check_cannot_read_is_left_to_jsonschema() -> None:
    check = _compiled_check({"type": "string"})
    assert check("\ud800") is False  # a lone surrogate: jsonschema-rs raises; jsonschema then decides


def test_the_rewritten_whitespace_is_exactly_pythons() -> None:
    everything = (chr(code) for code in range(sys.maxunicode + 1))
    assert "".join(c for c in everything if re.fullmatch(r"\s", c)) == PYTHON_WHITESPACE


def test_the_bodies_connexion_validates_take_the_fast_path(app: Any) -> None:
    """Connexion hands each body schema on with the contract's whole `components` beside it: only what
    the schema reaches is vetted, so one unsafe component elsewhere slows no body down."""
    from elevate_sandbox.api.registry import resolve
    from elevate_sandbox.http.operations import served_operations

    runtime = app.runtime
    built, slow = [], []
    for served in served_operations([("/v1", runtime.elevate_spec), ("/_sandbox", runtime.control_spec)], resolve):
        for media in served.json_consumes:
            schema = served.operation.body_definition(media)["schema"]
            assert "components" in schema  # what makes this test necessary
            built.append(media)
            if _compiled_check(schema) is None:
                slow.append(served.operation_id)
    assert len(built) >= 15
    assert slow == ["moveSandboxClock"]  # its advanceBy is a oneOf


def test_only_the_components_a_schema_reaches_are_vetted() -> None:
    components = {"schemas": {"Used": {"type": "string", "maxLength": 3}, "Unsafe": {"oneOf": [{}, {}]}}}
    reaching = {"properties": {"a": {"$ref": "#/components/schemas/Used"}}, "components": components}
    check = _compiled_check(reaching)
    assert check is not None and check({"a": "abc"}) and not check({"a": "abcd"})
    assert _compiled_check({**reaching, "properties": {"a": {"$ref": "#/components/schemas/Unsafe"}}}) is None
    assert _compiled_check({**reaching, "properties": {"a": {"$ref": "#/components/schemas/Missing"}}}) is None
    assert _compiled_check({**reaching, "properties": {"a": {"$ref": "other.yaml#/x"}}}) is None
    # An escaped name is not followed (left to jsonschema); a recursive one is, once.
    escaped = {"schemas": {"A/B": {"type": "string"}}}
    assert _compiled_check({"$ref": "#/components/schemas/A~1B", "components": escaped}) is None
    node = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}, "maxProperties": 1}
    chain = _compiled_check({"$ref": "#/components/schemas/Node", "components": {"schemas": {"Node": node}}})
    assert chain is not None and chain({"next": {"next": {}}}) and not chain({"next": {"next": {"x": 1, "y": 2}}})
