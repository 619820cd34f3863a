"""customer-payments, customer-balances (with adjustments) and customer-credit-status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from elevate_sandbox.api.common import backend, create_one, read_one, strict_inferred
from elevate_sandbox.api.lists import ListQuery, list_response
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.inputs import NewBalanceAdjustment, NewCustomerPayment
from elevate_sandbox.domain.models import CustomerPayment
from elevate_sandbox.domain.resources import CUSTOMER_CREDIT_STATUS, CUSTOMER_PAYMENT
from elevate_sandbox.listing import named_ids

# Free-text `filter` on customer payments searches these fields (inferred: the docs only say "filter").
FREE_TEXT_FIELDS = ("description", "reference", "invoiceNumber", "type")


def _text_matches(record: dict[str, Any], needle: str) -> bool:
    needle = needle.lower()
    return any(needle in str(record.get(name, "")).lower() for name in FREE_TEXT_FIELDS)


def _is_true(value: Any) -> bool:
    return str(value).strip().lower() == "true"


@operation("getCustomerPayments")
async def get_customer_payments(**params: Any) -> Response:
    with backend() as b:
        # The index holds one customer's payments: the list never scans every customer's.
        payments: Sequence[CustomerPayment] = b.index.customer_payments_of(params["customer_id"])
        if _is_true(params.get("excludeDebits")):
            payments = [p for p in payments if p.amount >= 0]
        if _is_true(params.get("excludeCredits")):
            payments = [p for p in payments if p.amount < 0]
        if params.get("filter"):
            payments = [p for p in payments if _text_matches(p.to_api(), params["filter"])]
        return list_response(payments, ListQuery(params, strict_inferred()), CUSTOMER_PAYMENT, owner=b)


create_one(
    "createCustomerPayment",
    Backend.create_customer_payment,
    NewCustomerPayment,
    {
        "customerId": "customer_id",
        "amountInMajorCurrency": "amount",
        "type": "payment_type",
        "description": "description",
        "reference": "reference",
        "billRunType": "bill_run_type",
        "invoiceId": "invoice_id",
    },
    200,
)
read_one("getCustomerPayment", "customer_payment_id", Backend.get_customer_payment)


@operation("getCustomerBalance")
async def get_customer_balance(customer_id: int, **_: Any) -> dict[str, Any]:
    with backend() as b:
        return b.customer_balance(customer_id)


create_one(
    "createCustomerBalanceAdjustment",
    Backend.create_balance_adjustment,
    NewBalanceAdjustment,
    {"customerId": "customer_id", "amountInMajorCurrency": "amount", "description": "description"},
    200,
)


@operation("getCustomerCreditStatus")
async def get_customer_credit_status(**params: Any) -> Response:
    with backend() as b:
        # One status per customer, computed only for the page shown (and only for named customers).
        ids = named_ids(params.get("customerId"))  # None when absent or not a plain id filter
        table = b.state.customers
        customers = table.values() if ids is None else [table[i] for i in sorted(ids) if i in table]
        return list_response(
            customers, ListQuery(params, strict_inferred()), CUSTOMER_CREDIT_STATUS, owner=b,
            render=lambda c: b.get_credit_status(c.id),
        )  # fmt: skip
