"""The developer-tool layers around the vendor APIs: the edge (outermost) and the fault gate.

`SandboxEdge` sees every request first. `/_sandbox/...` goes to the control app and nowhere else (no
CORS, no journal, no faults). Any other request: a root path that is a vendor path is rewritten to
its mount (`/v1/...` -> `/athena/v1/...`), the `Patientmsg-Sandbox` header selects the world, and the
exchange is journaled. `FaultGate` sits right after Connexion's routing, where the operationId is
known: fault rules and `Prefer` apply there, and their errors go through the vendor's error rendering.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Mapping
from types import MappingProxyType
from typing import Any, cast

from patientmsg.mockserver.access_log import AccessLog
from patientmsg.mockserver.faults import ALWAYS_PREFERABLE, parse_prefer
from patientmsg.mockserver.journal import REQUEST_BODY_LIMIT, RESPONSE_BODY_LIMIT, Exchange
from patientmsg.mockserver.mounts import MOUNTS, api_of, root_target
from patientmsg.mockserver.vendor_errors import ApiError
from patientmsg.mockserver.worlds import World, WorldError, Worlds
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["EXCHANGE", "WORLD_ERROR", "ConnectionDropped", "FaultGate", "SandboxEdge", "WorldRefusal"]

#: The scope key under which the edge hands the exchange to the fault gate.
EXCHANGE = "patientmsg.exchange"
WORLD_ERROR = "patientmsg.world_error"
_CONTROL = "/_sandbox"
_BODILESS = frozenset({"GET", "HEAD"})
_UNJOURNALED = frozenset({"/", "/health", "/favicon.ico"})
_SPEC = "/openapi.json"
_perf_counter = time.perf_counter
_NONE: Mapping[str, Any] = MappingProxyType({})
_PHRASES = {
    429: "Too many requests.",
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service unavailable.",
    504: "Gateway timeout.",
}


class ConnectionDropped(Exception):
    """Raised out of the app on purpose: the server closes the connection without an answer."""


def _tooling(path: str, api: str | None) -> bool:
    """Swagger UI and the served specs: pages for people, kept out of the journal."""
    if api is None:
        return path in _UNJOURNALED
    # Compared in place: every journaled request asks, and a copy of the path's rest cost it more.
    mount = len(MOUNTS[api])
    return path.startswith("/ui", mount) or (len(path) == mount + len(_SPEC) and path.endswith(_SPEC))


class SandboxEdge:
    def __init__(
        self, app: ASGIApp, *, worlds: Worlds, control: ASGIApp, access_log: AccessLog | None = None
    ) -> None:
        self.app = app
        self.worlds = worlds
        self.control = control
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        log = self.access_log
        path: str = scope["path"]
        if path == _CONTROL or path.startswith(_CONTROL + "/"):
            await self.control(scope, receive, send if log is None else log.watching(scope, send))
            return
        header: str | None = None
        prefer: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"patientmsg-sandbox":
                header = value.decode("latin-1")
            elif name == b"prefer":
                prefer = value if prefer is None else prefer + b"," + value
        target = root_target(path)
        inner = target or path
        api = api_of(inner)
        seen = scope  # as the client sent it, for the access log
        if target is not None:
            scope = {**scope, "path": target, "raw_path": target.encode("utf-8")}
        world = self.worlds.default
        if header is not None:
            try:
                world = self.worlds.select(header) or world
            except WorldError as exc:
                # Answered inside Connexion's error handling (WorldRefusal), so in the vendor's body and
                # with what the units' edges add (Oracle's opc-request-id); journaled in the default world.
                refusal = ApiError(
                    exc.status_code, exc.message, detail=exc.message, response_headers=exc.headers
                )
                scope = {**scope, WORLD_ERROR: refusal}
        journal = world.journal if world.journal.enabled else None
        quiet = prefer is None and not world.faults.rules
        if journal is None and quiet:
            await self._run(world, scope, receive, send if log is None else log.watching(seen, send))
            return
        method: str = scope["method"]
        query: bytes = scope["query_string"]
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        exchange: Exchange | None = None
        if quiet and method in _BODILESS:
            # A journaled read that no rule or Prefer touches: the fault gate only notes the operation
            # here, and nothing else is made for it (the journal's cost per read, README Performance).
            noted: list[str | None] = [None]
            scope[EXCHANGE] = noted  # in the request's scope (or the edge's copy), as Starlette adds keys
        else:
            exchange = Exchange(prefer, quiet)
            scope[EXCHANGE] = exchange
        if journal is None or _tooling(inner, api):
            await self._run(world, scope, receive, send if log is None else log.watching(seen, send))
        else:
            status: int | None = None
            body = b""  # the body sent (its first chunk as it was, no copy): the journal cuts it
            more = False

            # A plain function handing back the inner send's awaitable: no coroutine frame of its own
            # between the app and the server on each message.
            def sent(message: Message) -> Awaitable[None]:
                nonlocal status, body, more
                if message["type"] == "http.response.body":
                    chunk: bytes = message.get("body", b"")
                    if chunk:
                        if not body:
                            body = chunk
                        elif len(body) < RESPONSE_BODY_LIMIT:
                            body += chunk[:RESPONSE_BODY_LIMIT]
                        else:
                            more = True
                elif message["type"] == "http.response.start":
                    status = message["status"]
                return send(message)

            now = world.sandbox.clock.now_text()
            started = _perf_counter()
            try:
                if exchange is not None and method not in _BODILESS:
                    receive = await _recording_receive(receive, exchange, headers)
                await self._run(world, scope, receive, sent)
            finally:
                latency_ms = (_perf_counter() - started) * 1000
                if exchange is None:
                    operation_id, fault, request_body = noted[0], None, b""
                else:
                    operation_id, fault, request_body = (
                        exchange.operation_id,
                        exchange.fault,
                        exchange.request_body,
                    )
                    more = more or exchange.truncated
                journal.keep(
                    now,
                    method,
                    path,
                    query,
                    api,
                    operation_id,
                    status,
                    latency_ms,
                    fault,
                    headers,
                    request_body,
                    body,
                    more,
                )
                # The journal's capture holds what the access line says: no second wrapper around send.
                if log is not None and status is not None:
                    log.answered(seen, path, query, status)
        if exchange is not None and exchange.drop:
            await _drop(send if log is None else log.watching(seen, send))

    async def _run(self, world: World, scope: Scope, receive: Receive, send: Send) -> None:
        if world is self.worlds.default:
            await self.app(scope, receive, send)
            return
        token = self.worlds.current.set(world)
        try:
            await self.app(scope, receive, send)
        finally:
            self.worlds.current.reset(token)


def _declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) < 19 else None
    return None


async def _recording_receive(
    receive: Receive, exchange: Exchange, headers: list[tuple[bytes, bytes]]
) -> Receive:
    """Reads a small body first (a request refused before its body is read is journaled with it),
    then hands the same messages to the app. A body declared larger than the journal keeps, or sent
    chunked, is recorded as the app reads it: reading ahead would wait for bytes a client may never
    send (a declared 1 GB form is refused by its Content-Length alone)."""
    declared = _declared_length(headers)
    if declared is None or declared > REQUEST_BODY_LIMIT:
        return _recording_as_read(receive, exchange)
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body: bytes = message.get("body", b"")
        room = REQUEST_BODY_LIMIT - len(exchange.request_body)
        if body and room > 0:
            exchange.request_body += body[:room]
        if len(body) > room:
            exchange.truncated = True
        if not message.get("more_body", False):
            break
    pending = iter(messages)

    async def replay() -> Message:
        return next(pending, None) or await receive()

    return replay


def _recording_as_read(receive: Receive, exchange: Exchange) -> Receive:
    async def recorded() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            body: bytes = message.get("body", b"")
            room = REQUEST_BODY_LIMIT - len(exchange.request_body)
            if body and room > 0:
                exchange.request_body += body[:room]
            if len(body) > room:
                exchange.truncated = True
        return message

    return recorded


class WorldRefusal:
    """Inside Connexion's error handling: a world the edge could not select is refused here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = scope.get(WORLD_ERROR)
        if error is not None:
            raise error
        await self.app(scope, receive, send)


async def _drop(send: Send) -> None:
    # ASGI has no "abort". uvicorn marks the response started, then refuses a header value holding
    # CR LF before writing a byte; an exception out of the app after that makes it close the socket.
    # The client sees the connection closed with no answer at all.
    try:
        await send({"type": "http.response.start", "status": 500, "headers": [(b"x-drop", b"\r\n")]})
    finally:
        raise ConnectionDropped("a fault rule dropped the connection")


class FaultGate:
    """Fault rules and Prefer, once Connexion's routing has named the operation."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        worlds: Worlds,
        documented: Mapping[tuple[str, str], frozenset[int]],
    ) -> None:
        self.app = app
        self.worlds = worlds
        self.documented = documented
        self.apis = {prefix: api for api, prefix in MOUNTS.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange: Exchange | list[str | None] | None = scope.get(EXCHANGE)
        if exchange is None:
            await self.app(scope, receive, send)
            return
        routing = scope.get("extensions", _NONE).get("connexion_routing", _NONE)
        operation_id = routing.get("operation_id")
        if operation_id is None:
            await self.app(scope, receive, send)
            return
        if type(exchange) is list:  # a read no rule or Prefer touches: only its operation to note
            exchange[0] = operation_id
            await self.app(scope, receive, send)
            return
        exchange = cast(Exchange, exchange)
        exchange.operation_id = operation_id
        if exchange.quiet:  # journaled only: no rule in the world and no Prefer, nothing to decide
            await self.app(scope, receive, send)
            return
        base = routing.get("api_base_path", "")
        api = self.apis.get(base, "")
        world = self.worlds.current.get()
        if exchange.prefer is None and not world.faults.candidates(api, operation_id):
            await self.app(scope, receive, send)  # the world's rules are for other operations
            return
        delay = 0.0
        headers: dict[str, str] = {}
        if world.faults.rules:
            decision = world.faults.decide(api, operation_id, scope["method"], scope["path"][len(base) :])
            if decision.rule is not None:
                exchange.fault = decision.rule
                delay += decision.delay_ms
                if decision.drop:
                    exchange.drop = True
                    return
                if decision.status is not None:
                    await _sleep(delay)
                    raise _injected(
                        decision.status, decision.retry_after, f"fault rule {decision.rule}", headers
                    )
        if exchange.prefer is not None:
            code, prefer_delay = parse_prefer(exchange.prefer.decode("latin-1"))
            if prefer_delay is not None:
                delay += prefer_delay
                headers["Preference-Applied"] = f"delay={prefer_delay}"
                exchange.fault = exchange.fault or "prefer"
            allowed = self.documented.get((api, operation_id), frozenset()) | ALWAYS_PREFERABLE
            if code is not None and code >= 400 and code in allowed:
                exchange.fault = exchange.fault or "prefer"
                applied = f"code={code}"
                headers["Preference-Applied"] = ", ".join(
                    filter(None, [headers.get("Preference-Applied"), applied])
                )
                await _sleep(delay)
                raise _injected(code, 1 if code == 429 else None, "Prefer", headers)
        if delay > 0:
            await _sleep(delay)
        if "Preference-Applied" in headers:
            await self.app(scope, receive, _with_headers(send, headers))
        else:
            await self.app(scope, receive, send)


def _injected(status: int, retry_after: int | None, why: str, headers: dict[str, str]) -> ApiError:
    extra = dict(headers)
    if retry_after is not None:
        extra["Retry-After"] = str(retry_after)
    phrase = _PHRASES.get(status, "Error.")
    return ApiError(
        status, phrase, detail=f"{phrase[:-1]}: injected by the sandbox ({why}).", response_headers=extra
    )


async def _sleep(ms: float) -> None:
    if ms > 0:
        await asyncio.sleep(ms / 1000)


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *raw]}
        await send(message)

    return wrapped
