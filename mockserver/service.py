"""The sandbox's own endpoints, outside the vendor mounts: /health and an index of the APIs.

`/` answers a browser (one that prefers text/html) with the dashboard (dashboard/), anyone else,
curl's `*/*` included, with the JSON index.

Also what the served specs say about the sandbox: each Swagger UI page shows its API's credentials
(`credentials_note`), and `documented_statuses` lists what `Prefer: code=` may ask of an operation.
"""

from __future__ import annotations

import os
from typing import Any

from patientmsg.mockserver import dashboard
from patientmsg.mockserver.mounts import MOUNTS, ROOT_APIS
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["credentials_note", "documented_statuses", "health", "index"]


async def health(sandbox: Sandbox, request: Request) -> Response:
    """Liveness plus the world being served (a store query, so a broken store shows here)."""
    meta = dict(
        sandbox.conn.execute("SELECT key, value FROM meta WHERE key IN ('scenario', 'seed')").fetchall()
    )
    # The pid names the worker process that answered (serve --workers N runs several).
    return json_response(
        {
            "status": "ok",
            "scenario": meta.get("scenario"),
            "seed": sandbox.seed,
            "now": sandbox.now_text(),
            "pid": os.getpid(),
        }
    )


async def index(request: Request) -> Response:
    """Where each API and its Swagger UI live, and which are also served at the root."""
    # Caches must keep the two answers apart: they differ by Accept alone.
    if dashboard.prefers_html(request.headers.get("accept")):
        return Response(dashboard.page(), media_type="text/html", headers={"Vary": "Accept"})
    apis = {
        api: {
            "base_url": prefix,
            "ui": f"{prefix}/ui/",
            "openapi": f"{prefix}/openapi.json",
            "also_at_root": api in ROOT_APIS,
        }
        for api, prefix in MOUNTS.items()
    }
    return json_response(
        {"apis": apis, "control": {"ui": "/_sandbox/ui/", "openapi": "/_sandbox/openapi.json"}},
        headers={"Vary": "Accept"},
    )


def documented_statuses(operation: dict[str, Any]) -> frozenset[int]:
    """The statuses an operation's spec lists (its `default` aside)."""
    return frozenset(int(code) for code in operation.get("responses", {}) if str(code).isdigit())


def _auth_lines(api: str, part: dict[str, Any]) -> list[str]:
    auth = part.get("auth", {})
    lines: list[str] = []
    if "oauth2" in auth:
        oauth = auth["oauth2"]
        lines.append(
            f"- OAuth2 client credentials: client_id `{oauth['client_id']}`, "
            f"client_secret `{oauth['client_secret']}` (token URL `{MOUNTS[api]}{oauth['token_url']}`)"
        )
    if "bearer_token" in auth:
        lines.append(f"- Bearer token: `{auth['bearer_token']}`")
    if "basic" in auth:
        lines.append(
            f"- Basic: username `{auth['basic']['username']}`, password `{auth['basic']['password']}`"
        )
    ids = part.get("ids", {})
    if ids:
        lines.append("- ids: " + ", ".join(f"{key} `{value}`" for key, value in ids.items()))
    return lines


def credentials_note(api: str, shown: dict[str, Any] | None) -> str | None:
    """Markdown for the served spec's description: what to type into Swagger UI's Authorize.

    `shown` is `sandbox_config(scenario, seed)` (what `patientmsg fixtures show --json` prints).
    """
    part = shown["apis"].get(api) if shown else None
    if shown is None or not part:
        return None
    where = f"`{MOUNTS[api]}`" + (" and at the root" if api in ROOT_APIS else "")
    lines = [f"### This sandbox (scenario {shown['scenario']}, seed {shown['seed']})", ""]
    lines += [f"Served under {where}.", ""]
    lines += _auth_lines(api, part)
    second = part.get("second")
    if second:
        lines.append("- Second client (other practices):")
        lines += [f"  {line}" for line in _auth_lines(api, second)]
    return "\n".join(lines)
