"""The start-up check of the sandbox's own two contracts against the OpenAPI 3.0 meta-schema, compiled.

Connexion 3.3 checks every spec it is given with jsonschema on every start: 0.43 s of the sandbox's
start-up, for two files that never change between starts. jsonschema-rs checks the same meta-schema in
about 15 ms; on a failure Connexion's own check runs and raises its own InvalidSpecification. The two are
not the same check: Connexion's also validates each ``default`` against its schema, and the dialects'
``$`` differ where the meta-schema matches keys by pattern. So the compiled check stands in only while
``create_app`` adds the sandbox's own contracts (any other app in the process, e.g. an integrator's where
the pytest plugin runs, gets Connexion's check), and tests/api/test_contract_check.py runs Connexion's full
check on the shipped contracts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

import jsonschema_rs
from connexion.spec import OpenAPISpecification, Specification

# Defined on the base class (Swagger 2 specs keep it); replaced on OpenAPISpecification only.
_CONNEXIONS_CHECK = Specification.__dict__["_validate_spec"]


@cache
def _meta_schema_check() -> Any:
    return jsonschema_rs.validator_for(OpenAPISpecification.openapi_schema).is_valid


# Set only inside compiled_meta_schema_check(), in the thread or task that entered it.
_SANDBOX_CONTRACTS: ContextVar[bool] = ContextVar("sandbox_contracts", default=False)


def _validate_spec(cls: type, spec: dict[str, Any]) -> None:
    if _SANDBOX_CONTRACTS.get() and _meta_schema_check()(spec):
        return
    _CONNEXIONS_CHECK.__func__(cls, spec)


def connexions_full_check(spec: dict[str, Any]) -> None:
    """Connexion's own check (meta-schema and defaults), as it ran before this module: for tests."""
    _CONNEXIONS_CHECK.__func__(OpenAPISpecification, spec)


@contextmanager
def compiled_meta_schema_check() -> Iterator[None]:
    """While inside (this thread or task only), specs get the compiled meta-schema check first.

    The hook stays on OpenAPISpecification once installed, but outside this block it is Connexion's check
    exactly, so apps built at the same time in other threads, or later, are not affected.
    """
    OpenAPISpecification._validate_spec = classmethod(_validate_spec)  # type: ignore[method-assign,assignment]
    entered = _SANDBOX_CONTRACTS.set(True)
    try:
        yield
    finally:
        _SANDBOX_CONTRACTS.reset(entered)
