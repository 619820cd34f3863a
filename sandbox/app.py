"""create_app(settings): the sandbox's ASGI app, the request pipeline in front of the stock Connexion app."""

from __future__ import annotations

import copy
import functools
from contextlib import asynccontextmanager
from typing import Any

from elevate_sandbox.api import errors as error_handlers
from elevate_sandbox.api import (
    handlers,  # noqa: F401  (importing registers every handler; a broken import stops the start)
    rendering,
)
from elevate_sandbox.api.body_limits import BodyLimits
from elevate_sandbox.api.middleware import RuntimeMiddleware
from elevate_sandbox.api.recording import JournalMiddleware, journal_recorder
from elevate_sandbox.api.registry import resolve
from elevate_sandbox.api.rendering import OrjsonJsonifier
from elevate_sandbox.auth import read_token
from elevate_sandbox.http.operations import served_operations
from elevate_sandbox.http.pipeline import Pipeline
from elevate_sandbox.http.stock import stock_app
from elevate_sandbox.persistence import ChangeTracker, StateFile
from elevate_sandbox.runtime import Runtime
from elevate_sandbox.settings import Settings
from elevate_sandbox.store import Store


def _lifespan(state_file: StateFile | None) -> Any:
    """Save the state file periodically while serving, and once more on shutdown."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> Any:
        if state_file is not None:
            state_file.start()
        try:
            yield
        finally:
            if state_file is not None:
                state_file.stop()

    return lifespan


# Tokens whose checks passed, kept with their expiry: a client sends the same token again and again.
TOKENS_KEPT = 1024


def _token_info(runtime: Runtime) -> Any:
    passed: dict[str, tuple[float, dict[str, Any]]] = {}

    def token_info(token: str) -> dict[str, Any]:
        known = passed.get(token)
        if known is not None and known[0] > runtime.auth_clock.now().timestamp():
            return known[1]
        claims = read_token(token, runtime.settings.jwt_secret, runtime.auth_clock)  # refuses in its own words
        info = {"sub": claims["tenant"], "tenant": claims["tenant"], "claims": claims}
        if len(passed) >= TOKENS_KEPT:
            passed.clear()
        expires = claims["exp"]
        if isinstance(expires, int | float):  # always: read_token refuses a token whose exp is not a number
            passed[token] = (float(expires), info)
        return info

    return token_info


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Any:
    """Build the ASGI app: the Elevate API under /v1 and the control API under /_sandbox."""
    settings = settings or Settings()
    if runtime is None:
        from elevate_sandbox.fixtures import build_dataset

        runtime = Runtime(settings=settings, store=Store(settings, build_dataset))
    state_file = None
    if settings.state_file:
        # Restored before anything is served; a corrupt or incompatible file raises StateFileError.
        state_file = StateFile(
            settings.state_file,
            runtime.store,
            settings.save_interval,
            settings.base_url,
            page_secret=settings.hosted_page_secret,
        )
        state_file.restore()
        runtime.state_file = state_file
    token_info = _token_info(runtime)
    body_overrides = {"/_sandbox/state": settings.max_state_bytes}
    outer: list[tuple[type, dict[str, Any]]] = [(RuntimeMiddleware, {"runtime": runtime})]
    if settings.journal_size > 0:
        outer.append((JournalMiddleware, {"store": runtime.store, "secret": settings.jwt_secret}))
    if state_file is not None:
        outer.append((ChangeTracker, {"store": runtime.store}))
    # Connexion reads (and may change) what it is given: each app gets its own copy of the contracts.
    specs = [
        ("/v1", "elevate", copy.deepcopy(runtime.elevate_spec), True),
        ("/_sandbox", "control", copy.deepcopy(runtime.control_spec), False),
    ]
    jsonifier = OrjsonJsonifier()
    stock = functools.partial(
        stock_app,
        specs=specs,
        resolve=resolve,
        token_info=token_info,
        jsonifier=jsonifier,
        validate_responses=settings.validate_responses,
        max_body_bytes=settings.max_body_bytes,
        body_overrides=body_overrides,
        outer=outer,
        error_handlers=error_handlers.HANDLERS,
    )
    if settings.stock_connexion:
        app: Any = stock(lifespan=_lifespan(state_file))
    else:
        operations = served_operations(
            [("/v1", copy.deepcopy(runtime.elevate_spec)), ("/_sandbox", copy.deepcopy(runtime.control_spec))],
            resolve,
        )
        app = Pipeline(
            stock,
            operations,
            runtime=runtime,
            token_info=token_info,
            guard=BodyLimits(None, settings.max_body_bytes, body_overrides),
            error_handlers=error_handlers.HANDLERS,
            dumps=rendering.dumps,
            validate_responses=settings.validate_responses,
            journal=journal_recorder(runtime.store, settings.jwt_secret) if settings.journal_size > 0 else None,
            touch=runtime.store.touch if state_file is not None else None,
            lifespan=_lifespan(state_file),
        )
    app.runtime = runtime
    app.state_file = state_file
    return app
