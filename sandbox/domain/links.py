"""payment-provider-payment-link (rule 11): hosted payment links, and paying one on the sandbox's page."""

from __future__ import annotations

import string
from typing import Unpack

from elevate_sandbox.domain import accounts
from elevate_sandbox.domain.context import Context
from elevate_sandbox.domain.enums import PROVIDER_METHODS, BillRunType, PaymentProviderStatus, ThirdPartyPaymentStatus
from elevate_sandbox.domain.errors import (
    PAYMENT_LINK_TARGET,
    PAYMENT_NOT_OPEN,
    PROVIDER_INACTIVE,
    InvalidRequest,
)
from elevate_sandbox.domain.hosted import PAY_PAGE, hosted_url
from elevate_sandbox.domain.inputs import NewPaymentLink, takes
from elevate_sandbox.domain.ledger import record_payment
from elevate_sandbox.domain.lookups import (
    by_token,
    customer_ref,
    invoice_ref,
    payment_sequence,
    provider_ref,
    require_positive,
)
from elevate_sandbox.domain.models import InvoicePayment, PaymentLink, PaymentProvider
from elevate_sandbox.domain.money import to_money

TOKEN_LENGTH = 32
# Money paid through a hosted link is in hand at once: the provider has confirmed it.
LINK_PAYMENT_STATUS = ThirdPartyPaymentStatus.CONFIRMED


def _active(provider: PaymentProvider) -> PaymentProvider:
    if provider.status is not PaymentProviderStatus.ACTIVE:
        raise InvalidRequest(f"Payment provider {provider.id} is {provider.status.value}", PROVIDER_INACTIVE)
    return provider


@takes(NewPaymentLink)
def create_payment_link(ctx: Context, *, strict: bool = False, **fields: Unpack[NewPaymentLink]) -> PaymentLink:
    """A link paying an invoice, an adhoc invoice or a customer's balance.

    The docs never say "exactly one" (their sample sets all three): every target given must exist, and
    the link pays the first of invoiceId, adhocInvoiceId, customerId. With ``strict``
    (--strict-inferred) exactly one must be given. A link with none could pay nothing: refused (409).
    """
    invoice_id, adhoc_invoice_id = fields.get("invoice_id"), fields.get("adhoc_invoice_id")
    customer_id = fields.get("customer_id")
    given = [target for target in (invoice_id, adhoc_invoice_id, customer_id) if target is not None]
    if not given or (strict and len(given) != 1):
        wanted = "exactly one" if strict else "at least one"
        raise InvalidRequest(
            f"A payment link needs {wanted} of invoiceId, adhocInvoiceId and customerId, not {len(given)}",
            PAYMENT_LINK_TARGET,
        )
    if invoice_id is not None:
        invoice_ref(ctx, invoice_id, BillRunType.NORMAL)
    if adhoc_invoice_id is not None:
        invoice_ref(ctx, adhoc_invoice_id, BillRunType.ADHOC)
    if customer_id is not None:
        customer_ref(ctx, customer_id)
    provider = _active(provider_ref(ctx, fields["payment_provider_id"]))
    amount = to_money(fields["amount"])
    require_positive(amount)
    token = ctx.token(string.hexdigits[:16], TOKEN_LENGTH)
    link = PaymentLink(
        id=ctx.state.next_id("payment_links"), payment_provider_id=provider.id, amount=amount,
        description=fields["description"], token=token, email=fields.get("email"), invoice_id=invoice_id,
        adhoc_invoice_id=adhoc_invoice_id, customer_id=customer_id,
        payment_link=hosted_url(ctx, PAY_PAGE, token),
    )
    ctx.state.payment_links[link.id] = link
    ctx.index.link_ids_by_token[token] = link.id
    return link


def link_by_token(ctx: Context, token: str) -> PaymentLink:
    """The link with this token, or NotFound."""
    return by_token(ctx.index.link_ids_by_token, ctx.state.payment_links, token, "payment link")


def pay_payment_link(ctx: Context, token: str) -> PaymentLink:
    """Pay a link once: a payment on its invoice, or a customer payment toward the balance."""
    link = link_by_token(ctx, token)
    if link.paid:
        raise InvalidRequest(f"Payment link {link.id} has already been paid", PAYMENT_NOT_OPEN)
    provider = _active(ctx.state.payment_providers[link.payment_provider_id])
    invoice_id = link.invoice_id if link.invoice_id is not None else link.adhoc_invoice_id
    if invoice_id is not None:
        invoice = ctx.state.invoices[invoice_id]
        record_payment(
            ctx,
            InvoicePayment(
                id=ctx.state.next_id(payment_sequence(invoice.bill_run_type)),
                bill_run_type=invoice.bill_run_type, invoice_id=invoice.id, customer_id=invoice.customer_id,
                amount=link.amount, payment_method=provider.type, payment_date=ctx.clock.today(),
                description=link.description,
                third_party_payment_status=LINK_PAYMENT_STATUS if provider.type in PROVIDER_METHODS else None,
            ),
        )
    elif link.customer_id is not None:
        accounts.create_customer_payment(
            ctx, customer_id=link.customer_id, amount=link.amount, payment_type=provider.type,
            description=link.description, reference=f"Payment link {link.id}",
        )
    else:  # create_payment_link refuses a link without a target; one restored from a snapshot may lack it
        raise InvalidRequest(f"Payment link {link.id} names nothing to pay", PAYMENT_LINK_TARGET)
    link.paid = True
    return link
