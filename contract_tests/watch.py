"""A target that fails is a finding: transport errors are recorded, and a target that stopped answering ends the run.

Every request the kit sends goes through ``WATCH.call``. A transport error (refused or reset connection,
timeout) is recorded as a ``target_answers`` finding on the operation. Then the target is asked once
more, with a short timeout: when it does not answer either, the moment and the last request are kept as
the run's target failure, and ``TargetDown`` ends the test at once (a ``BaseException``, so that
Hypothesis does not try to shrink a dead server) and the session stops with that verdict.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import requests

from elevate_sandbox.contract_tests.report import Recorder, TargetFailure, now_iso
from elevate_sandbox.contract_tests.target import http_client

CHECK = "target_answers"
PROBE_TIMEOUT = 10.0
# More transport errors than this in one run is a target that cannot be tested, even if it still answers.
MAX_TRANSPORT_ERRORS = 10
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    httpx.TransportError,
    requests.ConnectionError,
    requests.Timeout,
)


class TargetDown(BaseException):
    """The target stopped answering: the running test ends and the session stops."""


@dataclass(slots=True)
class Watch:
    """The session's watch on the target (configured by the kit's plugin)."""

    recorder: Recorder | None = None
    probe_url: str = ""
    token: str = ""
    errors: int = 0
    # The last request sent (operation, curl or what renders it): a test that fails outside any check
    # (a setup write refused) is reported with it. Cleared when each test starts.
    last: tuple[str, str | Callable[[], str]] | None = None

    def last_request(self) -> tuple[str, str] | None:
        """The operation and curl line of the last request since the running test started, if any."""
        if self.last is None:
            return None
        operation, describe = self.last
        return operation, describe if isinstance(describe, str) else describe()

    @property
    def down(self) -> bool:
        return self.recorder is not None and self.recorder.target_failure is not None

    def guard(self) -> None:
        """Raise ``TargetDown`` when the target already stopped answering (nothing more is sent)."""
        failure = self.recorder.target_failure if self.recorder is not None else None
        if failure is not None:
            raise TargetDown(failure.error)

    @contextlib.contextmanager
    def call(self, operation: str, describe: str | Callable[[], str]) -> Iterator[None]:
        """Around one request to ``operation`` (``describe``: the request as curl, or what renders it)."""
        self.guard()
        self.last = (operation, describe)
        try:
            yield
        except TRANSPORT_ERRORS as exc:
            self.failed(operation, describe if isinstance(describe, str) else describe(), exc)
            raise

    def failed(self, operation: str, describe: str, exc: BaseException) -> None:
        """Record a transport error; raise ``TargetDown`` when the target no longer answers at all."""
        if self.recorder is None:
            return
        error = f"{type(exc).__name__}: {exc}"
        self.errors += 1
        self.recorder.failure(operation, CHECK, f"no answer: {type(exc).__name__}", error, describe)
        if self.errors <= MAX_TRANSPORT_ERRORS and self._answers():
            return
        self.recorder.target_failure = TargetFailure(
            moment=now_iso(),
            error=self.recorder.redact(error),
            last_request=self.recorder.redact(describe),
            test=self.recorder.current_test,
        )
        raise TargetDown(error) from exc

    def _answers(self) -> bool:
        if not self.probe_url:
            return True
        try:
            with http_client(timeout=PROBE_TIMEOUT) as client:
                client.get(self.probe_url, headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError:
            return False
        return True


WATCH = Watch()
