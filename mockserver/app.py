"""The app: one Connexion AsyncApp serving every API in the registry (registry.py) under its mount.

A request travels: the sandbox edge (sandbox_edge.py: /_sandbox/ to the control app; root vendor
paths to their mount; the Patientmsg-Sandbox world; the journal) -> CORS -> each unit's edge
middleware (Oracle only: request id, status lists) -> Connexion's error handling (every error rendered
by error_rendering.py) -> Swagger UI -> routing (404/405) -> the fault gate (fault rules, Prefer) ->
security (security.py) -> validation (validation.py) -> the handler, found by operationId.
Handlers are bound to a WorldSwitch (worlds.py), which reads the request's world.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, cast

from connexion import AsyncApp
from connexion.exceptions import ProblemException, ResolverError
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from connexion.resolver import Resolver
from patientmsg.fixtures import Clock, sandbox_config
from patientmsg.mockserver.access_log import AccessLog
from patientmsg.mockserver.control import ControlEntry, control_app
from patientmsg.mockserver.cors import cors_middleware
from patientmsg.mockserver.dispatch import PlannedApi
from patientmsg.mockserver.error_rendering import handle_exception
from patientmsg.mockserver.mounts import served_spec
from patientmsg.mockserver.path_converters import VendorRoutingMiddleware
from patientmsg.mockserver.registry import UNITS
from patientmsg.mockserver.sandbox_edge import FaultGate, SandboxEdge, WorldRefusal
from patientmsg.mockserver.security import security_map
from patientmsg.mockserver.service import credentials_note, documented_statuses, health, index
from patientmsg.mockserver.settings import ServeSettings
from patientmsg.mockserver.state import Sandbox
from patientmsg.mockserver.validation import VALIDATORS
from patientmsg.mockserver.worlds import Worlds, WorldSwitch
from patientmsg.specs import load_spec, operations
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


class _RefsKeptAPI(SwaggerUIAPI):  # type: ignore[misc]
    # Connexion serves openapi.json with every $ref inlined; a client generator then names each
    # copy after where it sits (ListInboxMessagesResponse200...) and clashes on the duplicates.
    # The served file keeps the components, as shipped, with only the servers adapted.
    def _spec_for_prefix(self, request: Any) -> dict[str, Any]:
        raw: dict[str, Any] = self.specification.with_base_path(self._base_path_for_prefix(request)).raw
        return raw


# What Swagger UI's router serves under a mount (exact, or /ui/...): its spec files and pages.
_UI_PATHS = frozenset({"/openapi.json", "/openapi.yaml", "/ui", "/ui/"})


class _ServedSpecUI(SwaggerUIMiddleware):  # type: ignore[misc]
    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._mounts: list[str] = []

    def add_api(self, specification: Any, base_path: str | None = None, **kwargs: Any) -> None:
        api = _RefsKeptAPI(specification, base_path=base_path, default=self.default_fn, **kwargs)
        self.router.mount(api.base_path, app=api.router)
        self._mounts.append(api.base_path)

    def _for_ui(self, path: str) -> bool:
        # Whether Swagger UI's router could answer (a page, a spec, a slash redirect): an API
        # request goes on at once instead of through one more router (5% of a read, profiled).
        for mount in self._mounts:
            if path == mount:
                return True
            if path.startswith(mount + "/"):
                rest = path[len(mount) :]
                return rest.rstrip("/") in _UI_PATHS or rest in _UI_PATHS or rest.startswith("/ui/")
        return True

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not self._for_ui(scope["path"]):
            await self.app(scope.copy(), receive, send)
            return
        await super().__call__(scope, receive, send)


def _middlewares(
    sandbox: Sandbox,
    worlds: Worlds,
    settings: ServeSettings,
    cors_origins: Sequence[str],
    access_log: AccessLog | None,
) -> list[Any]:
    # Connexion's default stack without response validation (Schemathesis checks responses in the
    # tests; per request it would re-parse every body), wrapped in CORS and the units' edges, and
    # outermost the sandbox edge (control API, root paths, worlds, journal).
    edges = [
        functools.partial(unit.edge, sandbox=sandbox) for unit in UNITS.values() if unit.edge is not None
    ]
    documented = {
        (api, op["operationId"]): documented_statuses(op)
        for api in UNITS
        for _, _, op in operations(load_spec(api))
        if "operationId" in op
    }
    control = ControlEntry(functools.partial(control_app, worlds), settings)
    return [
        functools.partial(SandboxEdge, worlds=worlds, control=control, access_log=access_log),
        cors_middleware(cors_origins),
        *edges,
        functools.partial(ServerErrorMiddleware, handler=handle_exception),
        ExceptionMiddleware,
        WorldRefusal,
        _ServedSpecUI,
        VendorRoutingMiddleware,
        functools.partial(FaultGate, worlds=worlds, documented=documented),
        SecurityMiddleware,
        RequestValidationMiddleware,
        LifespanMiddleware,
        ContextMiddleware,
    ]


def _scenario(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key = 'scenario'").fetchone()
    return str(row[0]) if row else "default"


def create_app(
    conn: sqlite3.Connection,
    clock: Clock,
    *,
    seed: int,
    settings: ServeSettings | None = None,
    cors_origins: Sequence[str] = (),
    access_log: AccessLog | None = None,
) -> AsyncApp:
    """The sandbox over an open store (see patientmsg.fixtures.open_store) and an injected clock.

    Browsers may call it from loopback origins, and from `cors_origins` (`*`: any), see cors.py.
    Every request answered is written to `access_log` when one is given (`serve`'s default).
    """
    settings = settings or ServeSettings()
    scenario = settings.scenario or _scenario(conn)
    worlds = Worlds(
        Sandbox.load(conn, clock, seed=seed),
        scenario=scenario,
        start=clock.now(),
        store_backed=settings.store_backed,
        journal_size=settings.journal_size,
        max_worlds=settings.max_worlds,
        idle_seconds=settings.world_idle_seconds,
        operations={
            api: frozenset(
                op["operationId"] for _, _, op in operations(load_spec(api)) if "operationId" in op
            )
            for api in UNITS
        },
    )
    # Everything bound at start-up is bound to the switch, which reads the request's world.
    sandbox = cast(Sandbox, WorldSwitch(worlds))
    app = AsyncApp(
        __name__,
        middlewares=_middlewares(sandbox, worlds, settings, cors_origins, access_log),
        validator_map=VALIDATORS,
    )
    # Handlers of reads are called as planned at start-up (dispatch.py), not through Connexion's
    # per-request decorators.
    app._middleware_app.api_cls = PlannedApi
    try:
        shown: dict[str, Any] | None = sandbox_config(scenario, seed=seed)
    except ValueError:  # a scenario file that cannot be read again: the pages simply say less
        shown = None
    for api, unit in UNITS.items():
        app.add_api(
            served_spec(api, credentials=credentials_note(api, shown)),
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
