"""The request journal: a bounded ring of the last N exchanges of one world.

Recording is cheap on purpose: the edge fills an `Exchange` with the raw bytes it saw (bodies cut
to `REQUEST_BODY_LIMIT` and `RESPONSE_BODY_LIMIT`, the response without copying), and the journal
keeps it as one marshalled bytes object per entry; decoding, redaction and filtering happen only
when someone reads the journal. Why one bytes object: kept as they came (the server's list of
header tuples, the path, the exchange itself), a thousand exchanges' small objects, each freed a
thousand requests later among the ones every request allocates, cost a read about 3% more than
the journal does now (bench/tools.py, one-second slices, pinned).
"""

from __future__ import annotations

import datetime as dt
import marshal
import re
from typing import Any

__all__ = ["REDACTED", "REQUEST_BODY_LIMIT", "RESPONSE_BODY_LIMIT", "Exchange", "Journal", "redact_text"]

#: Bytes kept of each request body: what a client sent is what a developer reads the journal for.
REQUEST_BODY_LIMIT = 4096
#: Bytes kept of each response body. Copying 4 KiB of each inbox page cost a read about 3%.
RESPONSE_BODY_LIMIT = 1024
REDACTED = "[redacted]"

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
_SECRET_NAMES = r"access_token|refresh_token|client_secret|password|secret|token|api_key|apikey"
_JSON_SECRET = re.compile(rf'("(?:{_SECRET_NAMES})"\s*:\s*")((?:[^"\\]|\\.)*)', re.IGNORECASE)
_FORM_SECRET = re.compile(rf"((?:^|&)(?:{_SECRET_NAMES})=)([^&]*)", re.IGNORECASE)


def redact_text(text: str) -> str:
    """`text` with the values of secret-named JSON keys and form/query fields replaced."""
    text = _JSON_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    return _FORM_SECRET.sub(lambda m: m.group(1) + REDACTED, text)


class Exchange:
    """One request as the edge saw it; the fault gate adds the operation and any fault that fired."""

    __slots__ = (
        "api",
        "drop",
        "fault",
        "headers",
        "latency_ms",
        "method",
        "number",
        "operation_id",
        "path",
        "prefer",
        "query",
        "quiet",
        "request_body",
        "response_body",
        "status",
        "time",
        "truncated",
    )

    def __init__(self, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        self.number = 0
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.api: str | None = None
        self.operation_id: str | None = None
        self.status: int | None = None
        self.latency_ms = 0.0
        self.fault: str | None = None
        self.prefer: bytes | None = None
        self.drop = False
        self.quiet = False  # no fault rule and no Prefer: the fault gate has nothing to decide
        self.time = ""
        self.request_body = b""
        self.response_body: bytes | memoryview = b""  # a view of the body sent, until recorded
        self.truncated = False


def _text(raw: bytes) -> str:
    return redact_text(raw.decode("utf-8", errors="replace"))


# The fields of one kept entry, in the marshalled tuple's order.
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


def _pack(number: int, ex: Exchange) -> bytes:
    return marshal.dumps(
        (
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
            ex.headers,
            ex.request_body,
            ex.response_body,
            ex.truncated,
        )
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
        self._ring: list[bytes] = [b""] * max(capacity, 1)
        self._next = 1  # the number the next entry gets
        self._first = 1  # the oldest number not cleared (older ones may also have been overwritten)

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def record(self, exchange: Exchange) -> None:
        number = self._next
        self._next = number + 1
        self._ring[(number - 1) % len(self._ring)] = _pack(number, exchange)

    def _oldest(self) -> int:
        return max(self._first, self._next - len(self._ring))

    def clear(self) -> int:
        count = len(self)
        self._first = self._next
        self._ring = [b""] * len(self._ring)
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
            values = marshal.loads(self._ring[(number - 1) % len(self._ring)])
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
