"""athena's OAuth2 client-credentials endpoint and the bearer tokens it issues."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import sqlite3
from typing import Any

from patientmsg.mockserver.athena.cache import refresh
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from patientmsg.mockserver.vendor_errors import ApiError
from starlette.responses import Response

__all__ = ["PURGE_AFTER", "TOKEN_LIFETIME", "create_access_token", "issue_token", "token_client"]

#: Seconds a token lives, by the sandbox's clock.
TOKEN_LIFETIME = 3600
# The sandbox grants every client the same scopes, whatever it asks for (see the spec's `scope`).
_SCOPE = "athena/service/Athenanet.MDP.*"
#: Seconds after its expiry that a token is purged from the store.
PURGE_AFTER = TOKEN_LIFETIME
# A client's count of tokens issued, in the store's meta table: it survives the purge, so a purged
# token's value is never issued again.
_COUNTER = "athena_tokens_issued:"


def _issued(conn: sqlite3.Connection, client_id: str) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_COUNTER + client_id,)).fetchone()
    if row is not None:
        return int(row[0])
    # A store written before the counter was kept: every token it issued is still in it.
    (count,) = conn.execute("SELECT COUNT(*) FROM athena_token WHERE client_id = ?", (client_id,)).fetchone()
    return int(count)


def issue_token(secret: str, *, seed: int, client_id: str, counter: int) -> str:
    """The `counter`-th token of a client: HMAC-SHA256 of (seed, client id, counter), keyed with its secret.

    The same on every run (the README's determinism), yet not computable from what /health and
    the banner publish (the seed, the client id): it takes the client's secret. The client id is
    in the message too, so two clients sharing a secret still get distinct tokens.
    """
    message = "\x1f".join(("athena-token", str(seed), client_id, str(counter))).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()[:48]


async def create_access_token(sandbox: Sandbox, body: dict[str, Any], user: str) -> Response:
    """POST /oauth2/v1/token: `user` is the client id the basic credentials proved."""
    now = sandbox.clock.now().replace(tzinfo=None)
    expires_at = now + dt.timedelta(seconds=TOKEN_LIFETIME)
    with sandbox.write() as conn:
        # The n-th token of a client is the same on every run: seed + client + n, never the time.
        issued = _issued(conn, user)
        token = issue_token(sandbox.client_secrets[user], seed=sandbox.seed, client_id=user, counter=issued)
        conn.execute(
            "INSERT INTO athena_token (access_token, client_id, expires_at) VALUES (?, ?, ?)",
            (token, user, expires_at.isoformat() + "Z"),
        )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_COUNTER + user, str(issued + 1))
        )
        # Tokens expired for a lifetime already are forgotten (by the sandbox clock), so the store
        # does not grow with every token asked for; one expired more recently is still refused as
        # expired rather than as unknown.
        forgotten = (now - dt.timedelta(seconds=PURGE_AFTER)).isoformat() + "Z"
        conn.execute("DELETE FROM athena_token WHERE expires_at <= ?", (forgotten,))
        sandbox.athena_kept.tokens.clear()  # a purged token is unknown again, not merely expired
    body = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "scope": _SCOPE}
    return json_response(body, headers={"Cache-Control": "no-store"})


def token_client(sandbox: Sandbox, token: str) -> str:
    """The client a live token belongs to, or a 401 saying why it is refused."""
    refresh(sandbox)  # another worker's reset or purge drops what this one kept
    known = sandbox.athena_kept.tokens
    found = known.get(token)
    if found is None:
        row = sandbox.conn.execute(
            "SELECT client_id, expires_at FROM athena_token WHERE access_token = ?", (token,)
        ).fetchone()
        if row is None:
            raise ApiError(
                401, "Invalid access token.", detail="The access token is not one this server issued."
            )
        found = known[token] = (str(row[0]), str(row[1]))
    client_id, expires_at = found
    if expires_at <= sandbox.now_text():
        raise ApiError(
            401, "Expired access token.", detail="The access token has expired; request a new one."
        )
    return client_id
