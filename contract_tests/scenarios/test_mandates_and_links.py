"""Site mandates and their lookup at the provider (rule 5), and payment links (rule 11)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from elevate_sandbox.contract_tests.client import Api
from elevate_sandbox.contract_tests.plugin import KitPlugin
from elevate_sandbox.contract_tests.scenarios.conftest import World, unique

MANDATES = "POST /site-payment-mandates"
LOOKUP = "GET /payment-provider-mandates/{paymentMethod}/{mandateReference}"
LINKS = "POST /payment-provider-payment-link"
# GoCardless mandates are accepted only in these states (rule 5).
GO_CARDLESS_ACCEPTED = {
    "CREATED",
    "PENDING_SUBMISSION",
    "SUBMITTED",
    "ACTIVE",
    "REINSTATED",
    "CUSTOMER_APPROVAL_GRANTED",
    "CUSTOMER_APPROVAL_SKIPPED",
}


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_a_site_mandate_is_started_and_listed_for_its_site(plugin: KitPlugin, api: Api, world: World) -> None:
    # Given a site of a customer whose contract owner collects through an ACTIVE GoCardless provider
    world.ensure_provider("GO_CARDLESS", owner=1)
    site = world.site(world.customer(owner=1)["id"])
    # When a mandate capture is started for the site
    sent = {"siteId": site["id"], "returnURL": f"https://portal.example.com/mandate/{unique('DONE')}"}
    created = api.ok(api.post("/site-payment-mandates", sent), 200, 201)
    # Then it answers the flow to send the customer to, and the site's mandates list it as created
    with plugin.verdict(MANDATES, "read_back_equal", api):
        assert created["siteId"] == site["id"] and created["returnURL"] == sent["returnURL"], created
        assert created.get("redirectURL") or created.get("flowToken"), f"no flow to follow in {created}"
        listed = api.ok(api.get("/site-payment-mandates", page=1, pageSize=100, siteId=site["id"]), 200)
        assert listed == [created], f"site {site['id']} lists {listed}, expected only {created}"


def _sites_with_mandates(world: World, limit: int = 40) -> list[dict[str, Any]]:
    sites = []
    for site_id in range(1, limit + 1):
        response = world.control.get(f"/sites/{site_id}")
        if response.status_code == 200 and response.json().get("mandateReference"):
            sites.append(response.json())
    return sites


@pytest.mark.sandbox_only
def test_a_sites_mandate_can_be_looked_up_at_its_provider(plugin: KitPlugin, api: Api, world: World) -> None:
    # Given a site of the seeded data that holds a mandate
    sites = _sites_with_mandates(world)
    if not sites:
        pytest.skip("the seeded data has no site with a mandate")
    site = sites[0]
    # When the mandate is looked up at its provider
    response = api.get(
        f"/payment-provider-mandates/{site['paymentMethod']}/{site['mandateReference']}",
        thirdPartyCustomerReference=None,
    )
    # Then the provider knows it, in the state the site shows
    with plugin.verdict(LOOKUP, "mandate_lookup", api):
        mandate = api.ok(response, 200)
        assert mandate["mandateReference"] == site["mandateReference"], mandate
        assert mandate["status"] == site["mandateStatus"], f"provider says {mandate['status']}, site {site}"


def _link(api: Api, provider_id: int, **target: int) -> httpx.Response:
    body = {
        "paymentProviderId": provider_id,
        "amountInMajorCurrency": 42.50,
        "description": unique("LINK"),
        "emailAddress": "accounts@example.com",
        **target,
    }
    return api.post("/payment-provider-payment-link", body)


@pytest.mark.sandbox_only
@pytest.mark.writes
def test_a_payment_link_pays_exactly_one_thing(plugin: KitPlugin, api: Api, world: World) -> None:
    # Given an active provider and a customer with an unpaid invoice
    provider = world.ensure_provider("GO_CARDLESS", owner=1)
    customer = world.customer(owner=1)
    invoice = world.invoice(customer["id"], 42.50, days_ago=2)
    with plugin.verdict(LINKS, "payment_link", api):
        # When a link is asked for the invoice, then it is created with a link to follow
        link = api.ok(_link(api, provider["id"], invoiceId=invoice["id"]), 200, 201)
        assert link["invoiceId"] == invoice["id"] and link["paymentLink"].startswith("http"), link
        # When a link names no target, then it is refused (several are accepted: the docs' sample sets three)
        response = _link(api, provider["id"])
        assert response.status_code in (400, 409), f"a link for nothing answered {response.status_code}"
