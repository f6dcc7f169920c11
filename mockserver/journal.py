"""The request journal: a bounded ring of the last N exchanges of one world.

Recording is cheap on purpose: the edge fills an `Exchange` with what it saw (the request body
cut to `REQUEST_BODY_LIMIT`, the response body as it was sent), and the journal keeps one tuple
of immutable values per entry, the response body cut to `RESPONSE_BODY_LIMIT`; decoding,
redaction and filtering happen only when someone reads the journal. The tuple holds nothing the
garbage collector must keep visiting (bytes, text, numbers, a tuple of header pairs), so the
collector drops it from its lists at its first pass. Measured by instruction counts per read
(bench/README.md, "The journal's instructions"): with the rest of that change, the journal's
instructions per read halved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable
from typing import Any

from starlette.types import Message, Send

__all__ = ["REDACTED", "REQUEST_BODY_LIMIT", "RESPONSE_BODY_LIMIT", "Exchange", "Journal", "redact_text"]

#: Bytes kept of each request body: what a client sent is what a developer reads the journal for.
REQUEST_BODY_LIMIT = 4096
#: Bytes kept of each response body. Copying 4 KiB of each inbox page cost a read about 3%.
RESPONSE_BODY_LIMIT = 1024
REDACTED = "[redacted]"
_Entry = tuple[Any, ...]

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
_SECRET_NAMES = r"access_token|refresh_token|client_secret|password|secret|token|api_key|apikey"
_JSON_SECRET = re.compile(rf'("(?:{_SECRET_NAMES})"\s*:\s*")((?:[^"\\]|\\.)*)', re.IGNORECASE)
_FORM_SECRET = re.compile(rf"((?:^|&)(?:{_SECRET_NAMES})=)([^&]*)", re.IGNORECASE)


def redact_text(text: str) -> str:
    """`text` with the values of secret-named JSON keys and form/query fields replaced."""
    text = _JSON_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    return _FORM_SECRET.sub(lambda m: m.group(1) + REDACTED, text)


class Exchange:
    """One request as the edge saw it; the fault gate adds the operation and any fault that fired.

    `recording(send)` is the send the app gets: it keeps the status and the start of the body."""

    __slots__ = (
        "api",
        "drop",
        "fault",
        "headers",
        "latency_ms",
        "method",
        "operation_id",
        "path",
        "prefer",
        "query",
        "quiet",
        "request_body",
        "response_body",
        "send",
        "status",
        "time",
        "truncated",
    )

    def __init__(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
        api: str | None = None,
        prefer: bytes | None = None,
        quiet: bool = False,  # no fault rule and no Prefer: the fault gate has nothing to decide
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.api = api
        self.prefer = prefer
        self.quiet = quiet
        self.operation_id: str | None = None
        self.status: int | None = None
        self.latency_ms = 0.0
        self.fault: str | None = None
        self.drop = False
        self.time = ""
        self.request_body = b""
        self.response_body = b""  # the body sent (the first chunk as it was), until recorded
        self.truncated = False
        self.send: Send | None = None

    def recording(self, send: Send) -> Send:
        self.send = send
        return self._sent

    def release(self) -> None:
        """Let go of what `recording` held, once the journal has kept its entry.

        The server's send is a bound method of its request cycle, which holds the scope that holds
        this exchange: kept, each journaled request (45 kB for an inbox page) would wait for the
        cycle collector (+16 MiB RSS over 110k requests, README Performance)."""
        self.send = None
        self.response_body = b""

    # A plain method handing back the inner send's awaitable: no coroutine frame of its own between
    # the app and the server on each message (over a socket, a frame there costs more than in process).
    def _sent(self, message: Message) -> Awaitable[None]:
        kind = message["type"]
        if kind == "http.response.body":
            body: bytes = message.get("body", b"")
            if body:
                kept = self.response_body
                if not kept:
                    self.response_body = body  # as sent, no copy: the journal cuts it when it keeps it
                elif len(kept) < RESPONSE_BODY_LIMIT:
                    self.response_body = kept + body[:RESPONSE_BODY_LIMIT]
                else:
                    self.truncated = True
        elif kind == "http.response.start":
            self.status = message["status"]
        return self.send(message)  # type: ignore[misc]


def _text(raw: bytes) -> str:
    return redact_text(raw.decode("utf-8", errors="replace"))


# The fields of one kept entry, in its tuple's order.
_FIELDS = (
    "id",
    "time",
    "method",
    "path",
    "query",
    "api",
    "operationId",
    "status",
    "latency_ms",
    "fault",
    "request_headers",
    "request_body",
    "response_body",
    "truncated",
)


def _render(values: tuple[Any, ...]) -> dict[str, Any]:
    entry = dict(zip(_FIELDS, values, strict=True))
    headers: dict[str, str] = {}
    for raw_name, raw_value in entry["request_headers"]:
        name = raw_name.decode("latin-1").lower()
        headers[name] = REDACTED if name in _SECRET_HEADERS else raw_value.decode("latin-1")
    entry["request_headers"] = headers
    entry["query"] = _text(entry["query"])
    entry["request_body"] = _text(entry["request_body"])
    entry["response_body"] = _text(entry["response_body"])
    entry["latency_ms"] = round(entry["latency_ms"], 3)
    return entry


class Journal:
    """Entries numbered from 1 for the life of the world (a clear does not restart the numbers)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._size = max(capacity, 1)
        self._ring: list[_Entry | None] = [None] * self._size
        self._next = 1  # the number the next entry gets
        self._first = 1  # the oldest number not cleared (older ones may also have been overwritten)

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def record(self, ex: Exchange) -> None:
        number = self._next
        self._next = number + 1
        body = ex.response_body
        cut = len(body) > RESPONSE_BODY_LIMIT
        self._ring[(number - 1) % self._size] = (
            number,
            ex.time,
            ex.method,
            ex.path,
            ex.query,
            ex.api,
            ex.operation_id,
            ex.status,
            ex.latency_ms,
            ex.fault,
            tuple(ex.headers),
            ex.request_body,
            body[:RESPONSE_BODY_LIMIT] if cut else body,
            ex.truncated or cut,
        )

    def _oldest(self) -> int:
        return max(self._first, self._next - self._size)

    def clear(self) -> int:
        count = len(self)
        self._first = self._next
        self._ring = [None] * self._size
        return count

    def __len__(self) -> int:
        return self._next - self._oldest() if self.enabled else 0

    def select(
        self,
        *,
        api: str | None = None,
        operation_id: str | None = None,
        method: str | None = None,
        status: int | None = None,
        since: dt.datetime | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Entries matching every filter given, oldest first (the newest `limit` of them)."""
        wanted_method = method.upper() if method else None
        since_text = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if since else None
        first = self._oldest() if after is None else max(self._oldest(), after + 1)
        picked = []
        for number in range(first, self._next):
            values = self._ring[(number - 1) % self._size]
            assert values is not None  # every number from the oldest on has its entry
            _, time, method_, _, _, api_, operation_id_, status_ = values[:8]
            if (
                (api is None or api_ == api)
                and (operation_id is None or operation_id_ == operation_id)
                and (wanted_method is None or method_ == wanted_method)
                and (status is None or status_ == status)
                and (since_text is None or time >= since_text)
            ):
                picked.append(values)
        if limit is not None:
            picked = picked[-limit:] if limit else []
        return [_render(values) for values in picked]
