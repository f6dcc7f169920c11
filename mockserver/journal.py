"""The request journal: a bounded ring of the last N exchanges of one world.

Recording is cheap on purpose: the edge hands `Journal.keep` what it saw (the request body cut
to `REQUEST_BODY_LIMIT`, the response body as it was sent), and the journal keeps one tuple of
immutable values per entry, the response body cut to `RESPONSE_BODY_LIMIT`; decoding, redaction
and filtering happen only when someone reads the journal. The tuple holds nothing the
garbage collector must keep visiting (bytes, text, numbers, a tuple of header pairs), so the
collector drops it from its lists at its first pass. Measured by instruction counts per read
(bench/README.md, "The journal's instructions"): with the rest of that change, the journal's
instructions per read halved.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

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
    """A request the fault gate has something to decide for (a rule or Prefer), or with a body.

    The edge fills it with what it saw (the request body as the app reads it, cut to
    `REQUEST_BODY_LIMIT`); the gate adds the operation and any fault that fired."""

    __slots__ = ("drop", "fault", "operation_id", "prefer", "quiet", "request_body", "truncated")

    def __init__(
        self,
        prefer: bytes | None = None,
        quiet: bool = False,  # no fault rule and no Prefer: the fault gate has nothing to decide
    ) -> None:
        self.prefer = prefer
        self.quiet = quiet
        self.operation_id: str | None = None
        self.fault: str | None = None
        self.drop = False
        self.request_body = b""
        self.truncated = False


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
        self.recording = True
        #: Whether a request is kept now: read by the edge on every request, so a plain attribute.
        self.enabled = capacity > 0
        self._size = max(capacity, 1)
        self._ring: list[_Entry | None] = [None] * self._size
        self._next = 1  # the number the next entry gets
        self._first = 1  # the oldest number not cleared (older ones may also have been overwritten)

    def record_requests(self, recording: bool) -> None:
        """Pause (False) or resume (True) recording; what is kept stays, and so do the numbers."""
        self.recording = recording
        self.enabled = recording and self.capacity > 0

    def keep(
        self,
        time: str,
        method: str,
        path: str,
        query: bytes,
        api: str | None,
        operation_id: str | None,
        status: int | None,
        latency_ms: float,
        fault: str | None,
        headers: list[tuple[bytes, bytes]],
        request_body: bytes,
        response_body: bytes,
        truncated: bool,
    ) -> None:
        """One entry, from the values as the edge saw them (the response body is cut here)."""
        number = self._next
        self._next = number + 1
        cut = len(response_body) > RESPONSE_BODY_LIMIT
        self._ring[(number - 1) % self._size] = (
            number,
            time,
            method,
            path,
            query,
            api,
            operation_id,
            status,
            latency_ms,
            fault,
            tuple(headers),
            request_body,
            response_body[:RESPONSE_BODY_LIMIT] if cut else response_body,
            truncated or cut,
        )

    def _oldest(self) -> int:
        return max(self._first, self._next - self._size)

    def clear(self) -> int:
        count = len(self)
        self._first = self._next
        self._ring = [None] * self._size
        return count

    def __len__(self) -> int:
        return self._next - self._oldest() if self.capacity > 0 else 0

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
