"""Tenants in O(1): one shared seeded base, tenants keeping only their changes, bounded, freed, snapshotted."""

from __future__ import annotations

import gc
import itertools
import re
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from elevate_sandbox import cli
from elevate_sandbox.app import create_app
from elevate_sandbox.auth import mint_token
from elevate_sandbox.bases import PLACEHOLDER, TENANT_URL_FIELDS, Bases
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.domain.enums import BillRunType
from elevate_sandbox.domain.errors import REFUND_EXCEEDS_COLLECTED, SNAPSHOT_INVALID
from elevate_sandbox.domain.overlay import OverlayState
from elevate_sandbox.domain.snapshot import dump_changes, load_changes
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.fixtures import build_dataset
from elevate_sandbox.persistence import read_state_file
from elevate_sandbox.settings import settings_from_env
from elevate_sandbox.store import TENANT_LIMIT, Store
from tests.conftest import Api, make_settings

_names = itertools.count(1)
READS = (
    "/v1/invoice-payments?page=1&pageSize=50&sort=id:desc",
    "/v1/refunds?page=1&pageSize=50",
    "/v1/customer-balances?customer_id=1",
    "/v1/customer-payments?customer_id=1",
    "/v1/payment-providers?page=1&pageSize=10",
    "/v1/site-payment-mandates?page=1&pageSize=50",
    "/_sandbox/invoices/1",
)


@pytest.fixture(scope="module")
def demo() -> Any:
    return create_app(make_settings(dataset="demo", max_tenants=5))


@pytest.fixture(scope="module")
def http(demo: Any) -> Any:
    with TestClient(demo, raise_server_exceptions=False) as client:
        yield client


def _api(http: TestClient, app: Any, name: str | None = None) -> Api:
    token = mint_token(app.runtime.settings.jwt_secret, SystemClock(), name or f"ten{next(_names)}")
    return Api(http, token)


def _own(app: Any, api: Api) -> dict[str, tuple[int, int]]:
    """Per table the tenant used: how many changed and how many new records it holds."""
    tenant = app.runtime.store.find(_name(api))
    state = tenant.backend.state
    assert isinstance(state, OverlayState)
    return {
        name: (len(table.changes()[0]), len(table.changes()[1]))
        for name, table in state.used_tables().items()
        if table.changes()[0] or table.changes()[1]
    }


def _name(api: Api) -> str:
    return api.ok(api.get("/_sandbox/state"))["tenant"]


def _answers(api: Api) -> list[tuple[int, bytes]]:
    """The reads' answers, the tenant's own name in hosted-page URLs put aside."""
    mine = f"?tenant={_name(api)}".encode()
    responses = (api.http.get(path, headers=api.headers) for path in READS)
    # Hosted-page keys differ by tenant too (domain/hosted.py).
    return [
        (r.status_code, re.sub(rb"&key=[0-9a-f]{32}", b"&key=*", r.content.replace(mine, b"?tenant=*")))
        for r in responses
    ]


@pytest.fixture(autouse=True)
def _free_all(demo: Any) -> Any:
    yield
    for name in demo.runtime.store.tenant_names():
        demo.runtime.store.free(name)


def test_every_tenant_shares_one_base_and_a_reader_holds_nothing_of_its_own(demo: Any, http: TestClient) -> None:
    first, second = _api(http, demo), _api(http, demo)
    assert _answers(first) == _answers(second)
    store = demo.runtime.store
    tenants = [store.find(_name(api)) for api in (first, second)]
    assert tenants[0].base is tenants[1].base is not None
    assert _own(demo, first) == {} and _own(demo, second) == {}


def test_a_write_keeps_only_the_records_it_changed_and_others_still_see_the_base(demo: Any, http: TestClient) -> None:
    writer, reader = _api(http, demo), _api(http, demo)
    before = reader.ok(reader.get("/v1/customer-balances", customer_id=1))
    body = {"customerId": 1, "amountInMajorCurrency": 15, "description": "Goodwill"}
    writer.ok(writer.post("/v1/customer-balance-adjustments", body))
    assert _own(demo, writer) == {"customers": (1, 0), "balance_adjustments": (0, 1)}
    assert writer.ok(writer.get("/v1/customer-balances", customer_id=1))["balance"] == before["balance"] + 15
    assert reader.ok(reader.get("/v1/customer-balances", customer_id=1)) == before


def test_a_refused_write_keeps_no_copies_and_a_clock_advance_only_what_moved(demo: Any, http: TestClient) -> None:
    api = _api(http, demo)
    refused = api.post("/v1/refunds", {"invoiceId": 1, "billRunType": "NORMAL", "amountInMajorCurrency": 99999})
    assert refused.status_code in (400, 409) and refused.json()["code"] == REFUND_EXCEEDS_COLLECTED, refused.text
    assert _own(demo, api) == {}
    # The advance looks at every payment, refund, mandate and payout; it keeps the ones it moved (and
    # the invoices, sites and customers their moves booked), not the hundreds it looked at.
    changes = api.ok(api.post("/_sandbox/clock", {"advanceBy": "P1D"}))["changes"]
    kept = sum(changed for changed, _ in _own(demo, api).values())
    assert changes and kept <= 3 * len(changes), (kept, changes)


def test_reset_returns_to_the_shared_base_at_once(demo: Any, http: TestClient) -> None:
    api, untouched = _api(http, demo), _api(http, demo)
    body = {"customerId": 2, "billRunType": "NORMAL", "amountInMajorCurrency": 70}
    api.ok(api.post("/_sandbox/invoices", body), 201)
    api.ok(api.post("/_sandbox/clock", {"advanceBy": "P3D"}))
    base = demo.runtime.store.find(_name(api)).base
    api.ok(api.post("/_sandbox/reset", {}))
    assert demo.runtime.store.find(_name(api)).base is base
    assert _own(demo, api) == {}
    assert _answers(api) == _answers(untouched)


def test_free_drops_the_tenant_and_its_journal_and_the_next_request_starts_afresh(demo: Any, http: TestClient) -> None:
    api = _api(http, demo)
    name = _name(api)
    body = {"customerId": 2, "billRunType": "NORMAL", "amountInMajorCurrency": 70}
    invoice = api.ok(api.post("/_sandbox/invoices", body), 201)
    assert demo.runtime.store.journal.recent(name)
    response = api.http.delete("/_sandbox/state", headers=api.headers)
    assert (response.status_code, response.content) == (204, b"")
    assert demo.runtime.store.find(name) is None and demo.runtime.store.journal.recent(name) == []
    # Freeing a tenant that is gone already is no error, and does not create it.
    assert api.http.delete("/_sandbox/state", headers=api.headers).status_code == 204
    assert demo.runtime.store.find(name) is None
    assert api.get(f"/_sandbox/invoices/{invoice['id']}").status_code == 404
    assert _own(demo, api) == {}


def test_past_the_limit_a_new_tenant_gets_a_503_and_nobody_loses_data(demo: Any, http: TestClient) -> None:
    tenants = [_api(http, demo) for _ in range(5)]
    for api in tenants:
        body = {"customerId": 2, "billRunType": "NORMAL", "amountInMajorCurrency": 9}
        api.ok(api.post("/_sandbox/invoices", body), 201)
    refused = _api(http, demo)
    for response in (refused.get("/v1/payment-providers", page=1, pageSize=10), refused.post("/_sandbox/reset", {})):
        assert response.status_code == 503, response.text
        assert response.json()["code"] == TENANT_LIMIT and "--max-tenants" in response.json()["message"]
    assert len(demo.runtime.store.tenant_names()) == 5
    assert all(_own(demo, api)["invoices"] == (0, 1) for api in tenants)
    assert tenants[0].http.delete("/_sandbox/state", headers=tenants[0].headers).status_code == 204
    refused.ok(refused.get("/v1/payment-providers", page=1, pageSize=10))


def test_idle_tenants_are_dropped_after_the_ttl_and_busy_ones_kept() -> None:
    app = create_app(make_settings(dataset="demo", tenant_idle_ttl=60))
    with TestClient(app) as client:
        idle, busy = _api(client, app, "idle"), _api(client, app, "busy")
        for api in (idle, busy):
            api.ok(api.get("/v1/payment-providers", page=1, pageSize=10))
        store = app.runtime.store
        store.find("idle").last_used -= 61
        store.find("busy").last_used -= 30
        store._next_sweep = 0.0  # the next new tenant looks for idle ones now, not within the second
        newcomer = _api(client, app, "newcomer")
        newcomer.ok(newcomer.get("/v1/payment-providers", page=1, pageSize=10))
        assert store.tenant_names() == ["busy", "newcomer"]
        # A tenant coming back after the TTL, before any look for idle ones, starts afresh too.
        body = {"customerId": 2, "billRunType": "NORMAL", "amountInMajorCurrency": 9}
        invoice = busy.ok(busy.post("/_sandbox/invoices", body), 201)
        store.find("busy").last_used -= 61
        assert busy.get(f"/_sandbox/invoices/{invoice['id']}").status_code == 404


def test_a_snapshot_holds_only_the_changes_and_restores_every_answer_byte_for_byte(demo: Any, http: TestClient) -> None:
    api = _api(http, demo)
    api.ok(api.post("/v1/customer-balance-adjustments", {"customerId": 3, "amountInMajorCurrency": 20}))
    body = {"generatedInvoiceId": 5, "amountInMajorCurrency": 12.5, "description": "x", "paymentMethod": "BACS"}
    api.ok(api.post("/v1/invoice-payments", body), 201)
    api.ok(api.post("/v1/site-payment-mandates", {"siteId": 1, "returnURL": "https://x.example/r"}), 201)
    api.ok(api.post("/_sandbox/clock", {"advanceBy": "P2D"}))
    before = _answers(api)
    document = api.ok(api.get("/_sandbox/state"))
    full = api.ok(api.get("/_sandbox/state", full="true"))
    assert document["version"] == 2 and full["version"] == 1
    assert set(document["base"]) == {"dataset", "seed", "day", "digest"}
    own = sum(len(rows) for rows in document["tables"].values())
    assert 0 < own * 10 < sum(len(rows) for rows in full["tables"].values())
    assert len(str(document)) * 5 < len(str(full))
    assert api.http.delete("/_sandbox/state", headers=api.headers).status_code == 204
    api.ok(_put(api, document))
    assert _answers(api) == before
    assert api.ok(api.get("/_sandbox/state")) == document


def _put(api: Api, document: dict[str, Any]) -> Any:
    return api.http.put("/_sandbox/state", json=document, headers=api.headers)


def test_a_snapshot_whose_base_is_built_differently_here_is_refused(demo: Any, http: TestClient) -> None:
    api = _api(http, demo)
    document = api.ok(api.get("/_sandbox/state"))
    for field, value in (("digest", "0" * 64), ("dataset", "no-such-dataset"), ("day", "someday")):
        broken = {**document, "base": {**document["base"], field: value}}
        response = _put(api, broken)
        assert response.status_code == 400 and response.json()["code"] == SNAPSHOT_INVALID, response.text
        assert f"base.{field}" in response.json()["message"]


def test_the_state_file_keeps_tenants_as_their_changes_and_restores_them(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    app = create_app(make_settings(dataset="demo", state_file=str(path), save_interval=0))
    with TestClient(app) as client:
        api = _api(client, app, "kept")
        api.ok(api.post("/v1/customer-balance-adjustments", {"customerId": 4, "amountInMajorCurrency": 7}))
        before = _answers(api)
    assert path.stat().st_size < 50_000
    restored = read_state_file(path)["kept"]
    assert restored.base is not None and restored.state.customers[4].balance is not None
    again = create_app(make_settings(dataset="demo", state_file=str(path)))
    with TestClient(again) as client:
        assert _answers(_api(client, again, "kept")) == before


def test_removed_base_records_stay_removed_through_a_snapshot() -> None:
    base = Bases(build_dataset).get("demo", 0, date(2026, 11, 25))
    state = OverlayState(base.state)
    del state.refunds[1]
    state.scope.reading = True
    assert 1 not in state.refunds and len(state.refunds) == len(base.state.refunds) - 1
    assert [r.id for r in state.refunds.values()] == [i for i in base.state.refunds if i != 1]
    again = load_changes(dump_changes(state), base.state)
    assert 1 not in again.refunds and len(again.refunds) == len(state.refunds)
    assert 1 in base.state.refunds


def test_every_seeded_url_naming_the_tenant_is_adapted_per_tenant() -> None:
    # The base is built for a placeholder tenant: each field that holds it must be listed to be adapted.
    base = Bases(build_dataset).get("demo", 0, date(2026, 11, 25))
    holding = set()
    for spec in fields(TenantState):
        if spec.name == "sequences":
            continue
        for record in getattr(base.state, spec.name).values():
            for field in fields(record):
                value = getattr(record, field.name)
                if isinstance(value, str) and PLACEHOLDER in value:
                    holding.add((type(record), field.name))
    assert holding and all(name in TENANT_URL_FIELDS.get(kind, ()) for kind, name in holding)


def test_a_seeded_mandate_url_names_the_tenant_reading_it(demo: Any, http: TestClient) -> None:
    api = _api(http, demo)
    mandates = api.ok(api.get("/v1/site-payment-mandates", page=1, pageSize=5))
    assert mandates and all(f"?tenant={_name(api)}&key=" in m["redirectURL"] for m in mandates)
    assert all(m["redirectURL"].startswith("http://127.0.0.1:8080/_sandbox/hosted/") for m in mandates)


def test_the_tenant_flags_and_variables_reach_the_settings() -> None:
    env = settings_from_env({"SANDBOX_MAX_TENANTS": "7", "SANDBOX_TENANT_IDLE_TTL": "30"})
    assert (env.max_tenants, env.tenant_idle_ttl) == (7, 30)
    args = cli.build_parser(env).parse_args(["serve", "--max-tenants", "0", "--tenant-idle-ttl", "600"])
    assert cli._tenant_settings(args) == {"max_tenants": 0, "tenant_idle_ttl": 600}
    with pytest.raises(SystemExit, match="--max-tenants"):
        cli._tenant_settings(cli.build_parser(env).parse_args(["serve", "--max-tenants", "-1"]))


def test_a_tenant_that_wrote_is_freed_by_reference_counting_alone() -> None:
    # collector.py freezes long-lived objects: a freed tenant must form no reference cycle to be freed.
    store = Store(make_settings(dataset="demo"), build_dataset)
    tenant = store.tenant("t")
    with tenant.lock:
        tenant.backend.create_balance_adjustment(customer_id=1, amount=Decimal("5"))
        tenant.backend.create_invoice(customer_id=2, bill_run_type=BillRunType.NORMAL, amount=Decimal("40"))
    refs = [weakref.ref(tenant.backend), weakref.ref(tenant.backend.state)]
    del tenant
    gc.collect()
    gc.disable()
    try:
        store.free("t")
        assert [ref() is None for ref in refs] == [True, True]
    finally:
        gc.enable()


def test_a_base_asked_for_by_many_at_once_is_built_once() -> None:
    built: list[str] = []

    def slow_build(name: str, backend: Any, seed: int) -> None:
        built.append(name)
        time.sleep(0.2)  # the others ask meanwhile
        build_dataset(name, backend, seed)

    bases = Bases(slow_build)
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: bases.get("demo", 0, date(2026, 11, 25)), range(4)))
    assert built == ["demo"] and all(base is found[0] for base in found)
    assert bases.get("demo", 0, date(2026, 11, 25)) is found[0] and built == ["demo"]
