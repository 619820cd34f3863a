"""Deliberately broken variants of the sandbox: the proof that the kit catches what is wrong.

Each ``Fault`` wraps the real ``create_app(...)`` ASGI app and rewrites some requests or responses, the
way a buggy implementation would behave. ``tests/kit/test_kit_catches_faults.py`` serves each variant with
uvicorn on a free port, runs a focused part of the kit against it, and asserts that the report names
the operation and the check that caught it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from elevate_sandbox.contract_tests import categories
from elevate_sandbox.contract_tests import fault_rewrites as rw
from elevate_sandbox.contract_tests.rewriting import ASGIApp, Rewrite, Rewriting, Served, Then

__all__ = ["Fault", "Served", "catalogue", "table"]


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
    then: Then | None = None  # sends more requests to the app after it answered (state changed behind the back)

    @property
    def category(self) -> str:
        return categories.category(self.check)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The broken variant of ``app``: the operation's exchanges go through the rewrites."""
        method, path = (self.broken or self.operation).split(" ", 1)
        pattern = "/v1" + re.sub(r"\{[^}]+\}", "[^/]+", path)
        return Rewriting(app, method, pattern, self.before, self.after, self.then)


def _kit(module: str, select: str | None = None) -> tuple[str, ...]:
    """Pytest arguments running one module of the kit (paths relative to the project root)."""
    return (f"contract_tests/{module}", *(("-k", select) if select else ()))


def _fuzz(operation_id: str) -> tuple[str, ...]:
    """The conformance test of one operation."""
    return (*_kit("test_conformance.py"), "--operation", operation_id)


def catalogue(auth_token: str) -> list[Fault]:
    """The faults, each with the focused kit run that must catch it. ``auth_token`` is any valid token."""
    by_id = "/payment-providers/{payment_provider_id}"
    # One fault per paragraph reads better than one argument per line.
    # fmt: off
    return [
        Fault("wrong-status-code", "createPaymentProvider answers 202 instead of 200/201",
              "POST /payment-providers", "status_code_conformance", _fuzz("createPaymentProvider"),
              after=rw.status(202)),
        Fault("missing-required-field", "getPaymentProvider leaves out the required name",
              f"GET {by_id}", "response_schema_conformance", _fuzz("getPaymentProvider"),
              after=rw.each(lambda item: item.pop("name", None))),
        Fault("wrong-type", "getCustomerCreditStatus sends billAmount as a string",
              "GET /customer-credit-status", "response_schema_conformance", _fuzz("getCustomerCreditStatus"),
              after=rw.each(lambda item: rw.replace(item, "billAmount", str))),
        Fault("enum-outside-contract", "getInvoicePayments reports the paymentMethod SWIFT",
              "GET /invoice-payments", "response_schema_conformance", _fuzz("getInvoicePayments"),
              after=rw.each(lambda item: rw.replace(item, "paymentMethod", lambda _: "SWIFT"))),
        Fault("pagination-ignored", "getPaymentProviders answers every record whatever page and pageSize say",
              "GET /payment-providers", "paging_honoured",
              _kit("test_lists.py", "test_page_size_is_honoured and getPaymentProviders"),
              before=rw.ignore_paging),
        Fault("sort-ignored", "getRefunds ignores sort", "GET /refunds", "sort_order",
              _kit("test_lists.py", "test_sort_orders_the_answer and getRefunds"),
              before=rw.drop_query("sort")),
        Fault("fields-ignored", "getAdhocInvoicePayments ignores fields", "GET /adhoc-invoice-payments",
              "fields_projection",
              _kit("test_lists.py", "test_fields_returns_exactly and getAdhocInvoicePayments"),
              before=rw.drop_query("fields")),
        Fault("filter-ignored", "getPaymentProviders ignores the type filter", "GET /payment-providers",
              "filter_semantics",
              _kit("test_lists.py", "test_each_filter_syntax and getPaymentProviders-type"),
              before=rw.drop_query("type")),
        Fault("read-only-field-patchable", "updatePaymentProvider accepts a patch of the read-only /id",
              f"PATCH {by_id}", "json_patch_semantics",
              _kit("test_resources.py", "test_json_patch_semantics and read_only"),
              before=rw.strip_read_only_ops),
        Fault("balance-off-by-a-penny", "getCustomerBalance reports every balance one penny off",
              "GET /customer-balances", "balance_agrees", _kit("scenarios/test_balances.py"),
              after=rw.each(lambda item: rw.replace(item, "balance", lambda value: round(value + 0.01, 2)))),
        Fault("refund-over-collected", "createRefund accepts a refund larger than the collected amount",
              "POST /refunds", "refund_limit", _kit("scenarios/test_refunds.py"),
              after=rw.accept_refund_over_collected),
        Fault("outbound-over-25000", "createOutboundPayment accepts a payout over 25,000",
              "POST /outbound-payments", "outbound_limits", _kit("scenarios/test_outbound.py", "limit"),
              before=rw.outbound_over_limit_in, after=rw.outbound_over_limit_out),
        Fault("auth-not-enforced", "getPaymentProviders serves requests without a valid token",
              "GET /payment-providers", "ignored_auth", _fuzz("getPaymentProviders"),
              before=rw.bypass_auth(auth_token)),
        Fault("server-error-on-bad-input", "getRefunds answers 500 to a malformed query",
              "GET /refunds", "not_a_server_error", _fuzz("getRefunds"), after=rw.server_error),
        Fault("created-resource-missing", "getPaymentProvider answers 404 for the providers created through the API",
              "POST /payment-providers", "create_read_back",
              _kit("test_consistency.py", "stored_as_answered and payment-providers"),
              after=rw.forgetful(), broken="* /payment-providers(/[0-9]+)?"),
        Fault("valid-data-rejected", "createCustomerBalanceAdjustment refuses every valid request as invalid",
              "POST /customer-balance-adjustments", "positive_data_acceptance",
              _fuzz("createCustomerBalanceAdjustment"), after=rw.reject_as_invalid),
        Fault("wrong-content-type", "getSitePaymentMandates labels its JSON text/plain",
              "GET /site-payment-mandates", "content_type_conformance", _fuzz("getSitePaymentMandates"),
              after=rw.text_plain),
        # State and consistency (issue 13): what a schema cannot say.
        Fault("list-amount-differs", "getCustomerPayments lists every amount 1.00 higher than GET by id reads it",
              "GET /customer-payments", "list_matches_get",
              _kit("test_consistency.py", "list_shows and getCustomerPayments"),
              after=rw.each(lambda item: rw.replace(item, "amountInMajorCurrency", lambda v: round(v + 1, 2)))),
        Fault("list-status-differs", "getPaymentProviders lists ACTIVE providers as INACTIVE and back",
              "GET /payment-providers", "list_matches_get",
              _kit("test_consistency.py", "list_shows and getPaymentProviders"),
              after=rw.each(lambda item: rw.replace(item, "status", rw.flip_status))),
        Fault("list-date-differs", "getInvoicePayments lists every paymentDate a day early",
              "GET /invoice-payments", "list_matches_get",
              _kit("test_consistency.py", "list_shows and getInvoicePayments"),
              after=rw.each(lambda item: rw.replace(item, "paymentDate", rw.shift_day))),
        Fault("get-advances-payout", "getOutboundPayment moves the payout one lifecycle step on each read",
              "GET /outbound-payments/{outbound_payment_id}", "get_is_safe",
              _kit("test_consistency.py", "read_changes_nothing and getOutboundPayment"), then=rw.advance_payout),
        Fault("get-changes-provider", "getPaymentProvider flips retryIfPossible on each read",
              f"GET {by_id}", "get_is_safe", _kit("test_consistency.py", "read_changes_nothing and getPaymentProvider"),
              then=rw.toggle_retry),
        Fault("adjustment-wrong-sign", "createCustomerBalanceAdjustment applies the amount with the opposite sign",
              "POST /customer-balance-adjustments", "money_moves", _kit("test_consistency.py", "money_moves"),
              before=rw.negate_amount_in, after=rw.negate_amount_out),
        Fault("payment-counted-twice", "createCustomerPayment moves the balance by twice its amount",
              "POST /customer-payments", "money_moves", _kit("test_consistency.py", "money_moves"),
              then=rw.credit_again(1)),
        Fault("refund-leaves-balance", "createRefund does not lower the customer's balance",
              "POST /refunds", "money_moves", _kit("test_consistency.py", "money_moves"), then=rw.credit_again(1)),
        Fault("create-answers-other-id", "createCustomerPayment answers the id of the previous record",
              "POST /customer-payments", "create_read_back",
              _kit("test_consistency.py", "stored_as_answered and customer-payments"), after=rw.other_id),
        Fault("created-payment-not-listed", "getCustomerPayments leaves out the customer's newest payment",
              "POST /customer-payments", "created_appears_in_list",
              _kit("test_consistency.py", "stored_as_answered and customer-payments"), after=rw.drop_newest,
              broken="GET /customer-payments"),
        Fault("created-provider-not-listed", "getPaymentProviders leaves out the newest provider",
              "POST /payment-providers", "created_appears_in_list",
              _kit("test_consistency.py", "stored_as_answered and payment-providers"), after=rw.drop_newest,
              broken="GET /payment-providers"),
        Fault("refused-refund-recorded", "createRefund refuses a refund over the collected amount but records 0.01",
              "POST /refunds", "refused_write_changes_nothing", _kit("test_consistency.py", "refused_write"),
              then=rw.record_refused(0.01)),
        Fault("refused-payment-recorded", "createCustomerPayment refuses a negative amount but records it as positive",
              "POST /customer-payments", "refused_write_changes_nothing", _kit("test_consistency.py", "refused_write"),
              then=rw.record_refused(0)),
        Fault("history-rewritten", "getCustomerPayment reports today's balance as the payment's resulting balance",
              "GET /customer-payments/{customer_payment_id}", "history_is_fixed",
              _kit("test_consistency.py", "resulting_balance"), then=rw.resulting_is_current),
        Fault("sorted-per-page", "getPaymentProviders sorts each page on its own, not the whole list",
              "GET /payment-providers", "sort_across_pages",
              _kit("test_lists.py", "sort_holds_across_pages and getPaymentProviders"),
              before=rw.sort_each_page_in, after=rw.sort_each_page_out),
        Fault("paging-skips-records", "getRefunds skips the first record of every page after the first",
              "GET /refunds", "paging_honoured", _kit("test_lists.py", "test_page_size_is_honoured and getRefunds"),
              after=rw.skip_first_of_later_pages),
        Fault("fields-drops-one", "getPaymentProviders answers only the first of the fields asked",
              "GET /payment-providers", "fields_projection",
              _kit("test_lists.py", "test_fields_returns_exactly and getPaymentProviders"), after=rw.first_field_only),
        Fault("in-filter-as-exact", "getInvoicePayments reads generatedInvoiceId=in:a,b as a only",
              "GET /invoice-payments", "filter_semantics",
              _kit("test_lists.py", "test_each_filter_syntax and getInvoicePayments-generatedInvoiceId-in"),
              before=rw.in_as_exact("generatedInvoiceId")),
        Fault("patch-not-atomic", "updatePaymentProvider refuses a patch but keeps the operations before the bad one",
              f"PATCH {by_id}", "json_patch_semantics",
              _kit("test_resources.py", "test_json_patch_semantics and invalid_later_op"), then=rw.apply_all_but_last),
        Fault("error-body-plain-text", "getInvoicePayment answers an unknown id with a text/plain 404",
              "GET /invoice-payments/{invoice_payment_id}", "error_shape",
              _kit("test_resources.py", "test_unknown_ids and getInvoicePayment"), after=rw.plain_404),
        Fault("unknown-id-found", "getCustomerPayment answers 200 for an id no payment has",
              "GET /customer-payments/{customer_payment_id}", "unknown_id_404",
              _kit("test_resources.py", "test_unknown_ids and getCustomerPayment"), after=rw.found_anyway),
        Fault("date-not-iso", "getCustomerPayments writes paymentDate as DD/MM/YYYY",
              "GET /customer-payments", "formats_exact",
              _kit("test_lists.py", "dates_and_amounts and getCustomerPayments"),
              after=rw.each(lambda item: rw.replace(item, "paymentDate", rw.us_date))),
        Fault("amount-three-decimals", "getRefunds writes amounts with a third decimal",
              "GET /refunds", "formats_exact", _kit("test_lists.py", "dates_and_amounts and getRefunds"),
              after=rw.each(lambda item: rw.replace(item, "amountInMajorCurrency", lambda v: v + 0.005))),
        # Business rules.
        Fault("payout-today-accepted", "createOutboundPayment accepts an execution date of today or the past",
              "POST /outbound-payments", "outbound_dates", _kit("scenarios/test_outbound.py", "execution_dates"),
              before=rw.tomorrow_in, after=rw.tomorrow_out),
        Fault("refund-first-method", "createRefund without a method refunds by the first payment's method",
              "POST /refunds", "refund_payment_method", _kit("scenarios/test_refunds.py", "without_a_method"),
              after=rw.first_method),
        Fault("cancel-anything", "cancelInvoicePayment accepts a payment that is no longer pending",
              "POST /invoice-payment-cancel", "cancel_pending_only",
              _kit("scenarios/test_cancel_and_reprocess.py", "cancelled"), after=rw.accept(202)),
        Fault("reprocess-anything", "reprocessInvoicePayment accepts a payment that has not failed",
              "POST /invoice-payment-reprocess", "reprocess_failed_only",
              _kit("scenarios/test_cancel_and_reprocess.py", "reprocessed"), after=rw.accept(200)),
        Fault("manual-payment-with-status", "createInvoicePayment gives a cheque payment a provider status",
              "POST /invoice-payments", "manual_payment_status",
              _kit("scenarios/test_cancel_and_reprocess.py", "manual"), after=rw.manual_with_status),
        Fault("link-without-target", "createPaymentProviderPaymentLink accepts a link for nothing, or for two things",
              "POST /payment-provider-payment-link", "payment_link",
              _kit("scenarios/test_mandates_and_links.py", "payment_link"), after=rw.accept(201)),
        Fault("approval-skipped", "createOutboundPayment pays 25,000.00 out without asking for approval",
              "POST /outbound-payments", "outbound_approval",
              _kit("scenarios/test_outbound.py", "limits_and_approval"), after=rw.accept(201, rw.at_approval)),
        Fault("credit-overdrawn", "createOutboundPayment draws more credit than the customer has",
              "POST /outbound-payments", "outbound_credit", _kit("scenarios/test_outbound.py", "more_credit"),
              after=rw.accept(201, rw.uses_credit)),
        Fault("credit-status-arithmetic", "getCustomerCreditStatus reports valueDifference 1.00 off",
              "GET /customer-credit-status", "credit_status_arithmetic",
              _kit("scenarios/test_balances.py", "credit_status_agrees"),
              after=rw.each(lambda item: rw.replace(item, "valueDifference", lambda v: round(v + 1, 2)))),
        Fault("mandate-status-differs", "getPaymentProviderMandate reports another status than the site holds",
              "GET /payment-provider-mandates/{paymentMethod}/{mandateReference}", "mandate_lookup",
              _kit("scenarios/test_mandates_and_links.py", "looked_up"), after=rw.each(rw.mandate_status)),
        Fault("surplus-not-credit", "createCustomerPayment reports an overpayment's surplus as no credit",
              "POST /customer-payments", "surplus_is_credit", _kit("scenarios/test_balances.py", "overpayment"),
              after=rw.each(rw.no_surplus)),
    ]
    # fmt: on


@dataclass(frozen=True, slots=True)
class FaultGroup:
    """Faults served together by one broken app and caught by one kit run (to keep the suite's time bounded).

    Faults share a group only when they break different operations and are caught by different tests of
    the same kit module, so no fault can hide another.
    """

    faults: tuple[Fault, ...]

    @property
    def name(self) -> str:
        return "+".join(fault.name for fault in self.faults)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        for fault in self.faults:
            app = fault.wrap(app)
        return app

    @property
    def kit_args(self) -> tuple[str, ...]:
        module = self.faults[0].kit_args[0]
        selects = [_select(fault) for fault in self.faults]
        operations = [arg for fault in self.faults for arg in _option(fault, "--operation")]
        args: tuple[str, ...] = (module,)
        if all(selects):
            args += ("-k", " or ".join(f"({select})" for select in selects))
        for operation_id in operations:
            args += ("--operation", operation_id)
        return args


def _select(fault: Fault) -> str | None:
    found = _option(fault, "-k")
    return found[0] if found else None


def _option(fault: Fault, name: str) -> list[str]:
    args = fault.kit_args
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == name]


def _broken(fault: Fault) -> str:
    return fault.broken or fault.operation


# Modules whose focused tests each read only their own operation: faults there cannot hide one another.
GROUPABLE = ("contract_tests/test_conformance.py", "contract_tests/test_lists.py")


def _fits(group: list[Fault], fault: Fault, size: int) -> bool:
    if len(group) >= size or fault.kit_args[0] != group[0].kit_args[0] or fault.kit_args[0] not in GROUPABLE:
        return False
    focused = [bool(_select(f) or _option(f, "--operation")) for f in (*group, fault)]
    apart = all(_broken(other) != _broken(fault) for other in group)
    distinct = all(_select(other) != _select(fault) or not _select(fault) for other in group)
    return all(focused) and apart and distinct


def groups(faults: list[Fault], size: int = 6) -> list[FaultGroup]:
    """``faults`` in groups of at most ``size`` that cannot interfere (see ``FaultGroup``)."""
    formed: list[list[Fault]] = []
    for fault in faults:
        for group in formed:
            if _fits(group, fault, size):
                group.append(fault)
                break
        else:
            formed.append([fault])
    return [FaultGroup(tuple(group)) for group in formed]


def table(faults: Iterable[Fault], caught_by: Callable[[Fault], list[str]]) -> str:
    """The fault suite as a Markdown table: each fault, its category, and the checks that reported it on its
    operation in the kit's run against it (``caught_by``; empty when the kit missed it)."""
    lines = [
        "| # | fault | what is broken | category | operation | caught by |",
        "|---|---|---|---|---|---|",
    ]
    for number, fault in enumerate(faults, 1):
        checks = caught_by(fault)
        caught = ", ".join(f"`{check}`" for check in checks) if checks else "**missed**"
        lines.append(
            f"| {number} | {fault.name} | {fault.description} | {fault.category} | `{fault.operation}` | {caught} |"
        )
    return "\n".join(lines) + "\n"
