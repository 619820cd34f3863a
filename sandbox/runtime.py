"""Everything one running sandbox shares: settings, the tenants' store, the contract and its schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from elevate_sandbox.clock import Clock, SystemClock
from elevate_sandbox.domain.errors import PATCH_INVALID, FieldProblem, InvalidRequest
from elevate_sandbox.fidelity import strict_contract
from elevate_sandbox.settings import CONTROL_SPEC, ELEVATE_SPEC, Settings
from elevate_sandbox.store import Store

SPEC_URI = "urn:elevate-payments"


def load_spec(path: Traversable) -> dict[str, Any]:
    """Read an OpenAPI document."""
    with path.open(encoding="utf-8") as handle:
        # libyaml's loader when PyYAML has it: the same documents, about six times faster (start-up time).
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass
class Runtime:
    """The shared objects of one sandbox app; handlers reach it through the request context."""

    settings: Settings
    store: Store
    # Token expiry follows wall-clock time even when a tenant's clock is frozen or advanced.
    auth_clock: Clock = field(default_factory=SystemClock)
    elevate_spec: dict[str, Any] = field(default_factory=lambda: load_spec(ELEVATE_SPEC))
    control_spec: dict[str, Any] = field(default_factory=lambda: load_spec(CONTROL_SPEC))
    # The --state-file saver (persistence.StateFile), whose failures /_sandbox/health shows; None without one.
    state_file: Any = None

    def __post_init__(self) -> None:
        # --strict-inferred: the contract's inferred constraints become rules (elevate_sandbox.fidelity).
        if self.settings.strict_inferred:
            self.elevate_spec = strict_contract(self.elevate_spec)

    @cached_property
    def _registry(self) -> Registry:
        resource = Resource.from_contents(self.elevate_spec, default_specification=DRAFT4)
        return Registry().with_resource(SPEC_URI, resource)

    @cached_property
    def _routes(self) -> list[tuple[re.Pattern[str], list[str]]]:
        routes = []
        for base, spec in (("/v1", self.elevate_spec), ("/_sandbox", self.control_spec)):
            for path, item in spec["paths"].items():
                pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(base + path))
                methods = sorted(m.upper() for m in item if m in ("get", "post", "put", "patch", "delete"))
                routes.append((re.compile(pattern + "/?"), methods))
        return routes

    def allowed_methods(self, path: str) -> list[str]:
        """The methods the contract documents for a concrete request path (for a 405's Allow header)."""
        for pattern, methods in self._routes:
            if pattern.fullmatch(path):
                return methods
        return []

    @cached_property
    def _schema_checks(self) -> dict[str, Any]:
        return {}

    def schema_check(self, schema_name: str) -> Any:
        """A cached callable that raises InvalidRequest when a document breaks a component schema."""
        check = self._schema_checks.get(schema_name)
        if check is None:
            check = self._schema_checks[schema_name] = self._build_schema_check(schema_name)
        return check

    def _build_schema_check(self, schema_name: str) -> Any:
        """A callable that raises InvalidRequest when a document does not satisfy a component schema."""
        # Imported on the first patch, not at start-up (it costs a tenth of a second to import).
        from openapi_schema_validator import OAS30Validator

        validator = OAS30Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"}, registry=self._registry)

        def check(document: dict[str, Any]) -> None:
            problems = [
                FieldProblem("/" + "/".join(str(p) for p in error.absolute_path), error.message)
                for error in validator.iter_errors(document)
            ]
            if problems:
                raise InvalidRequest(
                    f"The patched {schema_name} would not satisfy the contract: {problems[0].field}: "
                    f"{problems[0].message}",
                    PATCH_INVALID,
                    problems,
                )

        return check
