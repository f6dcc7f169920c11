"""The app: one Connexion AsyncApp serving every API in the registry (registry.py) under its mount.

A request travels: CORS -> each unit's edge middleware (Oracle only: request id, status lists) ->
Connexion's error handling (every error rendered by error_rendering.py) -> Swagger UI -> routing
(404/405) -> security (security.py) -> validation (validation.py) -> the handler, found by operationId.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from connexion import AsyncApp
from connexion.exceptions import ProblemException, ResolverError
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.resolver import Resolver
from patientmsg.mockserver.cors import cors_middleware
from patientmsg.mockserver.error_rendering import handle_exception
from patientmsg.mockserver.mounts import served_spec
from patientmsg.mockserver.registry import UNITS
from patientmsg.mockserver.routing import VendorRoutingMiddleware
from patientmsg.mockserver.security import security_map
from patientmsg.mockserver.service import health, index
from patientmsg.mockserver.state import Clock, Sandbox
from patientmsg.mockserver.validation import VALIDATORS
from starlette.exceptions import HTTPException

__all__ = ["create_app"]


def _resolver(api: str, sandbox: Sandbox) -> Resolver:
    """operationId -> the API module's handler, bound to this app's sandbox."""

    def resolve(operation_id: str) -> Callable[..., Any]:
        try:
            return functools.partial(UNITS[api].handlers[operation_id], sandbox)
        except KeyError:
            raise ResolverError(f"{api}: no handler for operationId {operation_id!r}") from None

    return Resolver(resolve)


def _middlewares(sandbox: Sandbox, cors_origins: Sequence[str]) -> list[Any]:
    # Connexion's default stack without response validation (Schemathesis checks responses in the
    # tests; per request it would re-parse every body), wrapped in CORS and the units' edges.
    edges = [
        functools.partial(unit.edge, sandbox=sandbox) for unit in UNITS.values() if unit.edge is not None
    ]
    return [
        cors_middleware(cors_origins),
        *edges,
        functools.partial(ServerErrorMiddleware, handler=handle_exception),
        ExceptionMiddleware,
        SwaggerUIMiddleware,
        VendorRoutingMiddleware,
        SecurityMiddleware,
        RequestValidationMiddleware,
        LifespanMiddleware,
        ContextMiddleware,
    ]


def create_app(
    conn: sqlite3.Connection, clock: Clock, *, seed: int, cors_origins: Sequence[str] = ()
) -> AsyncApp:
    """The sandbox over an open store (see patientmsg.fixtures.open_store) and an injected clock.

    Browsers may call it from loopback origins, and from `cors_origins` (`*`: any), see cors.py.
    """
    sandbox = Sandbox.load(conn, clock, seed=seed)
    app = AsyncApp(__name__, middlewares=_middlewares(sandbox, cors_origins), validator_map=VALIDATORS)
    for api, unit in UNITS.items():
        app.add_api(
            served_spec(api),
            base_path=unit.prefix,
            name=api,
            resolver=_resolver(api, sandbox),
            security_map=security_map(api, sandbox),
        )
    # Connexion's own handlers answer problem+json; these classes cover every source of errors.
    for kind in (Exception, HTTPException, ProblemException):
        app.add_error_handler(kind, handle_exception)
    app.add_url_rule("/health", "health", functools.partial(health, sandbox), methods=["GET"])
    app.add_url_rule("/", "index", index, methods=["GET"])
    return app
