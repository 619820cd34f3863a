"""An end customer in headless Chromium: pays a link, sets up a Direct Debit, an approver approves a payout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Api
from tests.hosted_world import Shop, open_shop, path_of

pytestmark = pytest.mark.browser
Wait = Callable[[Callable[[Any], Any]], Any]


def click(browser: Any, selector: str) -> None:
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, selector).click()


def body_text(browser: Any) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.TAG_NAME, "body").text


def status_is(status: str) -> Callable[[Any], bool]:
    """The hosted page now shown says it is in ``status`` (its body's data-status)."""
    return lambda browser: browser.execute_script("return document.body.dataset.status") == status


@pytest.fixture
def shop(live_api: Api) -> Shop:
    return open_shop(live_api)


def test_an_invoice_is_declined_then_paid_through_its_payment_link(browser: Any, wait: Wait, shop: Shop) -> None:
    # Given an unpaid invoice of £120.50 and a payment link for it
    invoice, link = shop.linked_invoice(120.50, "October services")
    # When the customer opens the link, the page shows what is paid and to whom
    browser.get(link["paymentLink"])
    assert browser.title == "Pay GoCardless (sandbox)"
    shown = body_text(browser)
    assert "£120.50" in shown and invoice["invoiceNumber"] in shown and "October services" in shown
    # When they decline, nothing is recorded and they can come back to the link
    click(browser, "button[value=decline]")
    wait(status_is("declined"))
    assert shop.invoice_state(invoice)["paymentStatus"] == "UNPAID"
    click(browser, "a.button")
    wait(status_is("open"))
    # When they pay, the invoice is paid and the balance has moved
    click(browser, "button[value=pay]")
    wait(status_is("paid"))
    assert "Payment received: £120.50" in body_text(browser)
    state = shop.invoice_state(invoice)
    assert (state["paymentStatus"], state["outstandingAmountInMajorCurrency"], shop.balance()) == ("PAID", 0, 0)
    # And the link now says it was paid
    browser.get(link["paymentLink"])
    assert status_is("paid")(browser) and "already been paid" in body_text(browser)


def test_a_second_pay_says_the_link_was_already_paid(browser: Any, wait: Wait, shop: Shop) -> None:
    # Given the link open in the browser, and paid meanwhile in another tab
    _, link = shop.linked_invoice(45)
    browser.get(link["paymentLink"])
    assert shop.api.http.post(path_of(link["paymentLink"]), data={"action": "pay"}).status_code == 200
    # When Pay is clicked again, the page says it was already paid and nothing more is recorded
    click(browser, "button[value=pay]")
    wait(status_is("error"))
    assert "already been paid" in body_text(browser)
    assert shop.balance() == 0


def test_a_mandate_flow_is_completed_and_returns_to_the_return_url(
    browser: Any, wait: Wait, shop: Shop, integrator: Any
) -> None:
    from selenium.webdriver.support import expected_conditions as ec

    # Given a site mandate whose flow returns to the integrator's page
    mandate = shop.mandate(
        return_url=f"{integrator.url}/mandates/done?site=1", exit_url=f"{integrator.url}/mandates/exit"
    )
    browser.get(mandate["redirectURL"])
    assert mandate["mandateReference"] in body_text(browser)
    # When the customer sets up the Direct Debit
    click(browser, "button[value=complete]")
    # Then the browser lands on the returnURL and the mandate waits for submission
    wait(ec.url_to_be(f"{integrator.url}/mandates/done?site=1"))
    assert "Back at the integrator" in body_text(browser)
    assert "/mandates/done?site=1" in integrator.visits
    assert shop.mandate_status(mandate) == "PENDING_SUBMISSION"


def test_when_the_provider_is_down_the_customer_leaves_by_the_exit_url(
    browser: Any, wait: Wait, shop: Shop, integrator: Any
) -> None:
    from selenium.webdriver.support import expected_conditions as ec

    mandate = shop.mandate(return_url=f"{integrator.url}/mandates/done", exit_url=f"{integrator.url}/mandates/exit")
    browser.get(mandate["redirectURL"])
    click(browser, "button[value=provider-down]")
    wait(ec.url_to_be(f"{integrator.url}/mandates/exit"))
    assert shop.mandate_status(mandate) == "NEW"


def test_a_large_payout_is_approved_on_its_authorisation_page(browser: Any, wait: Wait, shop: Shop) -> None:
    # Given a payout of £12,000.00, answered 403 with an authorisationUrl
    shop.api.ok(
        shop.api.post(
            "/v1/customer-balance-adjustments", {"customerId": shop.customer["id"], "amountInMajorCurrency": 15000}
        )
    )
    refused = shop.payout_needing_approval(12000)
    # When the approver opens the page and approves
    browser.get(refused["authorisationUrl"])
    assert "£12,000.00" in body_text(browser)
    click(browser, "button[value=approve]")
    wait(status_is("scheduled"))
    # Then the payout is scheduled
    payout_id = refused["authorisationUrl"].split("?")[0].rsplit("/", 1)[1]
    payout = shop.api.ok(shop.api.get(f"/v1/outbound-payments/{payout_id}"))
    assert payout["thirdPartyOutboundPaymentStatus"] == "SCHEDULED"
