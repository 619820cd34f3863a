"""The demo dashboard in headless Chromium: it shows a tenant's records and its buttons change them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from elevate_sandbox.live import LiveSandbox
from tests.conftest import Api
from tests.hosted_world import Shop, open_shop, path_of

pytestmark = pytest.mark.browser
Wait = Callable[[Callable[[Any], Any]], Any]


def css(browser: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, selector)


def shows(selector: str, text: str) -> Callable[[Any], bool]:
    """The element at ``selector`` exists and its text contains ``text``."""

    return lambda browser: text in css(browser, selector).text


def token_of(api: Api) -> str:
    return api.headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def shop(live_api: Api) -> Shop:
    return open_shop(live_api)


@pytest.fixture
def dashboard(browser: Any, wait: Wait, live: LiveSandbox, shop: Shop) -> Callable[[], None]:
    """Open the dashboard with the shop's token in the address, as a demo link would."""

    def open_it() -> None:
        browser.get(f"{live.base_url}/_sandbox/?token={token_of(shop.api)}")
        wait(shows("#customers", shop.customer["name"]))

    return open_it


def test_the_dashboard_shows_the_tenants_records_and_follows_what_happens(
    browser: Any, wait: Wait, shop: Shop, dashboard: Callable[[], None]
) -> None:
    # Given an invoice with a payment link, the dashboard shows both, for this tenant
    invoice, link = shop.linked_invoice(120.50)
    dashboard()
    assert "token=" not in browser.current_url, "the token is kept, not left in the address bar"
    tenant = shop.api.ok(shop.api.get("/_sandbox/overview", limit=1))["tenant"]
    assert css(browser, "#tenant").text == tenant
    assert invoice["invoiceNumber"] in css(browser, "#invoices").text
    assert css(browser, f'#invoices tr[data-id="{invoice["id"]}"] .badge').get_attribute("data-status") == "UNPAID"
    assert "£120.50" in css(browser, "#paymentLinks").text
    # When the customer pays through the link elsewhere and the dashboard is refreshed
    assert shop.api.http.post(path_of(link["paymentLink"]), data={"action": "pay"}).status_code == 200
    css(browser, "#refresh").click()
    wait(lambda b: css(b, f'#invoices tr[data-id="{invoice["id"]}"] .badge').get_attribute("data-status") == "PAID")
    assert "PAID" in css(browser, "#paymentLinks").text
    # When the tenant is reset, its records are gone from the dashboard and from the API
    css(browser, "#reset").click()
    wait(shows("#toast", f"Tenant {tenant} reset"))
    wait(shows("#invoices", "Nothing yet."))
    assert shop.api.get(f"/_sandbox/invoices/{invoice['id']}").status_code == 404


def test_a_new_token_is_minted_and_kept_by_the_dashboard(browser: Any, wait: Wait, live: LiveSandbox) -> None:
    # Given a browser with no token kept
    browser.get(f"{live.base_url}/_sandbox/dashboard")
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    wait(lambda b: css(b, "#token-panel").is_displayed())
    # When a token is made for a new tenant
    css(browser, "#tenant-input").send_keys("e2e-dashboard-minted")
    css(browser, "#new-token").click()
    # Then the dashboard shows that tenant, and keeps the token for the next visit
    wait(shows("#tenant", "e2e-dashboard-minted"))
    assert browser.execute_script("return localStorage.getItem('elevate-sandbox-token')")
    browser.refresh()
    wait(shows("#tenant", "e2e-dashboard-minted"))
    assert not css(browser, "#token-panel").is_displayed()


def _needs(shop: Shop, path: str) -> None:
    if shop.api.get(path).status_code == 404:
        pytest.skip(f"this sandbox has no {path} yet")


def test_a_simulator_button_fails_a_direct_debit(
    browser: Any, wait: Wait, shop: Shop, dashboard: Callable[[], None]
) -> None:
    _needs(shop, "/_sandbox/simulations")
    # Given a submitted GoCardless payment
    invoice = shop.invoice(75)
    body = {
        "generatedInvoiceId": invoice["id"],
        "amountInMajorCurrency": 75,
        "description": "Direct debit",
        "paymentMethod": "GO_CARDLESS",
    }
    payment = shop.api.ok(shop.api.post("/v1/invoice-payments", body), 201)
    dashboard()
    row = f'#payments tr[data-id="{payment["id"]}"]'
    wait(shows(row, "SUBMITTED"))
    # When its "failed" simulator is clicked
    css(browser, f"{row} button[data-scenario=payment_failed]").click()
    # Then the dashboard and the API show the payment failed
    wait(lambda b: css(b, f"{row} .badge").get_attribute("data-status") == "FAILED")
    assert "payment_failed" in css(browser, "#toast").text
    read = shop.api.ok(shop.api.get(f"/v1/invoice-payments/{payment['id']}"))
    assert read["thirdPartyPaymentStatus"] == "FAILED"


def test_the_clock_buttons_advance_the_tenants_clock(
    browser: Any, wait: Wait, shop: Shop, dashboard: Callable[[], None]
) -> None:
    _needs(shop, "/_sandbox/clock")
    before = shop.api.ok(shop.api.get("/_sandbox/clock"))["now"]
    dashboard()
    wait(lambda b: css(b, "#clock-controls").is_displayed())
    css(browser, 'button[data-advance="P7D"]').click()
    wait(shows("#toast", "Clock advanced by 1 week"))
    after = shop.api.ok(shop.api.get("/_sandbox/clock"))["now"]
    assert after > before
    wait(shows("#now", after.replace("T", " ").replace("Z", " UTC")))
