"""Which category each check belongs to, and how much a failure of it matters.

The console groups findings by these categories and shows the most important ones first: a target that
stops answering or lets anyone in outranks a business rule, which outranks a missing field.
"""

from __future__ import annotations

TRANSPORT = "transport"
AUTH = "auth"
BUSINESS = "business rules"
STATEFULNESS = "statefulness"
LISTS = "lists"
STATUS_CODES = "status codes"
SCHEMA = "schema"
# In order of importance, most important first.
ORDER = (TRANSPORT, AUTH, BUSINESS, STATEFULNESS, LISTS, STATUS_CODES, SCHEMA)

_BY_CHECK = {
    # transport: the target itself
    "target_answers": TRANSPORT,
    # auth
    "ignored_auth": AUTH,
    # status codes and the error shape
    "not_a_server_error": STATUS_CODES,
    "status_code_conformance": STATUS_CODES,
    "unsupported_method": STATUS_CODES,
    "unknown_id_404": STATUS_CODES,
    "error_shape": STATUS_CODES,
    "positive_data_acceptance": STATUS_CODES,
    "negative_data_rejection": STATUS_CODES,
    "missing_required_header": STATUS_CODES,
    # schema: the shape and formats of what is sent back
    "response_schema_conformance": SCHEMA,
    "content_type_conformance": SCHEMA,
    "response_headers_conformance": SCHEMA,
    "formats_exact": SCHEMA,
    # statefulness: what is stored, read back and left alone
    "ensure_resource_availability": STATEFULNESS,
    "use_after_free": STATEFULNESS,
    "read_back_equal": STATEFULNESS,
    "create_read_back": STATEFULNESS,
    "get_is_safe": STATEFULNESS,
    "refused_write_changes_nothing": STATEFULNESS,
    "history_is_fixed": STATEFULNESS,
    "json_patch_semantics": STATEFULNESS,
    "created_appears_in_list": STATEFULNESS,
    # lists
    "paging_honoured": LISTS,
    "paging_across_pages": LISTS,
    "sort_order": LISTS,
    "sort_across_pages": LISTS,
    "fields_projection": LISTS,
    "filter_semantics": LISTS,
    "filter_bounds": LISTS,
    "list_matches_get": LISTS,
}


def category(check: str) -> str:
    """The category of ``check``; the kit's scenario checks are business rules."""
    return _BY_CHECK.get(check, BUSINESS)


def rank(check: str) -> int:
    """Smaller is more important."""
    return ORDER.index(category(check))
