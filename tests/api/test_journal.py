"""The request journal: what each tenant asked and got, newest first, bounded, with credentials redacted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from elevate_sandbox import journal as journal_module
from elevate_sandbox.auth import ALGORITHM
from elevate_sandbox.journal import BODY_LIMIT, MAX_HEADERS, Journal, Recorded
from tests.conftest import Api


def _journal(api: Api, **params: Any) -> list[dict[str, Any]]:
    return api.ok(api.http.get("/_sandbox/requests", params=params, headers=api.headers))


def test_requests_are_recorded_newest_first_with_bodies_status_and_tenant_time(api: Api) -> None:
    api.ok(api.post("/_sandbox/clock", {"advanceBy": "PT1H"}))
    created = api.ok(api.post("/_sandbox/customers", {"name": "Journal Ltd"}), 201)
    api.get("/v1/customer-balances", customer_id=999)
    entries = _journal(api)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/v1/customer-balances", 404),
        ("POST", "/_sandbox/customers", 201),
        ("POST", "/_sandbox/clock", 200),
    ]
    newest, customer, clock = entries
    assert newest["query"] == "customer_id=999" and newest["response"]["body"]["code"] == "CUSTOMER_NOT_FOUND"
    assert customer["request"]["body"] == {"name": "Journal Ltd"} and customer["response"]["body"] == created
    assert customer["time"] == "2026-11-25T10:00:00.000Z" and clock["time"] == "2026-11-25T10:00:00.000Z"
    assert customer["durationMs"] > 0 and customer["id"] > clock["id"]


def test_a_body_sent_where_none_is_defined_is_still_recorded(api: Api) -> None:
    """Connexion drains such a body without decoding it; the journal shows what the client sent."""
    headers = {**api.headers, "Content-Type": "application/json"}
    for path in ("/_sandbox/clock", "/v1/outbound-payments/1"):
        api.http.request("GET", path, content=b'{"probe": 1}', headers=headers)
    api.http.request("GET", "/v1/refunds/1", content=iter([b'{"probe"', b": 2}"]), headers=headers)  # chunked
    api.http.request("GET", "/v1/refunds/2", headers=headers)  # no body at all
    entries = _journal(api)
    assert [(e["path"], e["request"]["body"], e["request"]["size"]) for e in entries] == [
        ("/v1/refunds/2", None, 0),
        ("/v1/refunds/1", {"probe": 2}, 12),
        ("/v1/outbound-payments/1", {"probe": 1}, 12),
        ("/_sandbox/clock", {"probe": 1}, 12),
    ]


def test_the_bearer_token_never_appears_in_the_journal(api: Api) -> None:
    api.get("/_sandbox/clock")
    token = api.headers["Authorization"].split(" ", 1)[1]
    response = api.get("/_sandbox/requests")
    assert token not in response.text
    assert response.json()[0]["request"]["headers"]["authorization"] == "Bearer [redacted]"


def test_the_journal_filters_by_method_path_and_status_and_limits(api: Api) -> None:
    for name in ("A", "B", "C"):
        api.post("/_sandbox/customers", {"name": name})
    api.get("/_sandbox/customers/404")
    api.get("/_sandbox/clock")
    assert [e["path"] for e in _journal(api, method="get")] == ["/_sandbox/clock", "/_sandbox/customers/404"]
    assert [e["status"] for e in _journal(api, status="4xx")] == [404]
    assert [e["status"] for e in _journal(api, status="201")] == [201, 201, 201]
    assert len(_journal(api, path="/_sandbox/customers", limit=2)) == 2
    assert len(_journal(api, path="/_sandbox/customers")) == 4
    assert api.get("/_sandbox/requests", status="4x").status_code == 400
    assert api.get("/_sandbox/requests", limit=0).status_code == 400


def test_reading_the_journal_is_not_recorded(api: Api) -> None:
    api.get("/_sandbox/clock")
    _journal(api)
    assert [e["path"] for e in _journal(api)] == ["/_sandbox/clock"]


def test_bodies_are_cut_at_the_limit_and_say_so(api: Api) -> None:
    api.ok(api.post("/_sandbox/customers", {"name": "Big", "notes": "x" * (2 * BODY_LIMIT)}), 201)
    request = _journal(api)[0]["request"]
    assert request["truncated"] is True and request["size"] > 2 * BODY_LIMIT
    assert isinstance(request["body"], str) and len(request["body"].encode()) == BODY_LIMIT


def test_each_tenant_sees_only_its_own_requests(api: Api, http: TestClient, token_for: Any) -> None:
    other = Api(http, token_for(f"journal-other-{id(api)}"))
    other.post("/_sandbox/customers", {"name": "Elsewhere"})
    api.get("/_sandbox/clock")
    assert [e["path"] for e in _journal(api)] == ["/_sandbox/clock"]
    assert [e["path"] for e in _journal(other)] == ["/_sandbox/customers"]


def test_a_refused_token_of_an_existing_tenant_is_recorded_but_an_unsigned_one_is_not(
    api: Api, http: TestClient, app: Any, tenant: str
) -> None:
    api.get("/_sandbox/clock")
    now = datetime.now(UTC)
    claims = {
        "tenant": tenant,
        "iat": int((now - timedelta(hours=2)).timestamp()),
        "exp": int((now - timedelta(hours=1)).timestamp()),
    }
    expired = jwt.encode(claims, app.runtime.settings.jwt_secret, algorithm=ALGORITHM)
    forged = jwt.encode({**claims, "exp": int((now + timedelta(hours=1)).timestamp())}, "not-the-secret", ALGORITHM)
    assert http.get("/v1/refunds", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    assert http.get("/v1/outbound-payments/1", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert [(e["path"], e["status"]) for e in _journal(api)] == [("/v1/refunds", 401), ("/_sandbox/clock", 200)]


def test_a_failing_journal_never_breaks_a_request(api: Api, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("journal is broken")

    monkeypatch.setattr(app.runtime.store.journal, "record", broken)
    assert api.post("/_sandbox/customers", {"name": "Still served"}).status_code == 201


def test_recording_redacts_and_renders_nothing_only_reading_does(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    redacted, rendered = [], []
    real_redact, real_render = journal_module.redact, journal_module.Message.to_api

    def counting_redact(headers: Any) -> Any:
        redacted.append(headers)
        return real_redact(headers)

    def counting_render(message: Any) -> dict[str, Any]:
        rendered.append(message)
        return real_render(message)

    monkeypatch.setattr(journal_module, "redact", counting_redact)
    monkeypatch.setattr(journal_module.Message, "to_api", counting_render)
    api.post("/_sandbox/customers", {"name": "Hot path"})
    # The request's path kept references and raw bytes only: no redaction, no decoding, no JSON parsing.
    assert redacted == [] and rendered == []
    entry = _journal(api)[0]
    assert len(redacted) == 2 and len(rendered) == 2
    assert entry["request"]["headers"]["authorization"] == "Bearer [redacted]"
    # Read again, redacted again: what is kept is never shown unredacted.
    assert _journal(api)[0]["request"]["headers"]["authorization"] == "Bearer [redacted]"


def test_an_entry_keeps_at_most_max_headers_and_its_bodies_cut_at_the_limit(api: Api, app: Any, tenant: str) -> None:
    api.ok(api.get("/_sandbox/clock"))
    headers = {**api.headers, **{f"x-filler-{n}": "v" for n in range(MAX_HEADERS + 10)}}
    api.http.post("/_sandbox/customers", json={"name": "x" * (3 * BODY_LIMIT)}, headers=headers)
    kept = app.runtime.store.journal.recorded(tenant)[-1]
    assert len(kept.request_headers) == MAX_HEADERS and len(kept.response_headers) <= MAX_HEADERS
    assert len(kept.request_body) == BODY_LIMIT and kept.request_size > 3 * BODY_LIMIT


def _recorded(path: str) -> Recorded:
    at = datetime(2026, 11, 25, tzinfo=UTC)
    return Recorded(at, "GET", path, b"", 200, 0.001, (), b"", 0, (), b"", 0)


def test_the_journal_keeps_only_the_newest_entries_per_tenant() -> None:
    journal = Journal(size=3)
    for number in range(5):
        journal.record("t", _recorded(f"/p{number}"))
    assert [e["path"] for e in journal.recent("t")] == ["/p4", "/p3", "/p2"]
    assert [e["id"] for e in journal.recent("t")] == [5, 4, 3]
    assert journal.recent("nobody") == []
