"""The access log of `patientmsg serve`: uvicorn's line, made cheaply and written in batches.

uvicorn's own access log goes through `logging` for every response (a LogRecord, a copied record
for the colour formatter, a write and a flush): 8-11% more CPU a read, measured. The sandbox edge
(sandbox_edge.py) hands this log each request it answered: a journaled one from its exchange,
which already holds the method, path and status, so the log adds no send wrapper of its own; any
other through `watching`. The line (`INFO:     127.0.0.1:51234 - "GET /health HTTP/1.1" 200 OK`)
is one f-string; what has gathered is written 0.1 s later by a timer of the event loop (one
write for all of them), so a request costs no system call and no thread wakes up. `serve` turns
uvicorn's own access log off when this one is on.
"""

from __future__ import annotations

import asyncio
import collections
import http
import urllib.parse
from collections.abc import Awaitable
from typing import Any, TextIO

from starlette.types import Message, Scope, Send

__all__ = ["AccessLog"]

_PHRASES = {status.value: f"{status.value} {status.phrase}" for status in http.HTTPStatus}
_EVERY = 0.1  # seconds between writes


_KEPT = 4096  # paths or addresses kept; past it, the table starts over


def _kept(table: dict[Any, str], key: Any, value: str) -> str:
    if len(table) >= _KEPT:
        table.clear()
    table[key] = value
    return value


class AccessLog:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lines: collections.deque[str] = collections.deque()
        self._due = False  # a write is scheduled on the running loop
        # Quoting a path is most of a line's cost (~8,000 instructions); a client's paths and its
        # connection's address repeat, so both are kept, a bounded number of them.
        self._quoted: dict[str, str] = {}
        self._where: dict[Any, str] = {}

    def answered(self, scope: Scope, path: str, query: bytes, status: int) -> None:
        """One line for a request to `path` (as the client sent it) that was answered `status`."""
        client = scope.get("client")
        if not client:
            where = "-"
        elif type(client) is tuple:  # uvicorn's; ASGI allows any iterable, which may not hash
            where = self._where.get(client) or _kept(self._where, client, f"{client[0]}:{client[1]}")
        else:
            where = f"{client[0]}:{client[1]}"
        target = self._quoted.get(path)
        if target is None:
            target = _kept(self._quoted, path, urllib.parse.quote(path))
        if query:
            target += "?" + query.decode("ascii", errors="replace")
        self._lines.append(
            f'INFO:     {where} - "{scope["method"]} {target} HTTP/{scope["http_version"]}" '
            f"{_PHRASES.get(status, status)}\n"
        )
        if not self._due:
            self._due = True
            asyncio.get_running_loop().call_later(_EVERY, self._write)

    def watching(self, scope: Scope, send: Send) -> Send:
        """`send`, logging the request as its response starts."""
        path: str = scope["path"]
        query: bytes = scope["query_string"]

        # A plain function handing back send's awaitable: no coroutine frame of its own per message.
        def logged(message: Message) -> Awaitable[None]:
            if message["type"] == "http.response.start":
                self.answered(scope, path, query, message["status"])
            return send(message)

        return logged

    def _write(self) -> None:
        self._due = False
        self.flush()

    def flush(self) -> None:
        """Write every line gathered so far (also called once the server has stopped)."""
        lines = self._lines
        if not lines:
            return
        batch = []
        while lines:
            batch.append(lines.popleft())
        self.stream.write("".join(batch))
        self.stream.flush()

    def close(self) -> None:
        self.flush()
