"""Hostile input (issue 15): every refusal is a 4xx in the error shape, never a 500, and changes nothing.

Each test names the numbered failure of the issue it holds fixed. Raw requests go through the real HTTP
stack: in-process for what the application decides, a live uvicorn server for what crosses a socket.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import orjson
import pytest

from elevate_sandbox import serving
from elevate_sandbox.api.body_limits import MAX_HEADER_COUNT, MAX_JSON_DEPTH, MAX_URL_BYTES
from elevate_sandbox.app import create_app
from elevate_sandbox.auth import check_tenant_name
from elevate_sandbox.domain import errors
from elevate_sandbox.live import LiveSandbox, free_port
from tests.conftest import Api, make_settings

JSON = "application/json"


def _error(response: Any, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(JSON)
    body = response.json()
    assert body["code"] == code, body
    return body


def _state(api: Api) -> bytes:
    response = api.get("/_sandbox/state")
    assert response.status_code == 200, response.text
    return response.content


def _raw(api: Api, method: str, path: str, body: bytes, content_type: str | None) -> Any:
    headers = dict(api.headers)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return api.http.request(method, path, content=body, headers=headers)


@pytest.fixture
def customer(api: Api) -> dict:
    return api.ok(api.post("/_sandbox/customers", {"name": "Brackley Tiles Ltd", "creditThreshold": 500}), 201)


# --- 2. media types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/_sandbox/customers", b'{"name": "x"}'),
        ("POST", "/v1/customer-balance-adjustments", b'{"customerId": 1, "amountInMajorCurrency": 5}'),
        ("POST", "/_sandbox/reset", b"{}"),
        ("PATCH", "/v1/payment-providers/1", b'[{"op": "replace", "path": "/name", "value": "x"}]'),
        ("POST", "/_sandbox/hosted/outbound-approvals/1", b"action=approve"),
    ],
)
def test_a_body_without_content_type_is_a_415_and_changes_nothing(
    api: Api, method: str, path: str, body: bytes
) -> None:
    before = _state(api)
    _error(_raw(api, method, path, body, None), 415, errors.UNSUPPORTED_MEDIA_TYPE)
    assert _state(api) == before


def test_media_types_match_whatever_their_case(api: Api, customer: dict) -> None:
    created = _raw(api, "POST", "/_sandbox/customers", b'{"name": "Case Ltd"}', "Application/JSON; charset=UTF-8")
    assert created.status_code == 201, created.text
    patch = b'[{"op": "replace", "path": "/reference", "value": "R-1"}]'
    response = _raw(api, "PATCH", "/v1/payment-providers/1", patch, "APPLICATION/JSON-PATCH+JSON")
    assert response.status_code < 500, response.text
    assert response.status_code != 415


# --- 2. nesting, dates and numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/_sandbox/tokens", JSON),
        ("POST", "/_sandbox/reset", JSON),
        ("PATCH", "/v1/payment-providers/1", "application/json-patch+json"),
        ("PATCH", "/v1/outbound-payments/1", "application/json-patch+json"),
        ("POST", "/v1/customer-payments", JSON),
    ],
)
def test_a_body_nested_1000_deep_is_a_400_and_changes_nothing(
    api: Api, method: str, path: str, content_type: str
) -> None:
    before = _state(api)
    deep = b'{"tenant": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    body = _error(_raw(api, method, path, deep, content_type), 400, errors.NESTING_TOO_DEEP)
    assert body["errors"] == [{"field": "body", "message": f"nested deeper than {MAX_JSON_DEPTH} levels"}]
    assert _state(api) == before


def test_nesting_inside_strings_does_not_count(api: Api) -> None:
    name = "[" * 100 + '\\"{' * 40
    response = _raw(api, "POST", "/_sandbox/customers", f'{{"name": "{name}"}}'.encode(), JSON)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("field", ["invoiceDate", "dueDate"])
def test_a_date_beyond_what_the_domain_holds_is_a_400(api: Api, customer: dict, field: str) -> None:
    before = _state(api)
    invoice = {"customerId": customer["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 5, field: "9999-12-31"}
    body = _error(api.post("/_sandbox/invoices", invoice), 409, errors.DATE_OUT_OF_RANGE)
    assert body["errors"][0]["field"] == field
    assert _state(api) == before


def test_far_dates_the_domain_holds_are_accepted(api: Api, customer: dict) -> None:
    invoice = {"customerId": customer["id"], "billRunType": "NORMAL", "amountInMajorCurrency": 5}
    created = api.ok(api.post("/_sandbox/invoices", {**invoice, "invoiceDate": "7335-08-14"}), 201)
    assert created["dueDate"] == "7335-09-13"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "x", "creditThreshold": 1e999}',
        b'{"name": "x", "creditThreshold": 18446744073709551616}',
        b'{"name": "x", "creditThreshold": -1e308}',
        b'{"name": "x", "contractOwnerId": 18446744073709551616}',
    ],
)
def test_numbers_beyond_what_the_domain_holds_are_a_400(api: Api, raw: bytes) -> None:
    before = _state(api)
    response = _raw(api, "POST", "/_sandbox/customers", raw, JSON)
    assert 400 <= response.status_code < 500, response.text
    assert _state(api) == before


def test_huge_ids_in_paths_and_queries_are_never_a_500(api: Api) -> None:
    huge = "18446744073709551616"
    for path in (f"/v1/customer-payments/{huge}", f"/_sandbox/invoices/{huge}", f"/v1/outbound-payments/{huge}"):
        assert 400 <= api.get(path).status_code < 500
    assert 400 <= api.get("/v1/customer-balances", customer_id=huge).status_code < 500


# --- 3. the journal -----------------------------------------------------------------------------------


def test_a_deeply_nested_request_leaves_the_journal_readable(api: Api) -> None:
    api.ok(api.get("/_sandbox/clock"))  # the journal files requests under tenants that exist
    deep = b'{"name": ' + b"[" * 300 + b"]" * 300 + b"}"
    _raw(api, "POST", "/_sandbox/customers", deep, JSON)
    _raw(api, "POST", "/_sandbox/customers", deep, "text/plain+json")
    entries = api.ok(api.get("/_sandbox/requests"))
    assert entries[0]["path"] == "/_sandbox/customers"
    assert isinstance(entries[0]["request"]["body"], str)  # too deep to show as JSON: shown as text


def test_the_journal_keeps_bounded_headers(api: Api) -> None:
    api.ok(api.get("/_sandbox/clock"))
    headers = {**api.headers, **{f"x-filler-{n}": "v" * 4000 for n in range(80)}}
    api.http.get("/_sandbox/clock", headers=headers)
    entry = api.ok(api.get("/_sandbox/requests"))[0]
    assert len(entry["request"]["headers"]) <= 64
    assert all(len(value) <= 1024 for value in entry["request"]["headers"].values())


# --- 8. tenant names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["default\n", "a\nb", "x" * 65, "-lead", "", "a b", "ü"])
def test_tenant_names_are_validated_whole(http: Any, name: str) -> None:
    with pytest.raises(ValueError):
        check_tenant_name(name)
    _error(http.post("/_sandbox/tokens", json={"tenant": name}), 400, errors.VALIDATION_ERROR)


# --- 9. URL and header limits the application answers -------------------------------------------------


def test_a_long_url_is_a_414_in_the_error_shape(api: Api) -> None:
    _error(api.get("/v1/customer-payments", q="x" * MAX_URL_BYTES), 414, errors.URI_TOO_LONG)


def test_too_many_headers_are_a_431_in_the_error_shape(api: Api) -> None:
    headers = {**api.headers, **{f"x-h{n}": "1" for n in range(MAX_HEADER_COUNT + 1)}}
    _error(api.http.get("/_sandbox/clock", headers=headers), 431, errors.HEADERS_TOO_LARGE)


def test_oversized_headers_are_a_431_in_the_error_shape(api: Api) -> None:
    headers = {**api.headers, "x-big": "v" * 40_000}
    _error(api.http.get("/_sandbox/clock", headers=headers), 431, errors.HEADERS_TOO_LARGE)


# --- 4 and 9. over a socket: aborted bodies, huge heads, slow clients ----------------------------------


def _send(live: LiveSandbox, data: bytes, read: bool = True) -> bytes:
    with socket.create_connection((live.settings.host, live.settings.port), timeout=10) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):  # refused before it was all sent
            return b""
        if not read:
            sock.shutdown(socket.SHUT_WR)
            time.sleep(0.2)
            return b""
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # the server answered and closed while the request was still arriving
            pass
        return b"".join(chunks)


def _adjustments(live: LiveSandbox, token: str, customer_id: int) -> str:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.get(f"{live.base_url}/v1/customer-balances", params={"customer_id": customer_id}, headers=headers)
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_an_aborted_upload_changes_nothing(live: LiveSandbox, framing: str) -> None:
    import httpx

    token = live.token(f"aborted-{framing}")
    auth = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{live.base_url}/_sandbox/customers", json={"name": "Half Ltd"}, headers=auth)
    customer_id = created.json()["id"]
    before = _adjustments(live, token, customer_id)
    body = f'{{"customerId": {customer_id}, "amountInMajorCurrency": 15, "description": "half"}}'.encode()
    head = f"POST /v1/customer-balance-adjustments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
    head += "Content-Type: application/json\r\n"
    if framing == "chunked":
        # The whole JSON arrives, but never the last (empty) chunk: the body is not complete.
        data = (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + f"{len(body):x}\r\n".encode() + body + b"\r\n"
    else:
        data = (head + f"Content-Length: {len(body) + 10}\r\n\r\n").encode() + body
    _send(live, data, read=False)
    time.sleep(0.3)
    assert _adjustments(live, token, customer_id) == before


def test_a_head_past_the_server_limit_is_refused_and_others_are_served(live: LiveSandbox) -> None:
    import httpx

    started = time.monotonic()
    answer = _send(
        live, b"GET /_sandbox/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * (4 * 1024 * 1024) + b"\r\n\r\n"
    )
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:80]  # refused, never served
    assert time.monotonic() - started < 5
    assert httpx.get(f"{live.base_url}/_sandbox/health").status_code == 200


def test_a_64_kib_url_gets_the_json_error_shape(live: LiveSandbox) -> None:
    url = b"/v1/customer-payments?q=" + b"x" * (64 * 1024)
    answer = _send(live, b"GET " + url + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414"), head
    assert b"content-type: application/json" in head.lower()
    assert errors.URI_TOO_LONG.encode() in body


def test_100000_headers_are_refused(live: LiveSandbox) -> None:
    headers = b"".join(b"X-%d: 1\r\n" % n for n in range(100_000))
    answer = _send(live, b"GET /_sandbox/health HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer[:80]


@pytest.fixture(scope="module", params=["default", "h11"])
def quick(request: pytest.FixtureRequest) -> Any:
    """A live server whose head deadline is half a second (the shipped one is HEAD_TIMEOUT_SECONDS), with the
    protocol `serve` uses and with the h11 one it falls back to without httptools."""
    import threading

    import uvicorn

    base = serving.PROTOCOL if request.param == "default" else serving.DeadlineH11Protocol
    quick_protocol = type("QuickDeadline", (base,), {"head_timeout": 0.5})
    settings = make_settings(port=free_port())
    server = uvicorn.Server(serving.config(create_app(settings), settings, http=quick_protocol, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield settings
    server.should_exit = True
    thread.join(timeout=10)


def test_both_protocols_bound_the_head_and_answer_long_urls_in_json(quick: Any) -> None:
    class Live:
        settings = quick

    huge = b"X-Big: " + b"v" * (4 * 1024 * 1024) + b"\r\n"
    answer = _send(Live, b"GET /_sandbox/health HTTP/1.1\r\nHost: x\r\n" + huge + b"\r\n")  # type: ignore[arg-type]
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:80]
    url = b"/v1/customer-payments?q=" + b"x" * (64 * 1024)
    answer = _send(Live, b"GET " + url + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")  # type: ignore[arg-type]
    assert answer.startswith(b"HTTP/1.1 414"), answer[:80]


@pytest.mark.parametrize("sent", [b"", b"GET /_sandbox/health HTTP/1.1\r\nHo"])
def test_a_silent_or_trickling_client_is_disconnected(quick: Any, sent: bytes) -> None:
    with socket.create_connection((quick.host, quick.port), timeout=5) as sock:
        sock.sendall(sent)
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server, with nothing to say
        assert time.monotonic() - started < 3


def test_a_patched_execution_date_beyond_what_the_domain_holds_is_refused(api: Api, customer: dict) -> None:
    provider = {"type": "GO_CARDLESS", "name": "GoCardless", "status": "ACTIVE", "contractOwnerIds": [1]}
    api.ok(api.post("/v1/payment-providers", provider), 201)
    api.ok(api.post("/v1/customer-balance-adjustments", {"customerId": customer["id"], "amountInMajorCurrency": 100}))
    body = {"customerId": customer["id"], "amountInMajorCurrency": 10, "reference": "R", "executionDate": "2027-01-01"}
    payout = api.ok(api.post("/v1/outbound-payments", body))
    before = _state(api)
    patch = [{"op": "replace", "path": "/executionDate", "value": "9999-12-31"}]
    assert api.patch(f"/v1/outbound-payments/{payout['id']}", patch).status_code in (400, 409)  # PATCH_INVALID
    assert _state(api) == before  # accepted, the export could no longer be imported or restored


def test_the_clock_never_leaves_the_dates_the_domain_holds(api: Api) -> None:
    document = _state(api)
    document = orjson.loads(document)
    document["clock"] = {"now": "9899-06-01T00:00:00Z", "frozen": True}
    api.ok(api.http.put("/_sandbox/state", json=document, headers=api.headers))
    before = _state(api)
    response = api.post("/_sandbox/clock", {"advanceBy": "P3653D"})
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["field"] == "advanceBy"
    assert response.json()["code"] == errors.DATE_OUT_OF_RANGE
    assert _state(api) == before


def test_a_body_that_stops_arriving_gets_408_and_changes_nothing(quick: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The body's deadline (docs/security.md): a client that announces 60 bytes and sends 8 gets a 408 in the
    error shape once the deadline passes (set to half a second here), and nothing is created."""
    from elevate_sandbox.api import middleware
    from elevate_sandbox.auth import mint_token
    from elevate_sandbox.clock import SystemClock

    monkeypatch.setattr(middleware, "BODY_TIMEOUT_SECONDS", 0.5)
    token = mint_token(quick.jwt_secret, SystemClock(), "slow-body").encode()
    head = b"POST /v1/payment-providers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += b"Authorization: Bearer " + token + b"\r\nContent-Length: 60\r\n\r\n"
    before = _providers(quick, token)
    with socket.create_connection((quick.host, quick.port), timeout=5) as sock:
        sock.sendall(head + b'{"type":')
        started = time.monotonic()
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert time.monotonic() - started < 3
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert orjson.loads(answer.split(b"\r\n\r\n", 1)[1])["code"] == errors.REQUEST_TIMEOUT
    assert _providers(quick, token) == before


def _providers(settings: Any, token: bytes) -> int:
    request = b"GET /v1/payment-providers?page=1&pageSize=100 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    request += b"Authorization: Bearer " + token + b"\r\n\r\n"
    with socket.create_connection((settings.host, settings.port), timeout=5) as sock:
        sock.sendall(request)
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    return len(orjson.loads(answer.split(b"\r\n\r\n", 1)[1]))
