"""The sandbox's own endpoints, outside the vendor mounts: /health and an index of the APIs."""

from __future__ import annotations

from patientmsg.mockserver.mounts import MOUNTS
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["health", "index"]


async def health(sandbox: Sandbox, request: Request) -> Response:
    """Liveness plus the world being served (a store query, so a broken store shows here)."""
    meta = dict(
        sandbox.conn.execute("SELECT key, value FROM meta WHERE key IN ('scenario', 'seed')").fetchall()
    )
    return json_response(
        {"status": "ok", "scenario": meta.get("scenario"), "seed": sandbox.seed, "now": sandbox.now_text()}
    )


async def index(request: Request) -> Response:
    """Where each API and its Swagger UI live."""
    apis = {
        api: {"base_url": prefix, "ui": f"{prefix}/ui/", "openapi": f"{prefix}/openapi.json"}
        for api, prefix in MOUNTS.items()
    }
    return json_response({"apis": apis})
