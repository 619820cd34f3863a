"""pytest plugin: an Elevate sandbox for an integrator's own test suite (registered as `elevate_sandbox`).

Installing elevate-sandbox is enough (the `pytest11` entry point loads this module). Then::

    def test_lists_providers(elevate_sandbox):
        response = elevate_sandbox.client().get("/payment-providers", params={"page": 1, "pageSize": 10})
        assert response.status_code == 200

One sandbox server runs per test session, on a free loopback port; each test gets a tenant of its own,
freshly seeded, so tests never see each other's data. When a test ends its tenant is freed (its state
dropped on the server); the freed tenant's name and token then serve a later test, which finds it as new,
so that a test costs no request for a token. Options (also as ini keys with `_` for `-`):
`--elevate-sandbox-dataset` (default demo), `--elevate-sandbox-seed` (0), `--elevate-sandbox-freeze-time`
(an ISO instant) and `--elevate-sandbox-url` (use a sandbox that already runs, e.g. in Docker).
"""

from __future__ import annotations

import functools
import http.client
import itertools
import ssl
import threading
import time
import urllib.parse
import urllib.request
import uuid
import warnings
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, NamedTuple

import pytest

OPTIONS = {
    "dataset": ("demo", "dataset every test tenant starts from (empty, demo, large, million)"),
    "seed": ("0", "seed of the generated data"),
    "freeze-time": ("", "ISO instant every tenant's clock starts frozen at (default: the wall clock)"),
    "url": ("", "root URL of a sandbox that already runs (default: start one for the session)"),
}
_numbers = itertools.count(1)
# A freed tenant's token serves later tests for this long after it was minted (tokens last 24 hours).
REUSE_TOKEN_SECONDS = 3600.0
# Options of httpx.Client that choose how it connects: given any, a test's client gets connections of its own.
CONNECTION_OPTIONS = frozenset(
    {"verify", "cert", "trust_env", "http1", "http2", "limits", "proxy", "proxies", "mounts", "transport", "app"}
)


class SandboxControlMissing(RuntimeError):
    """The sandbox under test lacks a control endpoint (an older elevate-sandbox, or not a sandbox at all)."""


class SandboxControlError(AssertionError):
    """A control call was refused (a scenario that does not apply, an unknown record, ...)."""

    def __init__(self, message: str, status_code: int, body: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("elevate-sandbox", "Elevate payments sandbox")
    for name, (default, help_text) in OPTIONS.items():
        key = name.replace("-", "_")
        group.addoption(f"--elevate-sandbox-{name}", dest=f"elevate_sandbox_{key}", default=None, help=help_text)
        parser.addini(f"elevate_sandbox_{key}", help_text, default=default)


def _option(config: pytest.Config, name: str) -> str:
    key = f"elevate_sandbox_{name.replace('-', '_')}"
    value = config.getoption(key)
    return str(value if value is not None else config.getini(key))


class ElevateSandbox:
    """One test's view of the sandbox: its own tenant, a token for it, and the control calls."""

    def __init__(self, base_url: str, token: str, tenant: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_url = f"{self.base_url}/v1"
        self.token = token
        self.tenant = tenant
        self.headers = {"Authorization": f"Bearer {token}"}

    def client(self, **kwargs: Any) -> Any:
        """An httpx.Client on the Elevate API (``/v1``) with this test's token; close it, or use ``with``.

        Unless ``kwargs`` choose how it connects (``verify``, ``transport``, ...), it uses the session's
        keep-alive connections: closing it leaves them open for the next test's client.
        """
        import httpx

        if CONNECTION_OPTIONS.isdisjoint(kwargs) and not _environment_proxies():
            kwargs["transport"] = _LentConnections(_session_connections())
        else:
            kwargs.setdefault("verify", _tls())
        return httpx.Client(base_url=self.api_url, headers=self.headers, **kwargs)

    def _control(self, path: str, body: dict[str, Any] | None = None, method: str = "POST") -> Any:
        url = f"{self.base_url}/_sandbox{path}"
        body = (body or {}) if method == "POST" else None
        response = _control_client().request(method, url, json=body, headers=self.headers)
        payload = response.json() if response.content else None
        message = payload.get("message", "") if isinstance(payload, dict) else ""
        # A path the server does not route (not an unknown record, which is a 404 with its own message).
        if response.status_code == 405 or (response.status_code == 404 and message.startswith("No such path")):
            raise SandboxControlMissing(
                f"{method} /_sandbox{path} answered {response.status_code}: this sandbox has no such control "
                "endpoint (upgrade elevate-sandbox, or point --elevate-sandbox-url at an elevate-sandbox)"
            )
        if response.status_code >= 400:
            raise SandboxControlError(
                f"{method} /_sandbox{path} answered {response.status_code}: {response.text}",
                response.status_code,
                payload,
            )
        return payload

    def reset(self, seed: int | None = None, dataset: str | None = None) -> Any:
        """Start this test's tenant again from a seed and dataset (by default the ones it started from)."""
        body = {key: value for key, value in (("seed", seed), ("dataset", dataset)) if value is not None}
        return self._control("/reset", body)

    def advance_clock(self, by: str | int | float | timedelta = "P1D") -> Any:
        """Move this tenant's clock on (an ISO 8601 duration such as P1D or PT2H, seconds, or a timedelta);
        whatever falls due on the way moves, as it would in Elevate."""
        advance = by.total_seconds() if isinstance(by, timedelta) else by
        if isinstance(advance, float):
            # The control API takes whole seconds (or an ISO duration): 7200.0 is sent as 7200.
            if not advance.is_integer():
                raise ValueError(f"advance_clock moves in whole seconds, not {advance}")
            advance = int(advance)
        return self._control("/clock", {"advanceBy": advance})

    def simulate(self, scenario: str, resource_id: int | str | None = None, **fields: Any) -> Any:
        """Make a provider event happen to one record (``payment_failed`` on invoice payment 12, ...)."""
        body = {"scenario": scenario, **fields}
        if resource_id is not None:
            body["resourceId"] = resource_id
        return self._control("/simulations", body)

    # -- business data, through the control API: tests read as business steps ----------------------

    def create_customer(
        self,
        name: str | None = None,
        *,
        credit_threshold: float | None = None,
        contract_owner_id: int = 1,
        **fields: Any,
    ) -> dict[str, Any]:
        """A customer of this tenant (balance 0): ``{"id", "name", "balance", "creditThreshold", ...}``."""
        body = {"name": name or f"Customer {next(_numbers)}", "contractOwnerId": contract_owner_id, **fields}
        if credit_threshold is not None:
            body["creditThreshold"] = credit_threshold
        return dict(self._control("/customers", body))

    def create_site(self, customer: dict[str, Any] | int, name: str | None = None, **fields: Any) -> dict[str, Any]:
        """A site of ``customer`` (a record from ``create_customer`` or its id)."""
        body = {"customerId": _id_of(customer), **fields}
        if name is not None:
            body["name"] = name
        return dict(self._control("/sites", body))

    def create_invoice(
        self,
        customer: dict[str, Any] | int,
        amount: float | str,
        *,
        bill_run_type: str = "NORMAL",
        invoice_date: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """An unpaid invoice of ``amount`` for ``customer`` (``bill_run_type`` NORMAL or ADHOC): the customer now
        owes it. ``invoice_date`` is an ISO date (default: the tenant's today)."""
        body = {"customerId": _id_of(customer), "billRunType": bill_run_type, "amountInMajorCurrency": float(amount)}
        if invoice_date is not None:
            body["invoiceDate"] = invoice_date
        return dict(self._control("/invoices", {**body, **fields}))

    def invoice(self, invoice: dict[str, Any] | int) -> dict[str, Any]:
        """An invoice as it stands now (payment status, collected, refunded and outstanding amounts)."""
        return dict(self._control(f"/invoices/{_id_of(invoice)}", method="GET"))

    def customer(self, customer: dict[str, Any] | int) -> dict[str, Any]:
        """A customer as it stands now (its balance: negative when it owes money)."""
        return dict(self._control(f"/customers/{_id_of(customer)}", method="GET"))

    def __repr__(self) -> str:
        return f"ElevateSandbox(base_url={self.base_url!r}, tenant={self.tenant!r})"


def _id_of(record: dict[str, Any] | int) -> int:
    return int(record["id"]) if isinstance(record, dict) else int(record)


class _Server:
    """The session's sandbox: started here, or one that already runs at a URL."""

    def __init__(self, config: pytest.Config) -> None:
        self.url = _option(config, "url").rstrip("/")
        self._live: Any = None
        if not self.url:
            # The server's libraries warn about their own dependencies while they load and start: a suite that
            # turns warnings into errors (filterwarnings = error) must not fail on warnings that are not its own.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from elevate_sandbox.live import LiveSandbox
                from elevate_sandbox.settings import Settings

                settings = Settings(
                    port=0,
                    dataset=_option(config, "dataset"),
                    seed=int(_option(config, "seed")),
                    freeze_time=_option(config, "freeze-time") or None,
                )
                self._live = LiveSandbox(settings).start()
            self.url = self._live.base_url
        self.tenants = _Tenants(self)

    def token(self, tenant: str) -> str:
        if self._live is not None:
            return self._live.token(tenant)
        response = _control_client().post(f"{self.url}/_sandbox/tokens", json={"tenant": tenant}, timeout=30)
        response.raise_for_status()
        return response.json()["token"]

    def stop(self) -> None:
        self.tenants.close()
        if self._live is not None:
            self._live.stop()


class _Lease(NamedTuple):
    """A tenant one test has: its name, its token, and when that token was minted (time.monotonic)."""

    tenant: str
    token: str
    minted: float

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class _Tenants:
    """The session's test tenants: a new one for a test, or one that a finished test freed.

    A finished test's tenant is freed with DELETE /_sandbox/state, sent when the test ends; its answer is
    read when the next test ends, so that the server frees it while pytest runs the next test, which
    never waits for it (a round trip less per test; more than a loopback's against a remote sandbox).
    Only a tenant the server confirmed freed (204) serves again, so two tenants take turns: its state is
    gone, it starts afresh, and its token was minted less than REUSE_TOKEN_SECONDS ago.
    """

    def __init__(self, server: _Server) -> None:
        self._server = server
        self._spare: list[_Lease] = []
        self._freeing = None if _environment_proxies() else _Freeing(server.url)
        self._pending: _Lease | None = None  # freed, its answer not read yet: not to be given out
        self._lock = threading.RLock()

    def lease(self) -> _Lease:
        """A tenant for one test: one a finished test freed (it starts afresh), or a new one."""
        now = time.monotonic()
        with self._lock:
            while self._spare:
                lease = self._spare.pop()
                if now - lease.minted < REUSE_TOKEN_SECONDS:
                    return lease
        # Unique across workers and runs; tenant names allow letters, digits, '.', '_' and '-' (64 at most).
        tenant = f"t{next(_numbers)}-{uuid.uuid4().hex[:12]}"
        return _Lease(tenant, self._server.token(tenant), now)

    def finish(self, lease: _Lease) -> None:
        """Free a finished test's tenant (so that the server never fills up), and keep it for a later test."""
        with self._lock:
            self._settle()
            if self._freeing is None:  # through the environment's proxies, as httpx goes: answered at once
                if self._free_through_httpx(lease):
                    self._spare.append(lease)
                return
            try:
                self._freeing.send("DELETE", "/_sandbox/state", lease.headers)
            except (OSError, http.client.HTTPException):
                return  # a server that went away has nothing to free
            self._pending = lease

    def close(self) -> None:
        with self._lock:
            self._settle()
            if self._freeing is not None:
                self._freeing.close()

    def _settle(self) -> None:
        """Read the answer to the last free: a tenant the server freed serves again."""
        lease, self._pending = self._pending, None
        if lease is None or self._freeing is None:
            return
        try:
            freed = self._freeing.answer() == 204
        except (OSError, http.client.HTTPException):
            freed = False
        if freed:
            self._spare.append(lease)

    def _free_through_httpx(self, lease: _Lease) -> bool:
        import httpx

        try:
            response = _control_client().delete(f"{self._server.url}/_sandbox/state", headers=lease.headers)
        except httpx.HTTPError:
            return False
        # A server without that call (older, answering 404/405) frees nothing: the tenant is not used again.
        return response.status_code == 204


@pytest.fixture(scope="session")
def elevate_sandbox_server(request: pytest.FixtureRequest) -> Iterator[_Server]:
    """The session's sandbox server (one per session, or per xdist worker)."""
    server = _Server(request.config)
    yield server
    server.stop()
    _close_connections()


@pytest.fixture
def elevate_sandbox(elevate_sandbox_server: _Server, request: pytest.FixtureRequest) -> Iterator[ElevateSandbox]:
    """A sandbox tenant of this test's own: ``base_url``, ``token``, ``client()``, ``reset()``,
    ``advance_clock()`` and ``simulate()``."""
    lease = elevate_sandbox_server.tenants.lease()
    yield ElevateSandbox(elevate_sandbox_server.url, lease.token, lease.tenant)
    elevate_sandbox_server.tenants.finish(lease)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every client: httpx would load the CA bundle again for each (~40 ms)."""
    return ssl.create_default_context()


@functools.cache
def _control_client() -> Any:
    """One keep-alive client for the plugin's own calls between tests (it lives as long as the session)."""
    import httpx

    return httpx.Client(timeout=60, verify=_tls())


class _Freeing:
    """One keep-alive connection for the call the plugin makes after every test (DELETE /_sandbox/state).

    The standard library's http.client spends about a third of the CPU httpx does on a request, and this
    one is made once per test. A request is sent, and its answer read later. Only for idempotent calls:
    one that fails on a connection the server closed while it was idle (its keep-alive timeout) is sent
    once more on a new connection. Not thread-safe: its user holds a lock.
    """

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self._secure = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._secure else 80)
        self._prefix = parts.path.rstrip("/")
        self._connection: http.client.HTTPConnection | None = None
        self._sent: tuple[str, str, dict[str, str]] | None = None

    def send(self, method: str, path: str, headers: dict[str, str]) -> None:
        """Send an idempotent request; ``answer`` reads its answer (before anything else is sent)."""
        self._sent = (method, path, headers)
        try:
            self._write(method, path, headers)
        except (OSError, http.client.HTTPException):
            self.close()  # the server closed it while it was idle: on a new connection
            self._once_more(self._write, method, path, headers)

    def answer(self) -> int:
        """The status of the request sent last (waits for it)."""
        assert self._connection is not None and self._sent is not None
        try:
            return self._read()
        except (OSError, http.client.HTTPException):
            # Closed by the server before it read the request (its keep-alive timeout): once more, on a new one.
            self.close()
            self._once_more(self._write, *self._sent)
            return self._once_more(self._read)

    def _once_more(self, step: Any, *args: Any) -> Any:
        try:
            return step(*args)
        except (OSError, http.client.HTTPException):
            self.close()  # failed twice: the server went away; the next request starts a new connection
            raise

    def _write(self, method: str, path: str, headers: dict[str, str]) -> None:
        connection = self._connection or self._connect()
        connection.request(method, self._prefix + path, headers=headers)

    def _read(self) -> int:
        assert self._connection is not None
        response = self._connection.getresponse()
        response.read()
        return response.status

    def _connect(self) -> http.client.HTTPConnection:
        if self._secure:
            self._connection = http.client.HTTPSConnection(self._host, self._port, timeout=60, context=_tls())
        else:
            self._connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@functools.cache
def _environment_proxies() -> bool:
    """Whether the environment names proxies (httpx would route a default client through them)."""
    return bool(urllib.request.getproxies())


@functools.cache
def _session_connections() -> Any:
    """The keep-alive connections every test's client uses (one pool for the session)."""
    import httpx

    return httpx.HTTPTransport(verify=_tls())


def _close_connections() -> None:
    """Close the session's keep-alive connections (the plugin's own and the tests' clients')."""
    for connections in (_control_client, _session_connections):
        if connections.cache_info().currsize:
            connections().close()
            connections.cache_clear()


class _LentConnections:
    """The session's connections as one client's transport (httpx's transport interface): the client's
    close leaves them open, since the next test's client uses them too. They close when the session ends."""

    def __init__(self, connections: Any) -> None:
        self._connections = connections

    def handle_request(self, request: Any) -> Any:
        return self._connections.handle_request(request)

    def close(self) -> None:
        pass

    def __enter__(self) -> _LentConnections:
        return self

    def __exit__(self, *_: Any) -> None:
        pass
