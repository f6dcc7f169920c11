"""The control API under /_sandbox/ (specs/sandbox-control.yaml): reset, journal, faults, clock, world.

A Connexion app of its own, reached only through `SandboxEdge`: it never passes CORS, the journal
or the fault gate. `ControlEntry` guards it first: off unless enabled, the Host header must name the
bound address (DNS rebinding), a foreign Origin is refused, and a control token, when set, is required.
Errors are `{"error": code, "message": text}`, always a 4xx for bad input.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hmac
import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from connexion import AsyncApp
from connexion.exceptions import ProblemException, ResolverError
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.resolver import Resolver
from patientmsg.fixtures import sandbox_config
from patientmsg.fixtures.clock import utc_whole
from patientmsg.mockserver.faults import FaultInputError
from patientmsg.mockserver.mounts import MOUNTS, ROOT_APIS
from patientmsg.mockserver.settings import ServeSettings, is_loopback
from patientmsg.mockserver.worlds import DEFAULT_WORLD, World, WorldError, Worlds
from patientmsg.specs import load_control_spec
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["PREFIX", "ControlEntry", "control_app"]

PREFIX = "/_sandbox"
logger = logging.getLogger("patientmsg.mockserver")

# The request's Patientmsg-Sandbox header, read by the entry and used by the handlers.
_HEADER: contextvars.ContextVar[str | None] = contextvars.ContextVar("patientmsg_control_world", default=None)
_CODES = {
    429: "too_many_worlds",
    400: "invalid_parameter",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    415: "unsupported_media_type",
    503: "service_unavailable",
}


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status
        self.message = message


def _json(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        content_type="application/json",
        body=json.dumps(payload, separators=(",", ":")).encode(),
        headers=headers or {},
    )


def _error(status: int, message: str) -> dict[str, Any]:
    return {"error": _CODES.get(status, "error"), "message": message}


async def _handle(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    path = request.scope.get("path", "")
    if isinstance(exc, WorldError):
        return _json(exc.status_code, _error(exc.status_code, exc.message), headers=exc.headers)
    if isinstance(exc, ControlError):
        return _json(exc.status_code, _error(exc.status_code, exc.message))
    if isinstance(exc, FaultInputError):
        return _json(400, _error(400, str(exc)))
    if isinstance(exc, UnicodeDecodeError):  # Connexion's JSON body parser decodes before it parses
        return _json(400, _error(400, "The request body is not UTF-8 JSON."))
    if isinstance(exc, ProblemException) and exc.status_code < 500:
        # The validator's first line says what is wrong; the schema dump after it is noise.
        detail = str(exc.detail or exc.title or "Bad request.").split("\n\nFailed validating", 1)[0]
        return _json(exc.status_code, _error(exc.status_code, detail))
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        if exc.status_code == 404:
            message = f"No control operation at {path}; the control API is documented at {PREFIX}/ui/."
        elif exc.status_code == 405:
            message = f"{request.scope.get('method')} is not allowed on {path}."
        else:
            message = str(exc.detail)
        return _json(exc.status_code, _error(exc.status_code, message), headers=dict(exc.headers or {}))
    logger.error("unhandled error on control %s", path, exc_info=exc)
    return _json(500, _error(500, "The control API failed; see the sandbox's log."))


# The clock's reach: every date the sandbox derives (90-day windows, token expiry) stays representable.
_EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


def _in_reach(moment: dt.datetime, name: str) -> dt.datetime:
    if not _EARLIEST <= moment <= _LATEST:
        raise ControlError(
            400, f"{name} must fall between 1900-01-01 and 9000-01-01, not {moment.isoformat()}."
        )
    return moment


def _iso(value: str, name: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ControlError(
            400, f"{name} must be an ISO 8601 time, e.g. 2026-11-21T09:00:00Z, not {value!r}."
        ) from None
    return _in_reach(utc_whole(parsed), name)


class _Operations:
    """The handlers, by operationId; each acts on the world the request's header names."""

    def __init__(self, worlds: Worlds) -> None:
        self.worlds = worlds

    def world(self, *, create: bool = True) -> World:
        world = self.worlds.select(_HEADER.get(), create=create)
        if world is None:
            raise ControlError(404, f"No world {_HEADER.get()!r}.")
        return world

    async def resetWorld(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        body = body or {}
        world = self.world()
        now = _iso(body["now"], "now") if body.get("now") is not None else None
        seed = body.get("seed")
        self.worlds.reset(world, seed=seed, now=now, scenario=body.get("scenario"))
        return {
            "world": world.name,
            "scenario": world.scenario,
            "seed": world.seed,
            "now": world.sandbox.now_text(),
        }

    async def listRequests(
        self,
        api: str | None = None,
        operationId: str | None = None,
        method: str | None = None,
        status: int | None = None,
        since: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        world = self.world()
        entries = world.journal.select(
            api=api,
            operation_id=operationId,
            method=method,
            status=status,
            since=_iso(since, "since") if since else None,
            after=after,
            limit=limit,
        )
        return {**_journal_state(world), "entries": entries}

    async def setRecording(self, body: dict[str, Any]) -> dict[str, Any]:
        world = self.world()
        world.journal.record_requests(body["recording"])
        return {**_journal_state(world), "kept": len(world.journal)}

    async def clearRequests(self) -> dict[str, Any]:
        return {"cleared": self.world().journal.clear()}

    async def createFault(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        rule = self.world().faults.add(body)
        return rule.as_json(), 201

    async def listFaults(self) -> dict[str, Any]:
        world = self.world()
        return {"world": world.name, "faults": [rule.as_json() for rule in world.faults.rules]}

    async def clearFaults(self) -> dict[str, Any]:
        return {"cleared": self.world().faults.clear()}

    async def deleteFault(self, faultId: str) -> dict[str, Any]:
        if not self.world().faults.remove(faultId):
            raise ControlError(404, f"No fault rule {faultId!r}; GET {PREFIX}/faults lists them.")
        return {"cleared": 1}

    def _clock(self, world: World) -> dict[str, Any]:
        return {
            "world": world.name,
            "now": world.sandbox.now_text(),
            "fixed": bool(world.sandbox.clock.fixed),
        }

    async def getClock(self) -> dict[str, Any]:
        return self._clock(self.world())

    async def setClock(self, body: dict[str, Any]) -> dict[str, Any]:
        world = self.world()
        given = [key for key in ("now", "advance_seconds") if body.get(key) is not None]
        if len(given) != 1:
            raise ControlError(400, 'Send exactly one of "now" (an ISO 8601 time) and "advance_seconds".')
        clock = world.sandbox.clock
        if given[0] == "now":
            target = _iso(body["now"], "now")
            clock.advance((target - clock.now()).total_seconds())
        else:
            seconds = body["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or abs(seconds) > 1e11:
                raise ControlError(400, f"advance_seconds must be a number of seconds, not {seconds!r}.")
            try:
                target = clock.now() + dt.timedelta(seconds=seconds)
            except OverflowError:
                raise ControlError(
                    400, f"advance_seconds {seconds!r} moves the clock out of reach."
                ) from None
            _in_reach(target, "the clock")
            clock.advance(seconds)
        return self._clock(world)

    async def getWorld(self) -> dict[str, Any]:
        world = self.world()
        try:
            info: dict[str, Any] = sandbox_config(world.scenario, seed=world.seed)
        except ValueError as exc:  # a scenario file since moved or changed
            raise ControlError(409, f"The world's scenario cannot be read again: {exc}") from None
        return {
            "world": world.name,
            **info,
            "now": world.sandbox.now_text(),
            "counts": _counts(world.sandbox.conn),
            "mounts": {api: {"prefix": prefix, "root": api in ROOT_APIS} for api, prefix in MOUNTS.items()},
        }

    async def dropWorld(self) -> dict[str, Any]:
        header = _HEADER.get()
        world = self.worlds.select(header, create=False)
        if world is None:
            return {"cleared": 0}
        if world.name == DEFAULT_WORLD:
            raise ControlError(400, "The default world cannot be dropped; POST /_sandbox/reset restores it.")
        return {"cleared": int(self.worlds.drop(world.name))}


def _journal_state(world: World) -> dict[str, Any]:
    """What GET and PATCH /requests both say of a world's journal."""
    return {"world": world.name, "capacity": world.journal.capacity, "recording": world.journal.recording}


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('meta', 'sqlite_sequence')"
            " ORDER BY name"
        )
    ]
    return {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


def control_app(worlds: Worlds) -> AsyncApp:
    """The Connexion app serving specs/sandbox-control.yaml at /_sandbox (Swagger UI at /_sandbox/ui/)."""
    operations = _Operations(worlds)

    def resolve(operation_id: str) -> Callable[..., Any]:
        handler = getattr(operations, operation_id, None)
        if handler is None:
            raise ResolverError(f"control: no handler for operationId {operation_id!r}")
        return functools.partial(handler)

    # Security is the entry's (ControlEntry): the spec documents it, Connexion need not enforce it.
    app = AsyncApp(
        __name__,
        middlewares=[
            functools.partial(ServerErrorMiddleware, handler=_handle),
            ExceptionMiddleware,
            SwaggerUIMiddleware,
            RoutingMiddleware,
            RequestValidationMiddleware,
            ContextMiddleware,
        ],
    )
    app.add_api(load_control_spec(), base_path=PREFIX, name="sandbox-control", resolver=Resolver(resolve))
    for kind in (Exception, HTTPException, ProblemException):
        app.add_error_handler(kind, _handle)
    return app


def _host_name(value: str) -> str:
    """The host part of a Host header (`127.0.0.1:8000` -> `127.0.0.1`, `[::1]:8000` -> `::1`)."""
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class ControlEntry:
    """The only way in: the guard, then the control app."""

    def __init__(self, build: Callable[[], ASGIApp], settings: ServeSettings) -> None:
        # Built at the first control request: Connexion's spec validation would add ~0.1 s to start-up.
        self._build = build
        self._app: ASGIApp | None = None
        self.settings = settings
        host = settings.host.strip("[]").lower()
        self.any_host = host in ("0.0.0.0", "::", "")
        self.hosts = {host} | ({"127.0.0.1", "localhost", "::1"} if is_loopback(host) else set())
        self.expected = f"Bearer {settings.control_token}".encode() if settings.control_token else None

    def refusal(self, scope: Scope) -> tuple[int, str, dict[str, str]] | None:
        headers = {name: value for name, value in scope["headers"]}
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.any_host and _host_name(host).lower() not in self.hosts:
            return (
                403,
                (
                    f"Host {host!r} is not this sandbox's address ({self.settings.host}); the control API "
                    "refuses other names (DNS rebinding)."
                ),
                {},
            )
        origin = headers.get(b"origin")
        if origin is not None and origin.decode("latin-1") not in (f"http://{host}", f"https://{host}"):
            return (
                403,
                f"Origin {origin.decode('latin-1')!r} is not this sandbox: no cross-origin control.",
                {},
            )
        if headers.get(b"sec-fetch-site") == b"cross-site":
            return 403, "A cross-site browser request: no cross-origin control.", {}
        docs = scope["path"].startswith(f"{PREFIX}/ui") or scope["path"] == f"{PREFIX}/openapi.json"
        if self.expected is not None and not docs:
            given = headers.get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                return (
                    401,
                    "Send Authorization: Bearer <the --control-token value>.",
                    {"WWW-Authenticate": 'Bearer realm="sandbox-control"'},
                )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.settings.control:
            await _send(send, 404, _error(404, "The control API is off (serve --no-control)."), {})
            return
        refused = self.refusal(scope)
        if refused is not None:
            status, message, extra = refused
            await _send(send, status, _error(status, message), extra)
            return
        header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"patientmsg-sandbox"), None)
        if self._app is None:
            self._app = self._build()
        token = _HEADER.set(header)
        try:
            await self._app(scope, receive, send)
        finally:
            _HEADER.reset(token)


async def _send(send: Send, status: int, payload: dict[str, Any], extra: dict[str, str]) -> None:
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
