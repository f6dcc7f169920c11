"""Which web pages may call the sandbox from a browser: loopback origins only, unless told otherwise.

The default credentials are public (README, banner), so `Access-Control-Allow-Origin: *` would let
any page a developer visits read and write their sandbox. Pages served from the developer's own
machine (localhost, 127.0.0.1, [::1], any port) are allowed; `--cors-origin` adds others, `*` all.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from starlette.middleware.cors import CORSMiddleware

__all__ = ["LOOPBACK_ORIGINS", "cors_middleware"]

#: Origins always allowed: a scheme, a loopback host, any port.
LOOPBACK_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"

# Headers a browser client may read from a cross-origin answer.
_EXPOSED = ["opc-request-id", "WWW-Authenticate", "Allow", "Cache-Control"]


def cors_middleware(origins: Sequence[str] = ()) -> Any:
    """Starlette's CORSMiddleware for `origins` (exact origins, or `*` for any) plus the loopback ones."""
    allow_all = "*" in origins
    return functools.partial(
        CORSMiddleware,
        allow_origins=["*"] if allow_all else [origin.rstrip("/") for origin in origins],
        allow_origin_regex=None if allow_all else LOOPBACK_ORIGINS,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=_EXPOSED,
    )
