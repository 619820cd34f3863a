"""Snapshots: GET/PUT /_sandbox/state, and --state-file restored on start, saved on shutdown and periodically."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.testclient import TestClient

from elevate_sandbox.app import create_app
from elevate_sandbox.auth import mint_token
from elevate_sandbox.clock import SystemClock
from elevate_sandbox.domain import errors
from elevate_sandbox.domain.snapshot import TABLES
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.live import free_port
from elevate_sandbox.persistence import FILE_FORMAT, StateFileError, read_state_file, write_atomically
from tests.conftest import Api, make_settings
from tests.driving_world import Driver, put


def _export(api: Api) -> dict[str, Any]:
    """Every record (format version 1); tests_tenants.py covers the changes-only version 2."""
    return api.ok(api.get("/_sandbox/state", full="true"))


@pytest.fixture
def busy(api: Api) -> Driver:
    """A tenant with a little of everything, its clock advanced and one policy changed."""
    world = Driver(api)
    world.policies(refunds="manual")
    world.a_record_in_most_tables()
    world.move_clock(advanceBy="PT5H")
    return world


def test_the_export_holds_every_table_with_exact_money_and_the_tenant_settings(busy: Driver) -> None:
    document = _export(busy.api)
    assert (document["format"], document["version"], document["seed"], document["dataset"]) == (
        "elevate-sandbox/tenant-state",
        1,
        0,
        "empty",
    )
    assert set(document["tables"]) == set(TABLES)
    assert document["clock"] == {"now": "2026-11-25T14:00:00+00:00", "frozen": True}
    assert document["progression"]["policies"]["refunds"] == "manual"
    invoice = document["tables"]["invoices"][0]
    assert (invoice["amount"], invoice["collected"], invoice["refunded"]) == ("120.55", "100.00", "20.05")
    assert document["sequences"]["invoices"] == 1


def test_every_table_of_the_state_is_exported() -> None:
    assert set(TABLES) == set(vars(TenantState())) - {"sequences"}


def test_an_export_imported_into_another_tenant_is_the_same_state(
    busy: Driver, http: TestClient, token_for: Callable[[str], str]
) -> None:
    document = _export(busy.api)
    other = Api(http, token_for(f"copy-of-{id(busy)}"))
    imported = other.ok(put(other, "/_sandbox/state", document))
    assert imported["now"] == "2026-11-25T14:00:00Z" and imported["tables"]["invoices"] == 1
    assert _export(other) == {**document, "tenant": imported["tenant"]}
    # Both go on identically: the same ids and the same generated references.
    site = {"customerId": 1}
    for api in (busy.api, other):
        api.ok(api.post("/_sandbox/sites", site), 201)
    mandates = [
        Driver(api).api.ok(
            api.post("/v1/site-payment-mandates", {"siteId": 2, "returnURL": "https://x.example/r"}), 201
        )
        for api in (busy.api, other)
    ]
    assert mandates[0]["mandateReference"] == mandates[1]["mandateReference"]
    assert other.ok(other.get("/_sandbox/progression"))["refunds"] == "manual"


def test_rows_given_out_of_order_are_listed_in_id_order_after_an_import(
    busy: Driver, http: TestClient, token_for: Callable[[str], str]
) -> None:
    busy.pay(busy.invoice(busy.customer(), 40), 40)
    document = _export(busy.api)
    document["tables"] = {name: list(reversed(rows)) for name, rows in document["tables"].items()}
    other = Api(http, token_for(f"reversed-{id(busy)}"))
    other.ok(put(other, "/_sandbox/state", document))
    for sort in ({}, {"sort": "id"}, {"sort": "id:desc"}):
        ids = [p["id"] for p in other.ok(other.get("/v1/invoice-payments", page=1, pageSize=100, **sort))]
        assert len(ids) >= 2
        assert ids == sorted(ids, reverse=sort.get("sort") == "id:desc"), sort
    assert _export(other)["tables"] == _export(busy.api)["tables"]


def _broken(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    *parents, last = path.split(".")
    target: Any = broken
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return broken


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("version", 2),
        ("format", "something-else"),
        ("tables.invoices.0.amount", "twelve"),
        ("tables.invoices.0.amount", 12.5),
        ("tables.invoices.0.colour", "blue"),
        ("tables.invoices.0.customer_id", 999),
        ("tables.invoices.0.payment_status", "SORT_OF_PAID"),
        ("tables.invoices.0.invoice_date", "yesterday"),
        ("tables.customers.0.id", KeyError),
        ("tables.ledger", []),
        ("tables.refunds.0.invoice_id", 999),
        ("sequences.invoices", 0),
        ("clock.frozen", "maybe"),
        ("clock.now", KeyError),
        ("clock.now", 20261125),
        ("progression.policies.refunds", "sometimes"),
        ("rng.internal", [1, 2, 3]),
        ("seed", -1),
    ],
)
def test_a_corrupt_or_incompatible_document_is_refused_and_nothing_changes(busy: Driver, path: str, value: Any) -> None:
    before = _export(busy.api)
    response = put(busy.api, "/_sandbox/state", _broken(before, path, value))
    assert response.status_code == 400, response.text
    assert response.json()["code"] in (errors.SNAPSHOT_INVALID, errors.VALIDATION_ERROR)
    assert _export(busy.api) == before


def test_a_document_larger_than_the_request_limit_imports(api: Api) -> None:
    document = _export(api)
    owners = [{"id": number, "name": f"Owner {number:05d} " + "x" * 200} for number in range(1, 6001)]
    document["tables"]["contract_owners"] = owners
    document["sequences"]["contract_owners"] = len(owners)
    body = orjson.dumps(document)
    assert len(body) > 1024 * 1024
    response = api.http.put(
        "/_sandbox/state", content=body, headers={**api.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text[:300]
    assert response.json()["tables"]["contract_owners"] == 6000


# --- the state file, in process ---------------------------------------------------------------------------


def _client_for(path: Path, **settings: Any) -> tuple[Any, dict[str, str]]:
    app = create_app(make_settings(state_file=str(path), **settings))
    token = mint_token(app.runtime.settings.jwt_secret, SystemClock(), "default")
    return app, {"Authorization": f"Bearer {token}"}


def test_the_state_file_is_saved_on_shutdown_and_restored_on_start(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    app, headers = _client_for(path, save_interval=0)
    with TestClient(app) as client:
        assert client.post("/_sandbox/customers", json={"name": "Kept Ltd"}, headers=headers).status_code == 201
        client.post("/_sandbox/clock", json={"advanceBy": "P2D"}, headers=headers)
        exported = client.get("/_sandbox/state", headers=headers).json()
    assert read_state_file(path)["default"].state.customers[1].name == "Kept Ltd"
    again, headers = _client_for(path)
    with TestClient(again) as client:
        assert client.get("/_sandbox/state", headers=headers).json() == exported


def test_the_state_file_is_saved_periodically_while_serving(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    app, headers = _client_for(path, save_interval=1)
    with TestClient(app) as client:
        client.post("/_sandbox/customers", json={"name": "Periodic Ltd"}, headers=headers)
        deadline = time.monotonic() + 5
        while not (path.exists() and b"Periodic Ltd" in path.read_bytes()):
            assert time.monotonic() < deadline, "the state file was not saved within 5 s"
            time.sleep(0.1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "elevate-sandbox/state-file", "version": 1, "tenants": {', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"format": "elevate-sandbox/state-file", "version": 99, "tenants": {}}', "version 99"),
        (b'{"some": "other file"}', "not an elevate-sandbox state file"),
        (b'{"format": "elevate-sandbox/state-file", "version": 1, "tenants": {"t": {"format": "x"}}}', "tenant 't'"),
    ],
)
def test_a_corrupt_or_incompatible_state_file_is_refused_whole(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError, match=message):
        read_state_file(path)


def test_an_app_with_an_unusable_state_file_is_not_built_and_the_file_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b'{"format": "elevate-sandbox/state-file", "version": 2, "tenants": {}}')
    with pytest.raises(StateFileError, match="version 2"):
        create_app(make_settings(state_file=str(path)))
    with pytest.raises(StateFileError, match="does not exist"):
        create_app(make_settings(state_file=str(tmp_path / "missing" / "state.json")))
    assert path.read_bytes() == b'{"format": "elevate-sandbox/state-file", "version": 2, "tenants": {}}'


def test_an_interrupted_write_leaves_the_previous_snapshot_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    write_atomically(path, b'{"snapshot": 1}')

    def crash(*_: Any) -> None:
        raise OSError("disk gone mid-write")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="mid-write"):
        write_atomically(path, b'{"snapshot": 2, "padding": "' + b"x" * 100_000 + b'"}')
    assert path.read_bytes() == b'{"snapshot": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


# --- the state file, as a user runs it ---------------------------------------------------------------------


def _serve(path: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SANDBOX_DATASET": "empty", "SANDBOX_FREEZE_TIME": "2026-11-25T09:00:00Z"}
    return subprocess.Popen(
        [sys.executable, "-m", "elevate_sandbox", "serve", "--port", str(port), "--state-file", str(path), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[str], str]]]:
    processes: list[subprocess.Popen[str]] = []

    def start(*extra: str) -> tuple[subprocess.Popen[str], str]:
        port = free_port()
        process = _serve(tmp_path / "state.json", port, *extra)
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/_sandbox/health", timeout=1)
                return process, base
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the sandbox did not answer"
                time.sleep(0.1)

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(make_settings().jwt_secret, SystemClock(), 'default')}"}


def test_a_killed_sandbox_restarts_from_its_last_periodic_save_and_a_stopped_one_saves(
    tmp_path: Path, served: Callable[..., tuple[subprocess.Popen[str], str]]
) -> None:
    path = tmp_path / "state.json"
    first, base = served("--save-interval", "1")
    httpx.post(f"{base}/_sandbox/customers", json={"name": "Survivor Ltd"}, headers=_headers()).raise_for_status()
    deadline = time.monotonic() + 10
    while not (path.exists() and b"Survivor Ltd" in path.read_bytes()):
        assert time.monotonic() < deadline, "no periodic save"
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    second, base = served("--save-interval", "0")
    assert httpx.get(f"{base}/_sandbox/customers/1", headers=_headers()).json()["name"] == "Survivor Ltd"
    httpx.post(f"{base}/_sandbox/customers", json={"name": "Late Ltd"}, headers=_headers()).raise_for_status()
    second.send_signal(signal.SIGTERM)
    # uvicorn finishes (the lifespan saves), then lets the signal it caught end the process.
    assert second.wait(timeout=20) in (0, -signal.SIGTERM)
    customers = read_state_file(path)["default"].state.customers
    assert [c.name for c in customers.values()] == ["Survivor Ltd", "Late Ltd"]


def test_a_corrupt_state_file_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"format": "elevate-sandbox/state-file", "version": 1, "tenants": {"default": ')
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "elevate_sandbox", "serve", "--port", str(port), "--state-file", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert str(path) in result.stderr and "not valid JSON" in result.stderr and "nothing was started" in result.stderr
    assert "listening" not in result.stdout
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1)


def test_a_process_killed_while_writing_leaves_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    previous = orjson.dumps({"format": FILE_FORMAT, "version": 1, "tenants": {}})
    path.write_bytes(previous)
    # The writer stalls in fsync (a slow disk): its new bytes are written, not yet renamed into place.
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        from elevate_sandbox.persistence import write_atomically
        def stall(fd):
            print("writing", flush=True)
            time.sleep(60)
        os.fsync = stall
        write_atomically(Path({str(path)!r}), b"x" * 5_000_000)
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert path.read_bytes() == previous
    assert read_state_file(path) == {}
