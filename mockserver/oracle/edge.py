"""ASGI middleware for the Oracle mount: opc-request-id on every response, and `status` comma lists.

It sits outside Connexion's error handling, so errors (401, 404, 405, 500) carry the header too.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus

from patientmsg.mockserver.mounts import MOUNTS
from patientmsg.mockserver.state import Sandbox
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["OracleEdge", "split_status_lists"]

#: The spec's pattern and maxLength for a request's opc-request-id (both x-inferred there, but the pattern).
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_PREFIX = MOUNTS["oracle"]


def split_status_lists(query_string: bytes) -> bytes:
    """status=OPENED,UNREAD -> status=OPENED&status=UNREAD; other pairs are left byte for byte.

    The document says both "Collection Format: multi" and "comma-delimited"; after this, validation
    and the handler see one form (repeated keys). Only `status` is split, as the spec's x-inferred says.
    """
    if b"status" not in query_string:
        return query_string
    out: list[bytes] = []
    for pair in query_string.split(b"&"):
        key, sep, value = pair.partition(b"=")
        if sep and unquote_plus(key.decode("latin-1")) == "status":
            parts = unquote_plus(value.decode("latin-1"), encoding="utf-8").split(",")
            out.extend(b"status=" + quote(part, safe="").encode("ascii") for part in parts)
        else:
            out.append(pair)
    return b"&".join(out)


class OracleEdge:
    def __init__(self, app: ASGIApp, *, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == _PREFIX or path.startswith(_PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        given = [value for name, value in scope.get("headers", []) if name.lower() == b"opc-request-id"]
        scope = dict(scope, query_string=split_status_lists(scope.get("query_string", b"")))
        # Echo one well-formed id; an invalid or repeated one (refused as a 400) is not repeated back.
        text = given[0].decode("latin-1") if len(given) == 1 else ""
        request_id = text if _REQUEST_ID.fullmatch(text) else self.sandbox.next_request_id()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["opc-request-id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)
