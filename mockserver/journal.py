"""The request journal: a bounded ring of the last N exchanges of one world.

Recording is cheap on purpose (the edge fills an `Exchange` with the raw bytes it saw, cut to
`BODY_LIMIT`); decoding, redaction and filtering happen only when someone reads the journal.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

__all__ = ["BODY_LIMIT", "REDACTED", "Exchange", "Journal", "redact_text"]

#: Bytes kept of each request and response body.
BODY_LIMIT = 4096
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
        "operation_id",
        "path",
        "prefer",
        "query",
        "request_body",
        "response_body",
        "status",
        "time",
        "truncated",
    )

    def __init__(self, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> None:
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
        self.time = ""
        self.request_body = b""
        self.response_body = b""
        self.truncated = False


def _text(raw: bytes) -> str:
    return redact_text(raw.decode("utf-8", errors="replace"))


def _render(number: int, ex: Exchange) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in ex.headers:
        name = raw_name.decode("latin-1").lower()
        headers[name] = REDACTED if name in _SECRET_HEADERS else raw_value.decode("latin-1")
    return {
        "id": number,
        "time": ex.time,
        "method": ex.method,
        "path": ex.path,
        "query": _text(ex.query),
        "api": ex.api,
        "operationId": ex.operation_id,
        "status": ex.status,
        "latency_ms": round(ex.latency_ms, 3),
        "fault": ex.fault,
        "request_headers": headers,
        "request_body": _text(ex.request_body),
        "response_body": _text(ex.response_body),
        "truncated": ex.truncated,
    }


class Journal:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: deque[tuple[int, Exchange]] = deque(maxlen=max(capacity, 1))
        self._numbers = itertools.count(1)

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def record(self, exchange: Exchange) -> None:
        self._entries.append((next(self._numbers), exchange))

    def clear(self) -> int:
        count = len(self._entries)
        self._entries.clear()
        return count

    def __len__(self) -> int:
        return len(self._entries)

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

        def keep(number: int, ex: Exchange) -> bool:
            return (
                (api is None or ex.api == api)
                and (operation_id is None or ex.operation_id == operation_id)
                and (wanted_method is None or ex.method == wanted_method)
                and (status is None or ex.status == status)
                and (since_text is None or ex.time >= since_text)
                and (after is None or number > after)
            )

        chosen: Iterator[tuple[int, Exchange]] = (pair for pair in list(self._entries) if keep(*pair))
        picked = list(chosen)
        if limit is not None:
            picked = picked[-limit:] if limit else []
        return [_render(number, ex) for number, ex in picked]
