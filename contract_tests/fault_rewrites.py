"""The rewrites that break the sandbox in ``faults.py``: each one behaves the way a buggy implementation would."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from elevate_sandbox.contract_tests.rewriting import Caller, Exchange, Rewrite, Then

# How an implementation refuses a request: Elevate documents 400; the sandbox may answer a refusal by the
# data (not by the schema) with 409.
REFUSED = (400, 409)


def items(exchange: Exchange, change: Callable[[dict[str, Any]], object]) -> None:
    """Apply ``change`` to every object of a JSON response (one object or a list of them)."""
    if exchange.status >= 300:
        return
    body = exchange.json()
    for item in body if isinstance(body, list) else [body]:
        if isinstance(item, dict):
            change(item)
    exchange.set_json(body)


def each(change: Callable[[dict[str, Any]], object]) -> Rewrite:
    """A response rewrite applying ``change`` to every returned object."""
    return lambda exchange: items(exchange, change)


def replace(item: dict[str, Any], name: str, how: Callable[[Any], Any]) -> None:
    if name in item:
        item[name] = how(item[name])


def drop_query(*names: str) -> Rewrite:
    def rewrite(exchange: Exchange) -> None:
        for name in names:
            exchange.query.pop(name, None)

    return rewrite


def status(status: int) -> Rewrite:
    def rewrite(exchange: Exchange) -> None:
        if exchange.status in (200, 201):
            exchange.status = status

    return rewrite


def ignore_paging(exchange: Exchange) -> None:
    if "pageSize" in exchange.query:
        exchange.query.update(page="1", pageSize="1000")


def strip_read_only_ops(exchange: Exchange) -> None:
    operations = json.loads(exchange.body or b"[]")
    if isinstance(operations, list):
        kept = [op for op in operations if not (isinstance(op, dict) and op.get("path") in ("/id",))]
        exchange.body = json.dumps(kept or [{"op": "test", "path": "/id", "value": path_id(exchange)}]).encode()


def path_id(exchange: Exchange) -> int:
    return int(exchange.path.rstrip("/").rsplit("/", 1)[-1])


def accept_refund_over_collected(exchange: Exchange) -> None:
    body = exchange.json()
    if exchange.status in REFUSED and isinstance(body, dict) and body.get("code") == "REFUND_EXCEEDS_COLLECTED":
        sent = json.loads(exchange.body)
        refund = {"id": 990001, "customerId": 1, "paymentMethod": sent.get("paymentMethod", "BACS"), **sent}
        exchange.set_json(refund, 201)


def outbound_over_limit_in(exchange: Exchange) -> None:
    sent = json.loads(exchange.body or b"{}")
    amount = sent.get("amountInMajorCurrency") if isinstance(sent, dict) else None
    if isinstance(amount, int | float) and amount > 25000:
        exchange.headers["x-fault-amount"] = json.dumps(amount)
        sent["amountInMajorCurrency"] = 1.0
        exchange.body = json.dumps(sent).encode()


def outbound_over_limit_out(exchange: Exchange) -> None:
    if "x-fault-amount" in exchange.headers and exchange.status in (200, 201):
        amount = json.loads(exchange.headers["x-fault-amount"])
        items(exchange, lambda item: item.update(amountInMajorCurrency=amount))


def server_error(exchange: Exchange) -> None:
    if exchange.status in REFUSED:
        exchange.status = 500
        exchange.response_body = b"Internal Server Error"
        exchange.response_headers = [(b"content-type", b"text/plain")]


def bypass_auth(token: str) -> Rewrite:
    def rewrite(exchange: Exchange) -> None:
        exchange.headers["authorization"] = f"Bearer {token}"

    return rewrite


def forgetful() -> Rewrite:
    """Providers created through the API are never found again."""
    created: set[int] = set()

    def rewrite(exchange: Exchange) -> None:
        if exchange.path == "/v1/payment-providers":
            if exchange.method == "POST" and exchange.status in (200, 201):
                created.add(exchange.json()["id"])
        elif exchange.method == "GET" and path_id(exchange) in created:
            exchange.set_json({"message": "No payment provider with this id", "code": "NOT_FOUND"}, 404)

    return rewrite


def reject_as_invalid(exchange: Exchange) -> None:
    if exchange.status in (200, 201):
        exchange.set_json({"message": "Request validation failed", "code": "VALIDATION_ERROR"}, 400)


def text_plain(exchange: Exchange) -> None:
    exchange.response_headers = [
        (k, b"text/plain") if k.lower() == b"content-type" else (k, v) for k, v in exchange.response_headers
    ]


# -- faults of state and consistency (issue 13) ---------------------------------------------------------

LIFECYCLE = ["NEW", "VERIFYING", "SCHEDULED", "EXECUTING", "EXECUTED"]


def shift_day(value: str) -> str:
    return (date.fromisoformat(value) - timedelta(days=1)).isoformat()


def flip_status(value: str) -> str:
    return "INACTIVE" if value == "ACTIVE" else "ACTIVE"


async def advance_payout(exchange: Exchange, call: Caller) -> None:
    """Reading a payout moves it one step on (a GET with a side effect)."""
    body = exchange.json()
    if exchange.status != 200 or not isinstance(body, dict):
        return
    status = body.get("thirdPartyOutboundPaymentStatus")
    if status in LIFECYCLE[:-1]:
        following = LIFECYCLE[LIFECYCLE.index(status) + 1]
        step = [{"op": "replace", "path": "/thirdPartyOutboundPaymentStatus", "value": following}]
        await patch(call, exchange.path, step)


async def toggle_retry(exchange: Exchange, call: Caller) -> None:
    """Reading a provider flips its retryIfPossible (a GET with a side effect)."""
    body = exchange.json()
    if exchange.status == 200 and isinstance(body, dict):
        step = [{"op": "replace", "path": "/retryIfPossible", "value": not body.get("retryIfPossible", False)}]
        await patch(call, exchange.path, step)


async def patch(call: Caller, path: str, operations: list[dict[str, Any]]) -> None:
    await call("PATCH", path, operations)


def negate_amount_in(exchange: Exchange) -> None:
    sent = json.loads(exchange.body or b"{}")
    if isinstance(sent, dict) and isinstance(sent.get("amountInMajorCurrency"), int | float):
        sent["amountInMajorCurrency"] = -sent["amountInMajorCurrency"]
        exchange.body = json.dumps(sent).encode()


def negate_amount_out(exchange: Exchange) -> None:
    items(exchange, lambda item: replace(item, "amountInMajorCurrency", lambda value: -value))


def credit_again(sign: int) -> Then:
    """After a money write, the customer's balance is moved once more by ``sign`` times its amount."""

    async def then(exchange: Exchange, call: Caller) -> None:
        body = exchange.json()
        if exchange.status in (200, 201) and isinstance(body, dict) and body.get("customerId"):
            amount = sign * body["amountInMajorCurrency"]
            adjustment = {"customerId": body["customerId"], "amountInMajorCurrency": amount}
            await call("POST", "/v1/customer-balance-adjustments", adjustment)

    return then


def other_id(exchange: Exchange) -> None:
    items(exchange, lambda item: replace(item, "id", lambda value: value - 1))


def drop_newest(exchange: Exchange) -> None:
    body = exchange.json()
    if exchange.status == 200 and isinstance(body, list) and body and all("id" in row for row in body):
        newest = max(row["id"] for row in body)
        exchange.set_json([row for row in body if row["id"] != newest])


def record_refused(amount: float) -> Then:
    """A refused create is recorded anyway (with ``amount``, or the absolute amount sent)."""

    async def then(exchange: Exchange, call: Caller) -> None:
        if exchange.status not in REFUSED:
            return
        sent = json.loads(exchange.body or b"{}")
        if isinstance(sent, dict) and isinstance(sent.get("amountInMajorCurrency"), int | float):
            sent["amountInMajorCurrency"] = amount or abs(sent["amountInMajorCurrency"])
            await call("POST", exchange.path, sent)

    return then


async def resulting_is_current(exchange: Exchange, call: Caller) -> None:
    """A payment's resultingCustomerBalance is recomputed from today's balance on every read."""
    body = exchange.json()
    if exchange.status == 200 and isinstance(body, dict) and "customerId" in body:
        status, balance = await call("GET", f"/v1/customer-balances?customer_id={body['customerId']}")
        if status == 200 and isinstance(balance, dict):
            body["resultingCustomerBalance"] = balance["balance"]
            exchange.set_json(body)


def sort_each_page_in(exchange: Exchange) -> None:
    if "sort" in exchange.query:
        exchange.headers["x-fault-sort"] = exchange.query.pop("sort")


def _json_of(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: json.dumps(row.get(name))


def sort_each_page_out(exchange: Exchange) -> None:
    body = exchange.json()
    order = exchange.headers.get("x-fault-sort")
    if exchange.status != 200 or not isinstance(body, list) or not order:
        return
    for part in reversed(order.split(",")):
        name, _, direction = part.partition(":")
        body.sort(key=_json_of(name), reverse=direction == "desc")
    exchange.set_json(body)


def skip_first_of_later_pages(exchange: Exchange) -> None:
    body = exchange.json()
    if exchange.status == 200 and isinstance(body, list) and exchange.query.get("page", "1") not in ("1", ""):
        exchange.set_json(body[1:])


def first_field_only(exchange: Exchange) -> None:
    asked = [name for name in exchange.query.get("fields", "").split(",") if name]
    body = exchange.json()
    if exchange.status == 200 and isinstance(body, list) and len(asked) > 1:
        exchange.set_json([{k: v for k, v in row.items() if k == asked[0]} for row in body])


def in_as_exact(name: str) -> Rewrite:
    def rewrite(exchange: Exchange) -> None:
        value = exchange.query.get(name, "")
        if value.startswith("in:"):
            exchange.query[name] = value.removeprefix("in:").split(",")[0]

    return rewrite


async def apply_all_but_last(exchange: Exchange, call: Caller) -> None:
    """A refused patch of several operations keeps the ones before the one that failed."""
    operations = json.loads(exchange.body or b"[]")
    if exchange.status in REFUSED and isinstance(operations, list) and len(operations) > 1:
        await call("PATCH", exchange.path, operations[:-1])


def plain_404(exchange: Exchange) -> None:
    if exchange.status == 404:
        exchange.response_body = b"Not Found"
        exchange.response_headers = [(b"content-type", b"text/plain")]


def found_anyway(exchange: Exchange) -> None:
    if exchange.status == 404:
        exchange.set_json({"id": path_id(exchange), "customerId": 1, "amountInMajorCurrency": 0}, 200)
        exchange.response_headers = [(b"content-type", b"application/json")]


def us_date(value: str) -> str:
    year, month, day = value.split("-")
    return f"{day}/{month}/{year}"


def tomorrow_in(exchange: Exchange) -> None:
    sent = json.loads(exchange.body or b"{}")
    when = sent.get("executionDate") if isinstance(sent, dict) else None
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    if isinstance(when, str) and when < tomorrow:
        exchange.headers["x-fault-date"] = when
        sent["executionDate"] = tomorrow
        exchange.body = json.dumps(sent).encode()


def tomorrow_out(exchange: Exchange) -> None:
    if "x-fault-date" in exchange.headers:
        items(exchange, lambda item: item.update(executionDate=exchange.headers["x-fault-date"]))


def first_method(exchange: Exchange) -> None:
    sent = json.loads(exchange.body or b"{}")
    if exchange.status in (200, 201) and isinstance(sent, dict) and "paymentMethod" not in sent:
        items(exchange, lambda item: item.update(paymentMethod="CHEQUE"))


def accept(status: int, when: Callable[[Exchange], bool] = lambda exchange: True) -> Rewrite:
    """Refusals (400/403) become ``status``, echoing the request (or no body for 200/202 actions)."""

    def rewrite(exchange: Exchange) -> None:
        if exchange.status not in (*REFUSED, 403) or not when(exchange):
            return
        if status in (200, 202) and exchange.path.endswith(("-cancel", "-reprocess")):
            exchange.status, exchange.response_body = status, b""
            return
        sent = json.loads(exchange.body or b"{}")
        if isinstance(sent, list):  # a JSON Patch: answer the operations as if applied
            sent = {"id": path_id(exchange), "thirdPartyOutboundPaymentStatus": sent[-1].get("value")}
        exchange.set_json({"id": 990002, "customerId": 1, **sent}, status)

    return rewrite


def uses_credit(exchange: Exchange) -> bool:
    sent = json.loads(exchange.body or b"{}")
    return isinstance(sent, dict) and bool(sent.get("useCustomerCreditBalance"))


def at_approval(exchange: Exchange) -> bool:
    return exchange.status == 403


def manual_with_status(exchange: Exchange) -> None:
    sent = json.loads(exchange.body or b"{}")
    if exchange.status in (200, 201) and isinstance(sent, dict) and sent.get("paymentMethod") == "CHEQUE":
        items(exchange, lambda item: item.update(thirdPartyPaymentStatus="SUBMITTED"))


def mandate_status(item: dict[str, Any]) -> None:
    replace(item, "status", lambda value: "CANCELLED" if value != "CANCELLED" else "ACTIVE")


def no_surplus(item: dict[str, Any]) -> None:
    replace(item, "resultingCustomerBalance", lambda value: min(value, 0))
