"""The contract as Schemathesis sees it: loaded from the project's ``openapi/`` files, tuned per profile.

``SCHEMA`` exists from import so that test modules can decorate with ``@SCHEMA.parametrize()``; the
kit's ``conftest`` calls ``configure`` before collection to point it at the target.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis import Case, Config, Response

from elevate_sandbox.contract_tests import spec
from elevate_sandbox.contract_tests.st_adapter import RejectedPositiveData, not_a_server_error, openapi_checks
from elevate_sandbox.contract_tests.target import Profile, Target
from elevate_sandbox.domain.errors import BUSINESS_CODES
from elevate_sandbox.runtime import load_spec
from elevate_sandbox.settings import ELEVATE_SPEC

# Operations whose authentication was confirmed enforced (a request without a token and one with a wrong
# token both refused), and the Authorization header of the run's valid token.
AUTH_CONFIRMED: set[str] = set()
VALID_AUTH: list[str] = [""]


def ignored_auth(ctx: Any, response: Response, case: Case) -> bool | None:
    """Schemathesis' ``ignored_auth``, whose two probes run once per operation, as in its own runner.

    Its probes (the request again without the token, and with a wrong one) are confirmed once per
    operation and run; requests that were sent without the valid token are still judged every time.
    """
    label = case.operation.label
    sent_with_token = response.request.headers.get("Authorization") == VALID_AUTH[0]
    if sent_with_token and label in AUTH_CONFIRMED:
        return None
    result = openapi_checks.ignored_auth(ctx, response, case)
    if sent_with_token and 200 <= response.status_code < 300:
        AUTH_CONFIRMED.add(label)
    return result


# The checks the issue names, by their Schemathesis names, in the order the report shows them.
CONFORMANCE_CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
    openapi_checks.positive_data_acceptance,
    openapi_checks.missing_required_header,
    openapi_checks.unsupported_method,
    ignored_auth,
]
STATEFUL_CHECKS: list[Callable[..., Any]] = [
    *CONFORMANCE_CHECKS,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
]
# Statuses positive data may earn without question. 400/403/404 are judged by `is_business_refusal`.
POSITIVE_STATUSES = ["2xx", "3xx", "401", "409", "429", "5xx"]
REFUSAL_STATUSES = frozenset({400, 403, 404})


def _profile_settings(profile: Profile) -> dict[str, Any]:
    """Examples per operation and stateful scenarios: quick runs on every push, full nightly."""
    if profile is Profile.FULL:
        return {"max-examples": 150, "stateful-examples": 80, "stateful-steps": 12}
    # Quick: every check still runs on every operation (the coverage phase enumerates each parameter's
    # boundaries and every undeclared method); fewer fuzzed examples and shorter link scenarios.
    return {"max-examples": 6, "stateful-examples": 12, "stateful-steps": 6}


def build_config(target: Target | None = None) -> Config:
    """A Schemathesis configuration for ``target`` (or a placeholder before the target is known)."""
    profile = target.profile if target else Profile.QUICK
    tuned = _profile_settings(profile)
    read_only = bool(target and target.read_only)
    data: dict[str, Any] = {
        "seed": target.seed if target else 0,
        "generation": {"database": "none", "max-examples": tuned["max-examples"], "deterministic": False},
        "phases": {
            "examples": {"enabled": True, "fill-missing": True},
            # Read-only runs may point at production: probe undeclared methods with the safe TRACE only.
            "coverage": {"enabled": True, **({"unexpected-methods": ["trace"]} if read_only else {})},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": tuned["stateful-steps"]},
        },
        "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
        "request-timeout": 15,
    }
    if target is not None:
        data["base-url"] = target.api_url
        data["headers"] = target.auth_headers
    return Config.from_dict(data)


def load_contract(target: Target | None = None) -> schemathesis.BaseSchema:
    """The Elevate contract from ``openapi/elevate-payments.yaml`` (never from the target)."""
    return schemathesis.openapi.from_dict(load_spec(ELEVATE_SPEC), config=build_config(target))


SCHEMA = load_contract()


def configure(target: Target, operation_ids: list[str] | None = None) -> None:
    """Point ``SCHEMA`` at ``target``: base URL, token, seed and the profile's generation settings.

    ``operation_ids`` restricts fuzzing to those operations (the kit's own tests use it to stay fast).
    """
    SCHEMA.config = build_config(target).projects.get(SCHEMA.raw_schema)
    SELECTED[:] = operation_ids or []
    VALID_AUTH[0] = target.auth_headers["Authorization"]


# The operationIds `--operation` selected (empty: every operation).
SELECTED: list[str] = []


def selection(*, reads: bool) -> schemathesis.BaseSchema:
    """The read (GET) or write operations of the contract, within ``--operation``'s selection."""
    chosen = SCHEMA.include(operation_id=list(SELECTED)) if SELECTED else SCHEMA
    # Exclusions, not a second inclusion: Schemathesis joins inclusions with "or".
    if reads:
        return chosen.exclude(method=["POST", "PUT", "PATCH", "DELETE"])
    return chosen.exclude(method="GET")


def stateful_settings(target: Target) -> dict[str, int]:
    """Hypothesis settings of the state machine for ``target``'s profile."""
    tuned = _profile_settings(target.profile)
    return {"max_examples": tuned["stateful-examples"], "stateful_step_count": tuned["stateful-steps"]}


# -- positive data acceptance, tuned for documented business refusals ----------------------------------


def is_business_refusal(case: Case, response: Response) -> bool:
    """A 400/403/404 that the contract allows for schema-valid data (an unknown record, a rule).

    Against a target that sends the error ``code``, only the documented business codes count. Against
    one that does not, such a status is accepted for operations that reference other records.
    """
    if response.status_code not in REFUSAL_STATUSES:
        return False
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return body["code"] in BUSINESS_CODES
    return spec.by_label(case.operation.label).references_records()


@SCHEMA.hook
def filter_failure(context: schemathesis.HookContext, failure: Any, case: Case, response: Response) -> bool:
    """Keep every failure except a positive-data rejection that is a documented business refusal."""
    return not (isinstance(failure, RejectedPositiveData) and is_business_refusal(case, response))
