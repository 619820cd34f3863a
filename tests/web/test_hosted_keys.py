"""Hosted pages carry unguessable keys (issue 15, failure 7): derived from the secret, the tenant and the record.

Before, payout approval pages were reached by sequential id alone, two tenants with the same seed issued the
same payment-link URL path with nothing else to tell them apart, and unknown tenants answered differently
from unknown pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from elevate_sandbox.domain.hosted import APPROVAL_PAGE, PAY_PAGE, page_key
from elevate_sandbox.settings import Settings
from tests.conftest import Api
from tests.hosted_world import Shop, open_shop, path_of


def _page(api: Api, path: str, action: str | None = None) -> Any:
    if action is None:
        return api.http.get(path)
    return api.http.post(path, data={"action": action}, follow_redirects=False)


def _without_key(url: str) -> str:
    return re.sub(r"[&?]key=[0-9a-f]+", "", path_of(url))


def _key(url: str) -> str:
    return parse_qs(urlsplit(url).query)["key"][0]


@pytest.fixture
def rich_shop(api: Api) -> Shop:
    shop = open_shop(api)
    shop.api.ok(
        shop.api.post(
            "/v1/customer-balance-adjustments", {"customerId": shop.customer["id"], "amountInMajorCurrency": 50000}
        )
    )
    return shop


def _status(shop: Shop, payout_id: int) -> str:
    return shop.api.ok(shop.api.get(f"/v1/outbound-payments/{payout_id}"))["thirdPartyOutboundPaymentStatus"]


def test_an_approval_page_needs_its_key_and_ids_cannot_be_walked(rich_shop: Shop) -> None:
    urls = [rich_shop.payout_needing_approval(12000)["authorisationUrl"] for _ in range(3)]
    ids = [int(re.search(r"/outbound-approvals/(\d+)", url).group(1)) for url in urls]  # type: ignore[union-attr]
    tenant = parse_qs(urlsplit(urls[0]).query)["tenant"][0]
    for payout_id in range(1, max(ids) + 3):
        bare = f"/_sandbox/hosted/outbound-approvals/{payout_id}?tenant={tenant}"
        borrowed = f"{bare}&key={_key(urls[0])}" if payout_id != ids[0] else f"{bare}&key={'0' * 32}"
        for path in (bare, borrowed):
            assert _page(rich_shop.api, path).status_code == 404, path
            assert _page(rich_shop.api, path, "approve").status_code == 404, path
    assert [_status(rich_shop, payout_id) for payout_id in ids] == ["PENDING_APPROVAL"] * 3
    assert _page(rich_shop.api, path_of(urls[1]), "approve").status_code == 200
    assert _status(rich_shop, ids[1]) == "SCHEDULED"


def test_same_seed_tenants_share_link_paths_but_not_keys(
    http: Any, token_for: Callable[[str], str], tenant: str
) -> None:
    shops = [open_shop(Api(http, token_for(f"{tenant}-{side}"))) for side in ("a", "b")]
    links = [shop.link(shop.invoice(50))["paymentLink"] for shop in shops]
    assert urlsplit(links[0]).path == urlsplit(links[1]).path
    assert _key(links[0]) != _key(links[1])
    # Tenant a's key, with tenant b named: b's link of the same token is not reachable.
    crossed = path_of(links[0]).replace(f"tenant={tenant}-a", f"tenant={tenant}-b")
    assert _page(shops[0].api, crossed).status_code == 404
    assert _page(shops[0].api, crossed, "pay").status_code == 404
    assert [shop.balance() for shop in shops] == [-50, -50]


def test_unknown_tenant_unknown_page_and_wrong_key_answer_the_same(api: Api) -> None:
    shop = open_shop(api)
    link = shop.link(shop.invoice(10))["paymentLink"]
    token = urlsplit(link).path.rsplit("/", 1)[1]
    tenant = parse_qs(urlsplit(link).query)["tenant"][0]
    probes = [
        _without_key(link),
        path_of(link).replace(_key(link), "f" * 32),
        f"/_sandbox/hosted/pay/{token}?tenant=nobody-{tenant}&key={_key(link)}",
        f"/_sandbox/hosted/pay/{'0' * 32}?tenant={tenant}&key={_key(link)}",
        f"/_sandbox/hosted/pay/{token}?key={_key(link)}",
        path_of(link).replace(_key(link), "%C3%A9" * 16),  # non-ASCII: once a 500 from compare_digest
    ]
    answers = {(r.status_code, r.text) for r in (_page(api, probe) for probe in probes)}
    assert len(answers) == 1
    [(status, _)] = answers
    assert status == 404
    assert _page(api, path_of(link)).status_code == 200


def test_keys_come_from_the_secret_the_tenant_and_the_record() -> None:
    one, other = Settings(jwt_secret="one-secret").hosted_page_secret, Settings(jwt_secret="other").hosted_page_secret
    assert page_key(one, "t", PAY_PAGE, "abc") != page_key(other, "t", PAY_PAGE, "abc")
    assert page_key(one, "t", PAY_PAGE, "abc") != page_key(one, "u", PAY_PAGE, "abc")
    assert page_key(one, "t", APPROVAL_PAGE, 1) != page_key(one, "t", APPROVAL_PAGE, 2)
    assert page_key(one, None, PAY_PAGE, "abc") == page_key(one, "default", PAY_PAGE, "abc")
    assert one != b"one-secret" and len(page_key(one, "t", PAY_PAGE, "abc")) == 32
