"""The hosted pages over HTTP, as an end customer's browser uses them: public HTML, form posts, redirects."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Api
from tests.hosted_world import EXIT_URL, RETURN_URL, Shop, open_shop, path_of

HTML = "text/html; charset=utf-8"


@pytest.fixture
def shop(api: Api) -> Shop:
    return open_shop(api, name="Harrow & Finch <Ltd>")


def page(api: Api, url: str, action: str | None = None) -> Any:
    """GET a hosted page (no token), or POST its form with ``action``."""
    if action is None:
        return api.http.get(path_of(url))
    return api.http.post(path_of(url), data={"action": action}, follow_redirects=False)


def text_of(response: Any) -> str:
    """The visible text of a page, roughly: tags dropped, whitespace folded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<style>.*?</style>|<[^>]+>", " ", response.text, flags=re.S)))


# --- payment links -------------------------------------------------------------------------------------


def test_a_payment_link_opens_a_page_showing_what_is_paid(shop: Shop) -> None:
    invoice, link = shop.linked_invoice(120.50, "Rock & Roll 'October'")
    response = page(shop.api, link["paymentLink"])
    assert (response.status_code, response.headers["content-type"]) == (200, HTML)
    shown = text_of(response)
    for expected in ("Pay GoCardless (sandbox)", "£120.50", invoice["invoiceNumber"], "Harrow & Finch <Ltd>"):
        assert expected in shown, expected
    assert "<Ltd>" not in response.text and "Harrow &amp; Finch &lt;Ltd&gt;" in response.text
    assert "Rock &amp; Roll &#x27;October&#x27;" in response.text
    assert 'value="pay"' in response.text and 'value="decline"' in response.text


def test_when_the_customer_declines_then_nothing_is_recorded(shop: Shop) -> None:
    invoice, link = shop.linked_invoice(80)
    response = page(shop.api, link["paymentLink"], "decline")
    assert response.status_code == 200 and "nothing was paid" in response.text
    state = shop.invoice_state(invoice)
    assert (state["paymentStatus"], shop.balance()) == ("UNPAID", -80)


def test_when_the_customer_pays_then_the_invoice_is_paid_once(shop: Shop) -> None:
    invoice, link = shop.linked_invoice(120.50)
    paid = page(shop.api, link["paymentLink"], "pay")
    assert paid.status_code == 200 and "Payment received: £120.50 was paid to GoCardless (sandbox)" in paid.text
    state = shop.invoice_state(invoice)
    assert (state["paymentStatus"], state["outstandingAmountInMajorCurrency"], shop.balance()) == ("PAID", 0, 0)
    [payment] = shop.api.ok(shop.api.get("/v1/invoice-payments", page=1, pageSize=10, invoiceId=invoice["id"]))
    assert (payment["paymentMethod"], payment["thirdPartyPaymentStatus"]) == ("GO_CARDLESS", "CONFIRMED")
    again = page(shop.api, link["paymentLink"], "pay")
    assert (again.status_code, again.headers["content-type"]) == (409, HTML)
    assert "already been paid" in again.text
    assert "already been paid" in page(shop.api, link["paymentLink"]).text


def test_a_customer_link_pays_toward_the_balance(shop: Shop) -> None:
    body = {
        "paymentProviderId": shop.provider["id"],
        "amountInMajorCurrency": 30,
        "description": "Top up",
        "customerId": shop.customer["id"],
    }
    link = shop.api.ok(shop.api.post("/v1/payment-provider-payment-link", body), 201)
    assert "Account balance" in text_of(page(shop.api, link["paymentLink"]))
    assert page(shop.api, link["paymentLink"], "pay").status_code == 200
    assert shop.balance() == 30


def test_unknown_links_and_tenants_are_404_pages_and_create_nothing(shop: Shop, app: Any) -> None:
    link = shop.link(shop.invoice(10))
    unknown_token = re.sub(r"/pay/[0-9a-f]+", "/pay/" + "0" * 32, link["paymentLink"])
    unknown_tenant = link["paymentLink"].replace("tenant=", "tenant=nobody-")
    for url in (unknown_token, unknown_tenant):
        response = page(shop.api, url)
        assert (response.status_code, response.headers["content-type"]) == (404, HTML), url
        assert page(shop.api, url, "pay").status_code == 404
    assert not [name for name in app.runtime.store.tenant_names() if name.startswith("nobody-")]


def test_two_tenants_with_the_same_seed_issue_the_same_token_yet_each_url_pays_its_own(
    http: Any, token_for: Callable[[str], str], tenant: str
) -> None:
    shops = [open_shop(Api(http, token_for(f"{tenant}-{side}"))) for side in ("a", "b")]
    links = [s.link(s.invoice(50)) for s in shops]
    assert links[0]["paymentLink"].split("?")[0] == links[1]["paymentLink"].split("?")[0]
    assert page(shops[0].api, links[0]["paymentLink"], "pay").status_code == 200
    assert [s.balance() for s in shops] == [0, -50]


def test_a_bad_form_action_is_refused(shop: Shop) -> None:
    link = shop.link(shop.invoice(10))
    assert page(shop.api, link["paymentLink"], "refund").status_code == 400
    assert shop.balance() == -10


# --- mandates ------------------------------------------------------------------------------------------


def test_the_mandate_page_shows_the_flow_and_completing_it_returns_to_the_integrator(shop: Shop) -> None:
    mandate = shop.mandate()
    shown = text_of(page(shop.api, mandate["redirectURL"]))
    for expected in ("Set up Direct Debit", "Simulate provider down", mandate["mandateReference"], "Head office"):
        assert expected in shown, expected
    done = page(shop.api, mandate["redirectURL"], "complete")
    assert (done.status_code, done.headers["location"]) == (303, RETURN_URL)
    assert shop.mandate_status(mandate) == "PENDING_SUBMISSION"
    site = shop.api.ok(shop.api.get(f"/_sandbox/sites/{mandate['siteId']}"))
    assert site["mandateStatus"] == "PENDING_SUBMISSION"
    again = page(shop.api, mandate["redirectURL"], "complete")
    assert (again.status_code, again.headers["content-type"]) == (409, HTML)
    assert "has been set up" in page(shop.api, mandate["redirectURL"]).text


def test_when_the_provider_is_down_then_the_customer_leaves_by_the_exit_url_and_nothing_changes(shop: Shop) -> None:
    with_exit, without_exit = shop.mandate(exit_url=EXIT_URL), shop.mandate()
    down = page(shop.api, with_exit["redirectURL"], "provider-down")
    assert (down.status_code, down.headers["location"]) == (303, EXIT_URL)
    no_exit = page(shop.api, without_exit["redirectURL"], "provider-down")
    assert (no_exit.status_code, no_exit.headers["content-type"]) == (503, HTML)
    assert [shop.mandate_status(m) for m in (with_exit, without_exit)] == ["NEW", "NEW"]


# --- payout approvals ---------------------------------------------------------------------------------


@pytest.fixture
def rich_shop(shop: Shop) -> Shop:
    body = {"customerId": shop.customer["id"], "amountInMajorCurrency": 20000}
    shop.api.ok(shop.api.post("/v1/customer-balance-adjustments", body))
    return shop


@pytest.mark.parametrize(("action", "status"), [("approve", "SCHEDULED"), ("reject", "CANCELLED")])
def test_the_approval_page_approves_or_rejects_a_payout(rich_shop: Shop, action: str, status: str) -> None:
    refused = rich_shop.payout_needing_approval(12000)
    url = refused["authorisationUrl"]
    shown = text_of(page(rich_shop.api, url))
    assert "£12,000.00" in shown and "BIG-PAYOUT" in shown and "PENDING_APPROVAL" in shown
    decided = page(rich_shop.api, url, action)
    assert decided.status_code == 200 and status in decided.text
    payout_id = int(re.search(r"/outbound-approvals/(\d+)", url).group(1))  # type: ignore[union-attr]
    assert (
        rich_shop.api.ok(rich_shop.api.get(f"/v1/outbound-payments/{payout_id}"))["thirdPartyOutboundPaymentStatus"]
        == status
    )
    assert page(rich_shop.api, url, "approve").status_code == 409
    assert "nothing to approve" in page(rich_shop.api, url).text


# --- dashboard and overview -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_sandbox/", "/_sandbox/dashboard"])
def test_the_dashboard_is_one_self_contained_page(http: Any, path: str) -> None:
    response = http.get(path)
    assert (response.status_code, response.headers["content-type"]) == (200, HTML)
    assert "<script>" in response.text and "<style>" in response.text
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(?!data:)", response.text), "no external assets"


def test_the_overview_needs_a_token_and_lists_the_newest_records_first(http: Any, shop: Shop) -> None:
    assert http.get("/_sandbox/overview").status_code == 401
    first, second = shop.invoice(10), shop.invoice(20)
    shop.link(second)
    overview = shop.api.ok(shop.api.get("/_sandbox/overview", limit=1))
    assert overview["counts"]["invoices"] == 2 and overview["limit"] == 1
    assert [i["id"] for i in overview["invoices"]] == [second["id"]]
    assert overview["invoices"][0]["customerName"] == "Harrow & Finch <Ltd>"
    assert overview["totals"] == {"owed": 30, "credit": 0, "outstanding": 30}
    [link] = overview["paymentLinks"]
    assert (link["paid"], link["customerId"]) == (False, shop.customer["id"])
    assert link["paymentLink"].endswith(f"/pay/{link['token']}?tenant={overview['tenant']}&key={link['pageKey']}")
    assert first["id"] not in [i["id"] for i in overview["invoices"]]
