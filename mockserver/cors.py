"""Which web pages may call the sandbox from a browser: loopback origins only, unless told otherwise.

The default credentials are public (README, banner), so `Access-Control-Allow-Origin: *` would let
any page a developer visits read and write their sandbox. Pages served from the developer's own
machine (localhost, 127.0.0.1, [::1], any port) are allowed; `--cors-origin` adds others, `*` all.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from patientmsg.mockserver.mounts import api_of
from patientmsg.mockserver.vendor_errors import ApiError, error_body
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["LOOPBACK_ORIGINS", "VendorCORSMiddleware", "cors_middleware"]

#: Origins always allowed: a scheme, a loopback host, any port.
LOOPBACK_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"

# Headers a browser client may read from a cross-origin answer.
_EXPOSED = ["opc-request-id", "WWW-Authenticate", "Allow", "Cache-Control"]


class VendorCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the vendor's body, not as plain text."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        if (
            headers is not None
            and scope["method"] == "OPTIONS"
            and "origin" in headers
            and "access-control-request-method" in headers
        ):
            response = self.preflight_response(request_headers=headers)
            if response.status_code == 400:
                reason = bytes(response.body).decode("utf-8", "replace")  # e.g. "Disallowed CORS origin"
                error = ApiError(400, "Bad request.", detail=f"{reason}: see the README's CORS section.")
                kept = {
                    k: v
                    for k, v in response.headers.items()
                    if k.lower() not in ("content-type", "content-length")
                }
                response = Response(
                    error_body(api_of(scope.get("path", "")), error), 400, kept, media_type="application/json"
                )
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def cors_middleware(origins: Sequence[str] = ()) -> Any:
    """Starlette's CORSMiddleware for `origins` (exact origins, or `*` for any) plus the loopback ones."""
    allow_all = "*" in origins
    return functools.partial(
        VendorCORSMiddleware,
        allow_origins=["*"] if allow_all else [origin.rstrip("/") for origin in origins],
        allow_origin_regex=None if allow_all else LOOPBACK_ORIGINS,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=_EXPOSED,
    )
