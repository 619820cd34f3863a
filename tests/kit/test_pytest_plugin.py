"""The pytest plugin, used exactly as an integrator would: a test file in another directory, run by pytest.

The plugin is found through the installed package's `pytest11` entry point (no conftest, no import of
this project's tests), in a fresh pytest process whose working directory is outside the repository.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

INTEGRATOR_TESTS = """
from datetime import timedelta

import httpx
import pytest

from elevate_sandbox.pytest_plugin import ElevateSandbox, SandboxControlError, SandboxControlMissing

PROVIDER = {"type": "GO_CARDLESS", "name": "Integrator provider", "status": "ACTIVE", "contractOwnerIds": [1]}


def _names(api):
    response = api.get("/payment-providers", params={"page": 1, "pageSize": 100})
    assert response.status_code == 200, response.text
    return [provider["name"] for provider in response.json()]


def test_the_api_answers_with_this_tests_token(elevate_sandbox):
    assert elevate_sandbox.base_url.startswith("http://127.0.0.1:")
    with elevate_sandbox.client() as api:
        assert api.post("/payment-providers", json=PROVIDER).status_code == 201
        assert _names(api) == ["Integrator provider"]


def test_each_test_has_a_tenant_of_its_own(elevate_sandbox):
    with elevate_sandbox.client() as api:
        assert _names(api) == []


def test_reset_starts_the_tenant_again(elevate_sandbox):
    with elevate_sandbox.client() as api:
        api.post("/payment-providers", json=PROVIDER)
        assert elevate_sandbox.reset() == {"tenant": elevate_sandbox.tenant, "seed": 0, "dataset": "empty"}
        assert _names(api) == []


def test_advance_clock_moves_this_tenants_clock(elevate_sandbox):
    moved = elevate_sandbox.advance_clock("P1D")
    assert moved["now"] == "2026-11-26T09:00:00Z"  # the session froze time at 2026-11-25T09:00:00Z
    assert elevate_sandbox.advance_clock(timedelta(hours=2))["now"] == "2026-11-26T11:00:00Z"
    assert elevate_sandbox.advance_clock(60.0)["now"] == "2026-11-26T11:01:00Z"
    with pytest.raises(ValueError, match="whole seconds"):
        elevate_sandbox.advance_clock(0.5)


def _control(elevate_sandbox, path, body):
    response = httpx.post(f"{elevate_sandbox.base_url}/_sandbox{path}", json=body, headers=elevate_sandbox.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_simulate_fails_a_direct_debit_and_refuses_what_does_not_apply(elevate_sandbox):
    customer = _control(elevate_sandbox, "/customers", {"name": "Harrow & Finch Ltd"})
    invoice = _control(
        elevate_sandbox, "/invoices", {"customerId": customer, "billRunType": "NORMAL", "amountInMajorCurrency": 89.99}
    )
    with elevate_sandbox.client() as api:
        created = api.post("/invoice-payments", json={
            "generatedInvoiceId": invoice, "amountInMajorCurrency": 89.99, "description": "DD collection",
            "paymentMethod": "GO_CARDLESS",
        })
        assert created.status_code == 201, created.text
        payment = created.json()["id"]
        elevate_sandbox.simulate("payment_failed", payment, billRunType="NORMAL")
        assert api.get(f"/invoice-payments/{payment}").json()["thirdPartyPaymentStatus"] == "FAILED"
    with pytest.raises(SandboxControlError) as refused:
        elevate_sandbox.simulate("payment_failed", payment, billRunType="NORMAL")  # already failed
    assert refused.value.status_code == 400


def test_business_data_helpers_read_as_business_steps(elevate_sandbox):
    # Given a customer with a 500.00 threshold, a site and an invoice of 100.00
    customer = elevate_sandbox.create_customer("Harrow & Finch Ltd", credit_threshold=500)
    site = elevate_sandbox.create_site(customer, name="Harrow & Finch HQ")
    invoice = elevate_sandbox.create_invoice(customer, "100.00", invoice_date="2026-11-01")
    assert site["customerId"] == customer["id"] and site["siteName"] == "Harrow & Finch HQ"
    assert (invoice["customerId"], invoice["invoiceDate"]) == (customer["id"], "2026-11-01")
    assert invoice["paymentStatus"] == "UNPAID"
    assert elevate_sandbox.customer(customer)["balance"] == -100
    # When 60.00 of it is paid through the Elevate API
    with elevate_sandbox.client() as api:
        paid = api.post("/invoice-payments", json={"generatedInvoiceId": invoice["id"], "amountInMajorCurrency": 60,
                                                   "description": "part", "paymentMethod": "BACS"})
        assert paid.status_code == 201, paid.text
    # Then the invoice is partly paid and 40.00 is still owed
    now = elevate_sandbox.invoice(invoice)
    assert (now["paymentStatus"], now["outstandingAmountInMajorCurrency"]) == ("PARTIALLY_PAID", 40)
    assert elevate_sandbox.customer(customer["id"])["balance"] == -40
    with pytest.raises(SandboxControlError) as refused:
        elevate_sandbox.create_invoice(999999, 10)
    assert refused.value.body["code"] == "CUSTOMER_NOT_FOUND"


FINISHED = {}


def test_a_finished_tests_tenant_is_freed_1_of_3(elevate_sandbox):
    with elevate_sandbox.client() as api:
        api.post("/payment-providers", json=PROVIDER)
        assert _names(api) == ["Integrator provider"]
    FINISHED.update(tenant=elevate_sandbox.tenant, token=elevate_sandbox.token)


def test_a_finished_tests_tenant_is_freed_2_of_3(elevate_sandbox):
    # The last test's tenant is being freed while this one runs: this test has another.
    assert elevate_sandbox.tenant != FINISHED["tenant"]


def test_a_finished_tests_tenant_is_freed_3_of_3(elevate_sandbox):
    # Freed, the tenant (name and token) serves a later test, which finds it as new: no token to mint.
    assert (elevate_sandbox.tenant, elevate_sandbox.token) == (FINISHED["tenant"], FINISHED["token"])
    with elevate_sandbox.client() as api:
        assert _names(api) == []


def test_a_client_that_chooses_its_transport_gets_it(elevate_sandbox):
    seen = []

    def answer(request):
        seen.append((request.url.path, request.headers["authorization"]))
        return httpx.Response(204)

    with elevate_sandbox.client(transport=httpx.MockTransport(answer)) as api:
        assert api.get("/payment-providers").status_code == 204
    assert seen == [("/v1/payment-providers", f"Bearer {elevate_sandbox.token}")]


def test_a_server_without_the_control_api_is_named_as_such(elevate_sandbox):
    missing = ElevateSandbox(elevate_sandbox.base_url + "/v1", elevate_sandbox.token, elevate_sandbox.tenant)
    with pytest.raises(SandboxControlMissing, match="no such control endpoint"):
        missing.reset()
"""


def test_an_integrator_suite_gets_a_fresh_sandbox_tenant_per_test(tmp_path: Path) -> None:
    (tmp_path / "test_integration.py").write_text(INTEGRATOR_TESTS)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SANDBOX_", "PYTEST_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--elevate-sandbox-dataset", "empty",
         "--elevate-sandbox-freeze-time", "2026-11-25T09:00:00Z", "test_integration.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "11 passed" in done.stdout


def test_the_plugin_is_registered_by_the_installed_package() -> None:
    from importlib.metadata import entry_points

    plugins = {entry.name: entry.value for entry in entry_points(group="pytest11")}
    assert plugins.get("elevate_sandbox") == "elevate_sandbox.pytest_plugin"


def _freed(freeing: Any, headers: dict[str, str]) -> int:
    freeing.send("DELETE", "/_sandbox/state", headers)
    return int(freeing.answer())


def test_the_call_after_each_test_survives_a_connection_the_server_closed(live: Any) -> None:
    from elevate_sandbox.pytest_plugin import _Freeing

    headers = {"Authorization": f"Bearer {live.token('plugin-freeing')}"}
    freeing = _Freeing(live.base_url)
    try:
        assert _freed(freeing, headers) == 204
        # As when the server's keep-alive timeout closed it while idle: the next call goes on a new one.
        assert freeing._connection is not None and freeing._connection.sock is not None
        freeing._connection.sock.shutdown(socket.SHUT_RDWR)
        assert _freed(freeing, headers) == 204
        # Closed after the request was sent, before it was read: sent once more when the answer is read.
        freeing.send("DELETE", "/_sandbox/state", headers)
        freeing._connection.sock.shutdown(socket.SHUT_RDWR)
        assert freeing.answer() == 204
    finally:
        freeing.close()


def test_a_server_that_went_away_frees_nothing_and_says_so() -> None:
    from elevate_sandbox.pytest_plugin import _Freeing

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    with pytest.raises(OSError):
        _freed(_Freeing(f"http://127.0.0.1:{port}"), {})


class _LiveServer:
    """What the plugin's tenants need of a server: its URL and tokens (here, the live sandbox's)."""

    def __init__(self, url: str, live: Any) -> None:
        self.url = url
        self.token = live.token


def test_a_tenant_serves_again_only_once_the_server_confirmed_it_freed(live: Any) -> None:
    from elevate_sandbox.pytest_plugin import _Tenants

    tenants = _Tenants(_LiveServer(live.base_url, live))
    first = tenants.lease()
    provider = {"type": "GO_CARDLESS", "name": "Left behind", "status": "ACTIVE", "contractOwnerIds": [1]}
    with httpx.Client(base_url=f"{live.base_url}/v1", headers={"Authorization": f"Bearer {first.token}"}) as api:
        try:
            assert api.post("/payment-providers", json=provider).status_code == 201
            tenants.finish(first)
            second = tenants.lease()  # the first's free is not confirmed yet: another tenant
            assert second.tenant != first.tenant
            tenants.finish(second)  # reads the first's answer: 204
            assert tenants.lease() == first
            providers = api.get("/payment-providers", params={"page": 1, "pageSize": 10})
            assert providers.status_code == 200 and providers.json() == []  # freed: it starts afresh
        finally:
            tenants.close()
    # A server that does not free (no such call at that URL: 404): its tenants are never given out again.
    refusing = _Tenants(_LiveServer(live.base_url + "/v1", live))
    try:
        leases = [refusing.lease()]
        for _ in range(3):
            refusing.finish(leases[-1])
            leases.append(refusing.lease())
        assert len({lease.tenant for lease in leases}) == len(leases)
    finally:
        refusing.close()
