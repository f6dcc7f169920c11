"""athena's OAuth2 client-credentials endpoint and the bearer tokens it issues."""

from __future__ import annotations

import datetime as dt
from typing import Any

from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox, stable_digest
from patientmsg.mockserver.vendor_errors import ApiError
from starlette.responses import Response

__all__ = ["TOKEN_LIFETIME", "create_access_token", "token_client"]

#: Seconds a token lives, by the sandbox's clock.
TOKEN_LIFETIME = 3600
# The sandbox grants every client the same scopes, whatever it asks for (see the spec's `scope`).
_SCOPE = "athena/service/Athenanet.MDP.*"


async def create_access_token(sandbox: Sandbox, body: dict[str, Any], user: str) -> Response:
    """POST /oauth2/v1/token: `user` is the client id the basic credentials proved."""
    expires_at = (sandbox.clock.now() + dt.timedelta(seconds=TOKEN_LIFETIME)).replace(tzinfo=None)
    with sandbox.write() as conn:
        # The n-th token of a client is the same on every run: seed + client + n, never the time.
        (issued,) = conn.execute("SELECT COUNT(*) FROM athena_token WHERE client_id = ?", (user,)).fetchone()
        token = stable_digest("athena-token", sandbox.seed, user, issued, size=24)
        conn.execute(
            "INSERT INTO athena_token (access_token, client_id, expires_at) VALUES (?, ?, ?)",
            (token, user, expires_at.isoformat() + "Z"),
        )
    body = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "scope": _SCOPE}
    return json_response(body, headers={"Cache-Control": "no-store"})


def token_client(sandbox: Sandbox, token: str) -> str:
    """The client a live token belongs to, or a 401 saying why it is refused."""
    row = sandbox.conn.execute(
        "SELECT client_id, expires_at FROM athena_token WHERE access_token = ?", (token,)
    ).fetchone()
    if row is None:
        raise ApiError(401, "Invalid access token.", detail="The access token is not one this server issued.")
    client_id, expires_at = row
    if expires_at <= sandbox.now_text():
        raise ApiError(
            401, "Expired access token.", detail="The access token has expired; request a new one."
        )
    return str(client_id)
