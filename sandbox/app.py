"""create_app(settings): wires Connexion, the resolver, validation, auth and error rendering; no rules."""

from __future__ import annotations

import copy
import logging
from contextlib import asynccontextmanager
from typing import Any

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.middleware import MiddlewarePosition
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.resolver import Resolver
from connexion.security import BearerSecurityHandler
from starlette.exceptions import HTTPException

from elevate_sandbox.api import (
    contract_check,
    handlers,  # noqa: F401  (importing registers every handler; a broken import stops the start)
)
from elevate_sandbox.api import errors as error_handlers
from elevate_sandbox.api.body_limits import BodyLimits
from elevate_sandbox.api.middleware import RuntimeMiddleware
from elevate_sandbox.api.operations import OnceDecoratedApi, add_middleware_before, middlewares
from elevate_sandbox.api.recording import JournalMiddleware
from elevate_sandbox.api.registry import resolve
from elevate_sandbox.api.rendering import OrjsonJsonifier
from elevate_sandbox.api.requests import FixedDefinitionsURIParser
from elevate_sandbox.api.validation import validator_map
from elevate_sandbox.auth import read_token
from elevate_sandbox.domain.errors import SandboxError
from elevate_sandbox.persistence import ChangeTracker, StateFile
from elevate_sandbox.runtime import Runtime
from elevate_sandbox.settings import Settings
from elevate_sandbox.store import Store


def _bearer_handler(runtime: Runtime) -> type[BearerSecurityHandler]:
    """A bearer handler bound to this app's secret, so the contract needs no x-bearerInfoFunc."""

    def token_info(token: str) -> dict[str, Any]:
        claims = read_token(token, runtime.settings.jwt_secret, runtime.auth_clock)
        return {"sub": claims["tenant"], "tenant": claims["tenant"], "claims": claims}

    class SandboxBearer(BearerSecurityHandler):
        def _resolve_func(self, security_scheme: dict) -> Any:
            return token_info

        @staticmethod
        def _accepts_kwarg(func: Any, keyword: str) -> bool:
            # Connexion inspects the check's signature twice a request to ask this; token_info takes
            # the token alone (no required_scopes, no request).
            return False

    return SandboxBearer


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


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> AsyncApp:
    """Build the ASGI app: the Elevate API under /v1 and the control API under /_sandbox."""
    # Connexion logs an ERROR for every undocumented query parameter; they are ignored, as Elevate would.
    logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
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
    app = AsyncApp(__name__, jsonifier=OrjsonJsonifier(), lifespan=_lifespan(state_file), middlewares=middlewares())
    # Handlers decorated once per operation, not once per request (sandbox/api/operations.py).
    app._middleware_app.api_cls = OnceDecoratedApi  # type: ignore[misc]
    common = {
        "resolver": Resolver(function_resolver=resolve),
        "validate_responses": settings.validate_responses,
        "security_map": {"bearer": _bearer_handler(runtime)},
        "validator_map": validator_map(),
        "pythonic_params": False,
        "strict_validation": False,
        "uri_parser_class": FixedDefinitionsURIParser,
    }
    # Only the sandbox's own contracts get the compiled start-up check (sandbox/api/contract_check.py).
    with contract_check.compiled_meta_schema_check():
        app.add_api(copy.deepcopy(runtime.elevate_spec), base_path="/v1", name="elevate", **common)
        app.add_api(
            copy.deepcopy(runtime.control_spec),
            base_path="/_sandbox",
            name="control",
            swagger_ui_options=None,
            **common,
        )
    # Before Swagger UI and routing, after the exception handlers.
    add_middleware_before(
        app,
        SwaggerUIMiddleware,
        BodyLimits,
        max_bytes=settings.max_body_bytes,
        overrides={"/_sandbox/state": settings.max_state_bytes},
    )
    app.add_middleware(RuntimeMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, runtime=runtime)
    if settings.journal_size > 0:
        app.add_middleware(
            JournalMiddleware,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            store=runtime.store,
            secret=settings.jwt_secret,
        )
    if state_file is not None:
        app.add_middleware(ChangeTracker, position=MiddlewarePosition.BEFORE_EXCEPTION, store=runtime.store)
    app.add_error_handler(SandboxError, error_handlers.sandbox_error)
    app.add_error_handler(ProblemException, error_handlers.problem_error)
    app.add_error_handler(HTTPException, error_handlers.http_error)
    app.add_error_handler(Exception, error_handlers.unexpected_error)
    app.runtime = runtime  # type: ignore[attr-defined]
    app.state_file = state_file  # type: ignore[attr-defined]
    return app
