"""Typed errors raised by the domain and the HTTP layer; one renderer turns them into the error shape.

Every error carries a stable machine-readable ``code`` (the constants below are shared by the sandbox
and its tests, never retyped), an HTTP status, a human ``message`` and, for validation errors, a list
of field problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Transport and validation codes.
VALIDATION_ERROR = "VALIDATION_ERROR"
UNAUTHORIZED = "UNAUTHORIZED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
# List query codes.
INVALID_SORT = "INVALID_SORT"
INVALID_FIELDS = "INVALID_FIELDS"
INVALID_FILTER = "INVALID_FILTER"
# JSON Patch codes.
PATCH_INVALID = "PATCH_INVALID"
PATCH_READ_ONLY = "PATCH_READ_ONLY"
PATCH_TEST_FAILED = "PATCH_TEST_FAILED"
# Business refusals: the request is well formed but the state does not allow it.
CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
SITE_NOT_FOUND = "SITE_NOT_FOUND"
INVOICE_NOT_FOUND = "INVOICE_NOT_FOUND"
BILL_RUN_TYPE_MISMATCH = "BILL_RUN_TYPE_MISMATCH"
PAYMENT_PROVIDER_NOT_FOUND = "PAYMENT_PROVIDER_NOT_FOUND"
CONTRACT_OWNER_NOT_FOUND = "CONTRACT_OWNER_NOT_FOUND"
AMOUNT_ZERO = "AMOUNT_ZERO"
AMOUNT_NOT_POSITIVE = "AMOUNT_NOT_POSITIVE"
STATUS_NOT_APPLICABLE = "STATUS_NOT_APPLICABLE"
INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION"
REFUND_EXCEEDS_COLLECTED = "REFUND_EXCEEDS_COLLECTED"
NOTHING_TO_REFUND = "NOTHING_TO_REFUND"
NO_PENDING_PAYMENT = "NO_PENDING_PAYMENT"
NO_FAILED_PAYMENT = "NO_FAILED_PAYMENT"
NO_MANDATE_PROVIDER = "NO_MANDATE_PROVIDER"
THIRD_PARTY_CUSTOMER_REFERENCE_REQUIRED = "THIRD_PARTY_CUSTOMER_REFERENCE_REQUIRED"
PAYMENT_METHOD_NOT_SUPPORTED = "PAYMENT_METHOD_NOT_SUPPORTED"
EXECUTION_DATE_NOT_IN_FUTURE = "EXECUTION_DATE_NOT_IN_FUTURE"
AMOUNT_OVER_LIMIT = "AMOUNT_OVER_LIMIT"
INSUFFICIENT_CREDIT = "INSUFFICIENT_CREDIT"
APPROVAL_REQUIRED = "APPROVAL_REQUIRED"
PAYMENT_LINK_TARGET = "PAYMENT_LINK_TARGET"
PROVIDER_INACTIVE = "PROVIDER_INACTIVE"
PAYMENT_NOT_OPEN = "PAYMENT_NOT_OPEN"
UNKNOWN_DATASET = "UNKNOWN_DATASET"
# A date the contract allows but the sandbox's calendar arithmetic cannot hold (domain/limits.py).
DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"
# Control API refusals (the clock, simulations, snapshots).
SCENARIO_NOT_APPLICABLE = "SCENARIO_NOT_APPLICABLE"
CLOCK_BACKWARDS = "CLOCK_BACKWARDS"
SNAPSHOT_INVALID = "SNAPSHOT_INVALID"

# Codes a schema-valid request may still earn: the contract kit treats these as documented business
# refusals rather than as a server rejecting valid data.
BUSINESS_CODES = frozenset(
    {
        CUSTOMER_NOT_FOUND, SITE_NOT_FOUND, INVOICE_NOT_FOUND, BILL_RUN_TYPE_MISMATCH,
        PAYMENT_PROVIDER_NOT_FOUND, CONTRACT_OWNER_NOT_FOUND, AMOUNT_ZERO, AMOUNT_NOT_POSITIVE, STATUS_NOT_APPLICABLE,
        INVALID_STATUS_TRANSITION, REFUND_EXCEEDS_COLLECTED, NOTHING_TO_REFUND, NO_PENDING_PAYMENT,
        NO_FAILED_PAYMENT, NO_MANDATE_PROVIDER, THIRD_PARTY_CUSTOMER_REFERENCE_REQUIRED,
        PAYMENT_METHOD_NOT_SUPPORTED, EXECUTION_DATE_NOT_IN_FUTURE, AMOUNT_OVER_LIMIT,
        INSUFFICIENT_CREDIT, APPROVAL_REQUIRED, PAYMENT_LINK_TARGET, PROVIDER_INACTIVE,
        PAYMENT_NOT_OPEN, INVALID_SORT, INVALID_FIELDS, INVALID_FILTER, PATCH_INVALID,
        PATCH_READ_ONLY, PATCH_TEST_FAILED, NOT_FOUND, SCENARIO_NOT_APPLICABLE, CLOCK_BACKWARDS,
        SNAPSHOT_INVALID, DATE_OUT_OF_RANGE,
    }
)


# How a well-formed request that the state refuses is answered. Elevate documents only 400 for these;
# the sandbox answers a record named in a body or query that does not exist with 404, and any other
# refusal of a schema-valid request with 409 Conflict, so that a client (or a fuzzer) can tell "your
# request is malformed" (400) from "your request is fine but this tenant's data says no" (inferred,
# docs/fidelity.md). The list-query codes stay 400 (they only occur with --strict-inferred), and so do
# the control API's refusals. A date the sandbox cannot hold is well-formed (the contract sets no bound), so
# its refusal is a 409 like the data's.
NOT_FOUND_CODES = frozenset(
    {CUSTOMER_NOT_FOUND, SITE_NOT_FOUND, INVOICE_NOT_FOUND, PAYMENT_PROVIDER_NOT_FOUND, CONTRACT_OWNER_NOT_FOUND}
)
STAY_400_CODES = frozenset(
    {
        INVALID_SORT, INVALID_FIELDS, INVALID_FILTER, VALIDATION_ERROR, UNKNOWN_DATASET,
        SCENARIO_NOT_APPLICABLE, CLOCK_BACKWARDS, SNAPSHOT_INVALID,
    }
)


def status_of(code: str) -> int:
    """The HTTP status of an InvalidRequest with ``code``."""
    if code in NOT_FOUND_CODES:
        return 404
    return 409 if code in BUSINESS_CODES and code not in STAY_400_CODES else 400


@dataclass(slots=True)
class FieldProblem:
    """One problem with one input field (a body property, a query parameter, a patch path)."""

    field: str
    message: str


@dataclass
class SandboxError(Exception):
    """Base of every error the sandbox renders; subclasses fix the HTTP status."""

    message: str
    code: str = ""
    problems: list[FieldProblem] = field(default_factory=list)
    status = 400
    default_code = VALIDATION_ERROR

    def __init_subclass__(cls, code: str = "", status: int = 0, **kwargs: object) -> None:
        # A kind of error that differs only in its code and status names them in its class line.
        super().__init_subclass__(**kwargs)
        if code:
            cls.default_code = code
        if status:
            cls.status = status

    def __post_init__(self) -> None:
        if not self.code:
            self.code = self.default_code
        super().__init__(self.message)

    def to_body(self) -> dict[str, object]:
        """The documented error shape: ``{message, code, errors?}``."""
        body: dict[str, object] = {"message": self.message, "code": self.code}
        if self.problems:
            body["errors"] = [{"field": p.field, "message": p.message} for p in self.problems]
        return body


@dataclass
class InvalidRequest(SandboxError):
    """400: the input is malformed; 404/409 (``status_of``): it names a missing record, the state refuses it."""

    status = 400

    def __post_init__(self) -> None:
        SandboxError.__post_init__(self)
        self.status = status_of(self.code)


class Unauthorized(SandboxError, code=UNAUTHORIZED, status=401):
    """401: no usable bearer token."""


class Forbidden(SandboxError, code=FORBIDDEN, status=403):
    """403: the caller may not do this."""


@dataclass
class ApprovalRequired(SandboxError):
    """403 of createOutboundPayment: the payout waits for approval at the provider."""

    code: str = APPROVAL_REQUIRED
    authorisation_url: str = ""
    outbound_payment_id: int | None = None
    status = 403

    def to_body(self) -> dict[str, object]:
        body = SandboxError.to_body(self)
        body["authorisationUrl"] = self.authorisation_url
        return body


class NotFound(SandboxError, code=NOT_FOUND, status=404):
    """404: no such resource in this tenant."""


class MethodNotAllowed(SandboxError, code=METHOD_NOT_ALLOWED, status=405):
    """405: the path exists but not with this method."""


class PayloadTooLarge(SandboxError, code=PAYLOAD_TOO_LARGE, status=413):
    """413: the body is over the size limit."""


class UnsupportedMediaType(SandboxError, code=UNSUPPORTED_MEDIA_TYPE, status=415):
    """415: the body's content type is not the documented one."""


# Transport limits (issue 15): what a request may weigh before the sandbox reads it.
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
URI_TOO_LONG = "URI_TOO_LONG"
HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
NESTING_TOO_DEEP = "NESTING_TOO_DEEP"
ADMIN_KEY_REQUIRED = "ADMIN_KEY_REQUIRED"


class RequestTimeout(SandboxError, code=REQUEST_TIMEOUT, status=408):
    """408: the body did not arrive in time."""


class UriTooLong(SandboxError, code=URI_TOO_LONG, status=414):
    """414: the path and query are over the limit."""


class HeadersTooLarge(SandboxError, code=HEADERS_TOO_LARGE, status=431):
    """431: too many headers, or too many bytes of them."""
