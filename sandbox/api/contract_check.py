"""Connexion's start-up check of each contract against the OpenAPI 3.0 meta-schema, compiled by jsonschema-rs.

Connexion 3.3 checks every spec it is given with jsonschema on every start: 0.43 s of the sandbox's
start-up, for two files that never change between starts. jsonschema-rs checks the same meta-schema in
about 15 ms. Only a pass is taken from it: on a failure Connexion's own check runs and raises its own
InvalidSpecification. Connexion's check also validates each ``default`` against its schema, which the
meta-schema cannot express; tests/test_spec.py runs Connexion's full check on the shipped contracts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
from connexion.spec import OpenAPISpecification, Specification

# Defined on the base class (Swagger 2 specs keep it); replaced on OpenAPISpecification only.
_CONNEXIONS_CHECK = Specification.__dict__["_validate_spec"]


@cache
def _meta_schema_check() -> Any:
    return jsonschema_rs.validator_for(OpenAPISpecification.openapi_schema).is_valid


def _validate_spec(cls: type, spec: dict[str, Any]) -> None:
    if not _meta_schema_check()(spec):
        _CONNEXIONS_CHECK.__func__(cls, spec)


def connexions_full_check(spec: dict[str, Any]) -> None:
    """Connexion's own check (meta-schema and defaults), as it ran before this module: for tests."""
    _CONNEXIONS_CHECK.__func__(OpenAPISpecification, spec)


def install() -> None:
    """Put the compiled check in Connexion's place (once; every later app uses it too)."""
    OpenAPISpecification._validate_spec = classmethod(_validate_spec)  # type: ignore[method-assign,assignment]
