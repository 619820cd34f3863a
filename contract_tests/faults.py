"""Deliberately broken variants of the sandbox: the proof that the kit catches what is wrong.

Each ``Fault`` wraps the real ``create_app(...)`` ASGI app and rewrites some requests or responses, the
way a buggy implementation would behave. ``tests/test_kit_catches_faults.py`` serves each variant with
uvicorn on a free port, runs a focused part of the kit against it, and asserts that the report names
the operation and the check that caught it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elevate_sandbox.contract_tests.rewriting import ASGIApp, Exchange, Rewrite, Rewriting, Served

__all__ = ["Fault", "Served", "catalogue"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One way to break the contract, and where the kit must report it."""

    name: str
    description: str
    operation: str  # the operation the report must name, as METHOD /path
    check: str  # the check that must catch it
    kit_args: tuple[str, ...]  # the focused part of the kit to run: pytest arguments, from the project root
    before: Rewrite | None = None  # rewrites the request
    after: Rewrite | None = None  # rewrites the response
    broken: str = ""  # the operation whose exchanges are rewritten, when not the reported one

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The broken variant of ``app``: the operation's exchanges go through the rewrites."""
        method, path = (self.broken or self.operation).split(" ", 1)
        pattern = "/v1" + re.sub(r"\{[^}]+\}", "[^/]+", path)
        return Rewriting(app, method, pattern, self.before, self.after)


def _kit(module: str, select: str | None = None) -> tuple[str, ...]:
    """Pytest arguments running one module of the kit (paths relative to the project root)."""
    return (f"contract_tests/{module}", *(("-k", select) if select else ()))


def _fuzz(operation_id: str) -> tuple[str, ...]:
    """The conformance test of one operation."""
    return (*_kit("test_conformance.py"), "--operation", operation_id)


def _items(exchange: Exchange, change: Callable[[dict[str, Any]], object]) -> None:
    """Apply ``change`` to every object of a JSON response (one object or a list of them)."""
    if exchange.status >= 300:
        return
    body = exchange.json()
    for item in body if isinstance(body, list) else [body]:
        if isinstance(item, dict):
            change(item)
    exchange.set_json(body)


def _each(change: Callable[[dict[str, Any]], object]) -> Rewrite:
    """A response rewrite applying ``change`` to every returned object."""
    return lambda exchange: _items(exchange, change)


def _replace(item: dict[str, Any], name: str, how: Callable[[Any], Any]) -> None:
    if name in item:
        item[name] = how(item[name])


def _drop_query(*names: str) -> Rewrite:
    def rewrite(exchange: Exchange) -> None:
        for name in names:
            exchange.query.pop(name, None)

    return rewrite


def _status(status: int) -> Rewrite:
    def rewrite(exchange: Exchange) -> None:
        if exchange.status in (200, 201):
            exchange.status = status

    return rewrite


def _ignore_paging(exchange: Exchange) -> None:
    if "pageSize" in exchange.query:
        exchange.query.update(page="1", pageSize="1000")


def _strip_read_only_ops(exchange: Exchange) -> None:
    operations = json.loads(exchange.body or b"[]")
    if isinstance(operations, list):
        kept = [op for op in operations if not (isinstance(op, dict) and op.get("path") in ("/id",))]
        exchange.body = json.dumps(kept or [{"op": "test", "path": "/id", "value": _path_id(exchange)}]).encode()


def _path_id(exchange: Exchange) -> int:
    return int(exchange.path.rstrip("/").rsplit("/", 1)[-1])


def _accept_refund_over_collected(exchange: Exchange) -> None:
    body = exchange.json()
    if exchange.status in (400, 409) and isinstance(body, dict) and body.get("code") == "REFUND_EXCEEDS_COLLECTED":
        sent = json.loads(exchange.body)
        refund = {"id": 990001, "customerId": 1, "paymentMethod": sent.get("paymentMethod", "BACS"), **sent}
        exchange.set_json(refund, 201)


def _outbound_over_limit_in(exchange: Exchange) -> None:
    sent = json.loads(exchange.body or b"{}")
    amount = sent.get("amountInMajorCurrency") if isinstance(sent, dict) else None
    if isinstance(amount, int | float) and amount > 25000:
        exchange.headers["x-fault-amount"] = json.dumps(amount)
        sent["amountInMajorCurrency"] = 1.0
        exchange.body = json.dumps(sent).encode()


def _outbound_over_limit_out(exchange: Exchange) -> None:
    if "x-fault-amount" in exchange.headers and exchange.status in (200, 201):
        amount = json.loads(exchange.headers["x-fault-amount"])
        _items(exchange, lambda item: item.update(amountInMajorCurrency=amount))


def _server_error(exchange: Exchange) -> None:
    if exchange.status in (400, 409):
        exchange.status = 500
        exchange.response_body = b"Internal Server Error"
        exchange.response_headers = [(b"content-type", b"text/plain")]


def _bypass_auth(token: str) -> Rewrite:
    def rewrite(exchange: Exchange) -> None:
        exchange.headers["authorization"] = f"Bearer {token}"

    return rewrite


def _forgetful() -> Rewrite:
    """Providers created through the API are never found again."""
    created: set[int] = set()

    def rewrite(exchange: Exchange) -> None:
        if exchange.path == "/v1/payment-providers":
            if exchange.method == "POST" and exchange.status in (200, 201):
                created.add(exchange.json()["id"])
        elif exchange.method == "GET" and _path_id(exchange) in created:
            exchange.set_json({"message": "No payment provider with this id", "code": "NOT_FOUND"}, 404)

    return rewrite


def _reject_as_invalid(exchange: Exchange) -> None:
    if exchange.status in (200, 201):
        exchange.set_json({"message": "Request validation failed", "code": "VALIDATION_ERROR"}, 400)


def _text_plain(exchange: Exchange) -> None:
    exchange.response_headers = [
        (k, b"text/plain") if k.lower() == b"content-type" else (k, v) for k, v in exchange.response_headers
    ]


def catalogue(auth_token: str) -> list[Fault]:
    """The faults, each with the focused kit run that must catch it. ``auth_token`` is any valid token."""
    by_id = "/payment-providers/{payment_provider_id}"
    # One fault per paragraph reads better than one argument per line.
    # fmt: off
    return [
        Fault("wrong-status-code", "createPaymentProvider answers 202 instead of 200/201",
              "POST /payment-providers", "status_code_conformance", _fuzz("createPaymentProvider"),
              after=_status(202)),
        Fault("missing-required-field", "getPaymentProvider leaves out the required name",
              f"GET {by_id}", "response_schema_conformance", _fuzz("getPaymentProvider"),
              after=_each(lambda item: item.pop("name", None))),
        Fault("wrong-type", "getCustomerCreditStatus sends billAmount as a string",
              "GET /customer-credit-status", "response_schema_conformance", _fuzz("getCustomerCreditStatus"),
              after=_each(lambda item: _replace(item, "billAmount", str))),
        Fault("enum-outside-contract", "getInvoicePayments reports the paymentMethod SWIFT",
              "GET /invoice-payments", "response_schema_conformance", _fuzz("getInvoicePayments"),
              after=_each(lambda item: _replace(item, "paymentMethod", lambda _: "SWIFT"))),
        Fault("pagination-ignored", "getPaymentProviders answers every record whatever page and pageSize say",
              "GET /payment-providers", "paging_honoured",
              _kit("test_lists.py", "test_page_size_is_honoured and getPaymentProviders"),
              before=_ignore_paging),
        Fault("sort-ignored", "getRefunds ignores sort", "GET /refunds", "sort_order",
              _kit("test_lists.py", "test_sort_orders_the_answer and getRefunds"),
              before=_drop_query("sort")),
        Fault("fields-ignored", "getAdhocInvoicePayments ignores fields", "GET /adhoc-invoice-payments",
              "fields_projection",
              _kit("test_lists.py", "test_fields_returns_exactly and getAdhocInvoicePayments"),
              before=_drop_query("fields")),
        Fault("filter-ignored", "getPaymentProviders ignores the type filter", "GET /payment-providers",
              "filter_semantics",
              _kit("test_lists.py", "test_each_filter_syntax and getPaymentProviders-type"),
              before=_drop_query("type")),
        Fault("read-only-field-patchable", "updatePaymentProvider accepts a patch of the read-only /id",
              f"PATCH {by_id}", "json_patch_semantics",
              _kit("test_resources.py", "test_json_patch_semantics and read_only"),
              before=_strip_read_only_ops),
        Fault("balance-off-by-a-penny", "getCustomerBalance reports every balance one penny off",
              "GET /customer-balances", "balance_agrees", _kit("scenarios/test_balances.py"),
              after=_each(lambda item: _replace(item, "balance", lambda value: round(value + 0.01, 2)))),
        Fault("refund-over-collected", "createRefund accepts a refund larger than the collected amount",
              "POST /refunds", "refund_limit", _kit("scenarios/test_refunds.py"),
              after=_accept_refund_over_collected),
        Fault("outbound-over-25000", "createOutboundPayment accepts a payout over 25,000",
              "POST /outbound-payments", "outbound_limits", _kit("scenarios/test_outbound.py", "limit"),
              before=_outbound_over_limit_in, after=_outbound_over_limit_out),
        Fault("auth-not-enforced", "getPaymentProviders serves requests without a valid token",
              "GET /payment-providers", "ignored_auth", _fuzz("getPaymentProviders"),
              before=_bypass_auth(auth_token)),
        Fault("server-error-on-bad-input", "getRefunds answers 500 to a malformed query",
              "GET /refunds", "not_a_server_error", _fuzz("getRefunds"), after=_server_error),
        Fault("created-resource-missing", "getPaymentProvider answers 404 for the providers created through the API",
              f"GET {by_id}", "ensure_resource_availability", _kit("test_stateful.py"),
              after=_forgetful(), broken="* /payment-providers(/[0-9]+)?"),
        Fault("valid-data-rejected", "createCustomerBalanceAdjustment refuses every valid request as invalid",
              "POST /customer-balance-adjustments", "positive_data_acceptance",
              _fuzz("createCustomerBalanceAdjustment"), after=_reject_as_invalid),
        Fault("wrong-content-type", "getSitePaymentMandates labels its JSON text/plain",
              "GET /site-payment-mandates", "content_type_conformance", _fuzz("getSitePaymentMandates"),
              after=_text_plain),
    ]
    # fmt: on
