"""invoice-payments and adhoc-invoice-payments, plus invoice-payment-cancel and -reprocess."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from connexion.lifecycle import ConnexionResponse
from starlette.responses import Response

from elevate_sandbox.api.common import BodyReader, backend, body_reader, no_content, rendered, strict_inferred
from elevate_sandbox.api.lists import ListQuery, list_response
from elevate_sandbox.api.registry import operation
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import BillRunType
from elevate_sandbox.domain.inputs import LatestPayment, NewInvoicePayment
from elevate_sandbox.domain.models import InvoicePayment
from elevate_sandbox.domain.resources import ADHOC_INVOICE_PAYMENT, INVOICE_PAYMENT
from elevate_sandbox.listing import FilterKind, named_ids


def _of_invoices(b: Backend, bill_run_type: BillRunType, raw: Any) -> list[InvoicePayment] | None:
    """The payments of the invoices an id filter names, from the index; None unless it is a well-formed id filter."""
    invoice_ids = named_ids(raw)
    if invoice_ids is None:
        return None
    payments = (p for i in invoice_ids for p in b.index.payments_of(i) if p.bill_run_type is bill_run_type)
    return sorted(payments, key=lambda p: p.id)


def _list(b: Backend, bill_run_type: BillRunType, params: dict[str, Any], bill_run_param: str) -> Response:
    normal = bill_run_type is BillRunType.NORMAL
    resource = INVOICE_PAYMENT if normal else ADHOC_INVOICE_PAYMENT
    name = "invoice_payments" if normal else "adhoc_invoice_payments"
    query = ListQuery(params, strict_inferred())
    # Payments of named invoices come from the index (the filter still applies to them, as to all).
    scoped = _of_invoices(b, bill_run_type, query.given(resource.member("invoice_id")))
    table = b.state.invoice_payments if normal else b.state.adhoc_invoice_payments
    payments: Iterable[InvoicePayment] = table.values() if scoped is None else scoped
    # The bill run belongs to the invoice a payment pays, not to the payment itself.
    in_bill_run = query.related_filter(bill_run_param, FilterKind.STRING)
    if in_bill_run is not None:
        invoices = {i.id for i in b.state.invoices.values() if in_bill_run({bill_run_param: str(i.bill_run_id)})}
        payments = [p for p in payments if p.invoice_id in invoices]
    whole = scoped is None and in_bill_run is None  # the whole table: pages may be kept
    return list_response(payments, query, resource, owner=b, table=name if whole else None)


def _payment_reader(invoice_key: str) -> BodyReader:
    """The fields of a new (adhoc) invoice payment, but for its bill run type, which is the operation's."""
    return body_reader(
        NewInvoicePayment,
        {
            invoice_key: "invoice_id",
            "amountInMajorCurrency": "amount",
            "description": "description",
            "paymentMethod": "payment_method",
            "thirdPartyPaymentStatus": "third_party_payment_status",
        },
    )


def _create(bill_run_type: BillRunType, read: BodyReader, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    fields = read(body)
    with backend() as b:
        payment, created = b.create_invoice_payment(bill_run_type=bill_run_type, **fields)
        return rendered(payment, 201 if created else 200)


def _payment_operations(bill_run_type: BillRunType, adhoc: str, id_name: str, invoice_key: str, run_param: str) -> None:
    """invoice-payments and adhoc-invoice-payments: the same list, create and get, each on its own table."""

    async def list_payments(**params: Any) -> Response:
        with backend() as b:
            return _list(b, bill_run_type, params, run_param)

    read = _payment_reader(invoice_key)

    async def create_payment(body: dict[str, Any], **_: Any) -> tuple[dict[str, Any], int]:
        return _create(bill_run_type, read, body)

    async def get_payment(**params: Any) -> tuple[dict[str, Any], int]:
        with backend() as b:
            return rendered(b.get_invoice_payment(bill_run_type, params[id_name]))

    operation(f"get{adhoc}InvoicePayments")(list_payments)
    operation(f"create{adhoc}InvoicePayment")(create_payment)
    operation(f"get{adhoc}InvoicePayment")(get_payment)


_payment_operations(BillRunType.NORMAL, "", "invoice_payment_id", "generatedInvoiceId", "billRunId")
_payment_operations(BillRunType.ADHOC, "Adhoc", "adhoc_invoice_payment_id", "generatedAdhocInvoiceId", "adhocBillRunId")


_read_latest = body_reader(LatestPayment, {"invoiceId": "invoice_id", "billRunType": "bill_run_type", "notes": "notes"})


def _on_latest_payment(rule: Callable[..., InvoicePayment], body: dict[str, Any]) -> None:
    """Cancel and reprocess take the same body and act on the invoice's latest provider payment."""
    fields = _read_latest(body)
    with backend() as b:
        rule(b, **fields)


@operation("cancelInvoicePayment")
async def cancel_invoice_payment(body: dict[str, Any], **_: Any) -> ConnexionResponse:
    _on_latest_payment(Backend.cancel_invoice_payment, body)
    return no_content(202)


@operation("reprocessInvoicePayment")
async def reprocess_invoice_payment(body: dict[str, Any], **_: Any) -> ConnexionResponse:
    _on_latest_payment(Backend.reprocess_invoice_payment, body)
    return no_content(200)
