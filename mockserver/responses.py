"""JSON responses serialized once, compactly and the same way on every run."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

__all__ = ["dumps", "json_response"]


def dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def json_response(body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A ready Starlette response; Connexion passes it through without re-serializing.

    `body` may be JSON already, as text or as UTF-8 bytes (e.g. spliced from cached fragments).
    """
    if isinstance(body, bytes):
        content = body
    else:
        content = (body if isinstance(body, str) else dumps(body)).encode("utf-8")
    return Response(content, status_code=status, media_type="application/json", headers=headers)
