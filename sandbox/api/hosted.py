"""The hosted pages under /_sandbox/hosted: public HTML (no bearer token), the URL names the tenant.

Each page is found by what its URL carries: a payment link's token, a mandate flow's token or a payout id,
in the tenant named by the ``tenant`` query parameter (absent: the default tenant), and opens only with the
page's ``key`` (domain/hosted.py). A wrong key, an unknown tenant and an unknown record all get the same
404 page, checked in that order, so that nothing about other tenants can be probed. Refusals render as HTML
pages with the error's status, since the reader is a person in a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from connexion.lifecycle import ConnexionResponse

from elevate_sandbox.api.middleware import current_runtime
from elevate_sandbox.api.registry import operation
from elevate_sandbox.auth import DEFAULT_TENANT
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.enums import PaymentProviderStatus
from elevate_sandbox.domain.errors import NotFound, SandboxError
from elevate_sandbox.domain.hosted import (
    APPROVAL_PAGE,
    KEY_PARAM,
    MANDATE_PAGE,
    PAY_PAGE,
    TENANT_PARAM,
    page_key_matches,
)
from elevate_sandbox.domain.mandates import FLOW_OPEN_STATUSES
from elevate_sandbox.domain.models import PaymentLink, PaymentProvider, SitePaymentMandate
from elevate_sandbox.domain.outbound import PENDING_APPROVAL
from elevate_sandbox.web import hosted as pages
from elevate_sandbox.web.html import Html, render
from elevate_sandbox.web.layout import error_page

HTML = "text/html"
TITLES = {400: "Request refused", 404: "Page not found", 503: "Provider unavailable"}
NO_SUCH_PAGE = "There is no such page: the link may be mistyped, or belong to a sandbox that was reset."


def html(body: Html, status: int = 200) -> ConnexionResponse:
    """An HTML page as a response."""
    return ConnexionResponse(
        status_code=status, body=body.encode(), mimetype=HTML, content_type=f"{HTML}; charset=utf-8"
    )


def redirect(url: str) -> ConnexionResponse:
    """303 See Other to ``url``: the browser follows it with a GET."""
    body = render('<!doctype html><title>Redirecting</title><p>Continue to <a href="{url}">{url}</a>.</p>', url=url)
    response = html(body, 303)
    response.headers["Location"] = url
    return response


@dataclass(frozen=True, slots=True)
class Visit:
    """What a hosted page's URL carried: the record it shows, the tenant and the page's key."""

    record: Any
    tenant: str | None
    key: str | None

    @property
    def here(self) -> str:
        """A URL reference from the page to itself, relative so that it works behind any public URL prefix."""
        reference = quote(str(self.record), safe="")
        params = {**({TENANT_PARAM: self.tenant} if self.tenant else {}), **({KEY_PARAM: self.key} if self.key else {})}
        return f"{reference}?{urlencode(params)}" if params else reference


PageHandler = Callable[[Backend, Visit, Mapping[str, Any]], ConnexionResponse]


def hosted_page(operation_id: str, page: str, record_param: str) -> Callable[[PageHandler], PageHandler]:
    """Register a hosted page's handler for ``operation_id``; its record is the path parameter ``record_param``.

    The handler is called with the tenant's backend (under its lock, once the page's key checks out), the
    visit and the submitted form (empty on a GET). The sandbox's refusals (unknown link, already paid, ...)
    are rendered as HTML pages for a person to read.
    """

    def register(handler: PageHandler) -> PageHandler:
        async def endpoint(
            tenant: str | None = None, key: str | None = None, body: dict[str, Any] | None = None, **params: Any
        ) -> ConnexionResponse:
            visit = Visit(params[record_param], tenant, key)
            try:
                with page_backend(page, visit.record, tenant, key) as b:
                    return handler(b, visit, body or {})
            except SandboxError as error:
                return html(error_page(TITLES.get(error.status, "Request refused"), error.message), error.status)

        endpoint.__name__ = endpoint.__qualname__ = handler.__name__  # what logs and tracebacks show
        operation(operation_id)(endpoint)
        return handler

    return register


@contextmanager
def page_backend(page: str, record: str | int, tenant: str | None, key: str | None) -> Iterator[Backend]:
    """The backend of the tenant a hosted page belongs to, under its lock, once the page's key checks out.

    Pages never create tenants. Every way of not finding the page is the same 404, whatever it was.
    """
    runtime = current_runtime()
    if not page_key_matches(runtime.settings.hosted_page_secret, tenant, page, record, key):
        raise NotFound(NO_SUCH_PAGE)
    found = runtime.store.find(tenant or DEFAULT_TENANT)
    if found is None:
        raise NotFound(NO_SUCH_PAGE)
    with found.lock:
        try:
            yield found.backend
        except NotFound:
            raise NotFound(NO_SUCH_PAGE) from None


def _provider_for(b: Backend, flow: SitePaymentMandate, contract_owner_id: int) -> PaymentProvider | None:
    """The provider that runs the mandate: an active one of its method serving the owner, else any such."""
    candidates = [
        p
        for p in b.state.payment_providers.values()
        if p.type is flow.payment_method and contract_owner_id in p.contract_owner_ids
    ]
    active = [p for p in candidates if p.status is PaymentProviderStatus.ACTIVE]
    return (active or candidates)[0] if active or candidates else None


def payment_view(b: Backend, link: PaymentLink) -> pages.PaymentView:
    invoice_id = link.invoice_id if link.invoice_id is not None else link.adhoc_invoice_id
    invoice = b.get_invoice(invoice_id) if invoice_id is not None else None
    customer_id = invoice.customer_id if invoice else link.customer_id
    # A link is made for an invoice or for a customer (links.py refuses one with neither).
    assert customer_id is not None
    customer = b.get_customer(customer_id)
    return pages.PaymentView(link, b.get_payment_provider(link.payment_provider_id), customer, invoice)


def mandate_view(b: Backend, flow_token: str) -> pages.MandateView:
    flow = b.get_mandate_flow(flow_token)
    mandate = b.get_provider_mandate(
        payment_method=flow.payment_method,
        mandate_reference=flow.mandate_reference,
        third_party_customer_reference=flow.third_party_customer_reference,
    )
    site = b.get_site(flow.site_id)
    customer = b.get_customer(site.customer_id)
    provider = _provider_for(b, flow, customer.contract_owner_id)
    return pages.MandateView(flow, mandate, site, customer, provider, mandate.status in FLOW_OPEN_STATUSES)


def approval_view(b: Backend, payment_id: int) -> pages.ApprovalView:
    payment = b.get_outbound_payment(payment_id)
    return pages.ApprovalView(payment, b.get_customer(payment.customer_id), payment.status is PENDING_APPROVAL)


@hosted_page("getHostedPaymentPage", PAY_PAGE, "token")
def get_hosted_payment_page(b: Backend, visit: Visit, _form: Mapping[str, Any]) -> ConnexionResponse:
    return html(pages.payment_page(payment_view(b, b.get_payment_link(visit.record)), visit.here))


@hosted_page("submitHostedPayment", PAY_PAGE, "token")
def submit_hosted_payment(b: Backend, visit: Visit, form: Mapping[str, Any]) -> ConnexionResponse:
    link = b.get_payment_link(visit.record)
    if form["action"] == pages.DECLINE:
        return html(pages.payment_declined(payment_view(b, link), visit.here))
    b.pay_payment_link(visit.record)
    return html(pages.payment_paid(payment_view(b, link)))


@hosted_page("getHostedMandatePage", MANDATE_PAGE, "flow_token")
def get_hosted_mandate_page(b: Backend, visit: Visit, _form: Mapping[str, Any]) -> ConnexionResponse:
    return html(pages.mandate_page(mandate_view(b, visit.record), visit.here))


@hosted_page("submitHostedMandate", MANDATE_PAGE, "flow_token")
def submit_hosted_mandate(b: Backend, visit: Visit, form: Mapping[str, Any]) -> ConnexionResponse:
    flow = b.get_mandate_flow(visit.record)
    if form["action"] == pages.PROVIDER_DOWN:
        # A simulated outage: the customer leaves through exitURL and the mandate stays as it was.
        if flow.exit_url:
            return redirect(flow.exit_url)
        message = "The provider is not responding (simulated). Nothing was set up; try again later."
        return html(error_page("Provider unavailable", message), 503)
    b.complete_mandate_flow(visit.record)
    return redirect(flow.return_url)


@hosted_page("getHostedOutboundApproval", APPROVAL_PAGE, "outbound_payment_id")
def get_hosted_outbound_approval(b: Backend, visit: Visit, _form: Mapping[str, Any]) -> ConnexionResponse:
    return html(pages.approval_page(approval_view(b, visit.record), visit.here))


@hosted_page("submitHostedOutboundApproval", APPROVAL_PAGE, "outbound_payment_id")
def submit_hosted_outbound_approval(b: Backend, visit: Visit, form: Mapping[str, Any]) -> ConnexionResponse:
    approve = form["action"] == pages.APPROVE
    b.decide_outbound_approval(visit.record, approve=approve)
    return html(pages.approval_decided(approval_view(b, visit.record), approve))
