"""The hosted pages an end customer or approver sees: pay a link, set up a Direct Debit, approve a payout."""

from __future__ import annotations

from dataclasses import dataclass

from elevate_sandbox.domain.models import (
    Customer,
    Invoice,
    OutboundPayment,
    PaymentLink,
    PaymentProvider,
    ProviderMandate,
    Site,
    SitePaymentMandate,
)
from elevate_sandbox.web.html import Html, button, details, form, join, pounds, render
from elevate_sandbox.web.layout import notice, page

PAY, DECLINE = "pay", "decline"
COMPLETE, PROVIDER_DOWN = "complete", "provider-down"
APPROVE, REJECT = "approve", "reject"


@dataclass(frozen=True, slots=True)
class PaymentView:
    """What a payment link pays: the amount, to whom (the provider), for whom and for which invoice."""

    link: PaymentLink
    provider: PaymentProvider
    customer: Customer
    invoice: Invoice | None


@dataclass(frozen=True, slots=True)
class MandateView:
    """A mandate-capture flow with the site, customer and provider it is for."""

    flow: SitePaymentMandate
    mandate: ProviderMandate
    site: Site
    customer: Customer
    provider: PaymentProvider | None
    open_flow: bool  # the customer may still set it up (else the page says it is done)


@dataclass(frozen=True, slots=True)
class ApprovalView:
    """A payout waiting for (or past) approval, with its customer."""

    payment: OutboundPayment
    customer: Customer
    waiting: bool  # the payout waits for approval (else there is nothing to decide)


def _payment_rows(view: PaymentView) -> Html:
    invoice = view.invoice
    what = (
        f"{'Adhoc invoice' if view.link.adhoc_invoice_id else 'Invoice'} {invoice.invoice_number}"
        if invoice
        else ("Account balance")
    )
    return details(
        [
            ("Payee", view.provider.name),
            ("For", what),
            ("Description", view.link.description),
            ("Customer", f"{view.customer.name} ({view.customer.account_number})"),
            ("Receipt to", view.link.email),
            ("Method", view.provider.type.value),
        ]
    )


def _payment_head(view: PaymentView) -> Html:
    return render(
        '<p class="eyebrow">Payment request</p><h1>Pay {payee}</h1><p class="amount">{amount}</p>',
        payee=view.provider.name,
        amount=pounds(view.link.amount),
    )


def payment_page(view: PaymentView, action_url: str) -> Html:
    """The link's page: what is paid, with Pay and Decline (or that it was paid already)."""
    if view.link.paid:
        body = join(
            [_payment_head(view), notice("ok", "This payment request has already been paid."), _payment_rows(view)]
        )
        return page(f"Paid: {view.provider.name}", body, status="paid")
    actions = form(
        action_url, [button(f"Pay {pounds(view.link.amount)}", PAY), button("Decline", DECLINE, "secondary")]
    )
    body = join(
        [
            _payment_head(view),
            _payment_rows(view),
            actions,
            render(
                '<p class="fine">Paying records a confirmed payment through {payee} at once.</p>',
                payee=view.provider.name,
            ),
        ]
    )
    return page(f"Pay {view.provider.name}", body, status="open")


def payment_paid(view: PaymentView) -> Html:
    """The confirmation after paying."""
    message = f"Payment received: {pounds(view.link.amount)} was paid to {view.provider.name}."
    return page(
        "Payment received", join([_payment_head(view), notice("ok", message), _payment_rows(view)]), status="paid"
    )


def payment_declined(view: PaymentView, page_url: str) -> Html:
    """Declining records nothing: the link stays open."""
    again = render('<p><a class="button secondary" href="{url}">Back to the payment</a></p>', url=page_url)
    body = join(
        [
            _payment_head(view),
            notice("warn", "You declined this payment: nothing was paid."),
            _payment_rows(view),
            again,
        ]
    )
    return page("Payment declined", body, status="declined")


def _mandate_rows(view: MandateView) -> Html:
    site = view.site
    address = ", ".join(part for part in (site.address_line1, site.city, site.postcode) if part)
    return details(
        [
            ("Customer", f"{view.customer.name} ({view.customer.account_number})"),
            ("Site", f"{site.name} ({site.reference})"),
            ("Address", address),
            ("Provider", view.provider.name if view.provider else view.flow.payment_method.value),
            ("Method", view.flow.payment_method.value),
            ("Mandate reference", view.flow.mandate_reference),
            ("Status", view.mandate.status.value),
        ]
    )


def mandate_page(view: MandateView, action_url: str) -> Html:
    """The flow's page: set up the Direct Debit, or simulate the provider being down."""
    payee = view.provider.name if view.provider else view.flow.payment_method.value
    head = render('<p class="eyebrow">Direct Debit mandate</p><h1>Set up a Direct Debit with {payee}</h1>', payee=payee)
    if not view.open_flow:
        done = notice("ok", f"This Direct Debit has been set up (the mandate is {view.mandate.status.value}).")
        back = render('<p><a class="button primary" href="{url}">Continue</a></p>', url=view.flow.return_url)
        return page("Direct Debit set up", join([head, done, _mandate_rows(view), back]), status="completed")
    actions = form(
        action_url, [button("Set up Direct Debit", COMPLETE), button("Simulate provider down", PROVIDER_DOWN, "danger")]
    )
    fine = render(
        '<p class="fine">Setting it up authorises the mandate and returns you to {url}.</p>', url=view.flow.return_url
    )
    return page(f"Direct Debit with {payee}", join([head, _mandate_rows(view), actions, fine]), status="open")


def _approval_rows(view: ApprovalView) -> Html:
    payment = view.payment
    return details(
        [
            ("Customer", f"{view.customer.name} ({view.customer.account_number})"),
            ("Reference", payment.reference),
            ("Description", payment.description),
            ("Execution date", payment.execution_date.isoformat() if payment.execution_date else "As soon as possible"),
            ("Uses credit balance", "Yes" if payment.use_customer_credit_balance else "No"),
            ("Status", payment.status.value),
        ]
    )


def _approval_head(view: ApprovalView) -> Html:
    return render(
        '<p class="eyebrow">Payout approval · GoCardless</p><h1>Payout to {customer}</h1>'
        '<p class="amount">{amount}</p>',
        customer=view.customer.name,
        amount=pounds(view.payment.amount),
    )


def approval_page(view: ApprovalView, action_url: str) -> Html:
    """The approver's page: Approve or Reject a payout that waits for approval."""
    if not view.waiting:
        message = f"This payout is {view.payment.status.value}: there is nothing to approve."
        return page(
            "Payout approval",
            join([_approval_head(view), notice("warn", message), _approval_rows(view)]),
            status=view.payment.status.value.lower(),
        )
    actions = form(action_url, [button("Approve payout", APPROVE), button("Reject", REJECT, "danger")])
    fine = Html('<p class="fine">This payout needs an approver at the provider.</p>')
    return page(
        "Approve payout", join([_approval_head(view), _approval_rows(view), actions, fine]), status="pending_approval"
    )


def approval_decided(view: ApprovalView, approved: bool) -> Html:
    """The result of the approver's decision."""
    status = view.payment.status.value
    message = f"Approved: the payout is {status}." if approved else f"Rejected: the payout is {status}."
    body = join([_approval_head(view), notice("ok" if approved else "warn", message), _approval_rows(view)])
    return page("Payout approved" if approved else "Payout rejected", body, status=status.lower())
