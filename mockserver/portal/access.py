"""Who is calling: the bearer tokens createToken issues, and the checks each kind of operation makes.

A token names a role (patient, staff, admin) and a subject. Rights and portal access are read on
every request, so a right turned off or an access removed applies to tokens already issued.
"""

from __future__ import annotations

import datetime as dt
import hmac
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from connexion.lifecycle import ConnexionRequest
from patientmsg.mockserver.portal.problems import refuse
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox, stable_digest
from starlette.responses import Response

__all__ = ["TOKEN_LIFETIME", "admin_of", "bearer_check", "create_token", "patient_of", "staff_of"]

#: Seconds a token lives, by the sandbox clock.
TOKEN_LIFETIME = 3600


def bearer_check(sandbox: Sandbox) -> Callable[[ConnexionRequest], Awaitable[dict[str, Any]]]:
    """The bearer check for every portal operation but createToken (PORTAL-R01)."""

    async def verify(request: ConnexionRequest) -> dict[str, Any]:
        header: str = request.headers.get("authorization", "")
        kind, _, token = header.strip().partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise refuse(
                401,
                "PORTAL-R01",
                "Unauthorized",
                "Send Authorization: Bearer <access_token from POST /portal/token>.",
            )
        row = sandbox.conn.execute(
            "SELECT role, subject, expires_at FROM portal_token WHERE token = ?", (token.strip(),)
        ).fetchone()
        if row is None:
            raise refuse(401, "PORTAL-R01", "Unauthorized", "The access token is not one this server issued.")
        if row[2] <= sandbox.now_text():
            raise refuse(
                401, "PORTAL-R01", "Unauthorized", "The access token has expired; request a new one."
            )
        return {"sub": row[1], "role": row[0]}

    return verify


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


async def create_token(sandbox: Sandbox, body: dict[str, Any]) -> Response:
    """POST /token: a password grant for a patient, a staff user or the administrator."""
    username, password = str(body.get("username", "")), str(body.get("password", ""))
    conn = sandbox.conn
    patient = conn.execute(
        "SELECT password, access FROM portal_patient WHERE username = ?", (username,)
    ).fetchone()
    user = conn.execute(
        "SELECT id, password, role FROM portal_user WHERE username = ?", (username,)
    ).fetchone()
    if patient is not None and _same(password, patient[0]):
        if patient[1] != "registered":
            why = "was removed" if patient[1] == "removed" else "was never set up (Not Registered For Portal)"
            raise refuse(403, "PORTAL-R07", "No portal access", f"This patient's portal access {why}.")
        role, subject = "patient", username
    elif user is not None and _same(password, user[1]):
        role, subject = str(user[2]), str(user[0])
    else:
        raise refuse(401, "PORTAL-R01", "Invalid credentials", "Unknown username or wrong password.")
    expires = (sandbox.clock.now() + dt.timedelta(seconds=TOKEN_LIFETIME)).replace(tzinfo=None)
    with sandbox.write() as write:
        # The n-th token of a subject is the same on every run: seed + role + subject + n, never the time.
        (issued,) = write.execute(
            "SELECT COUNT(*) FROM portal_token WHERE role = ? AND subject = ?", (role, subject)
        ).fetchone()
        token = stable_digest("portal-token", sandbox.seed, role, subject, issued, size=24)
        write.execute(
            "INSERT INTO portal_token (token, role, subject, expires_at) VALUES (?, ?, ?, ?)",
            (token, role, subject, expires.isoformat() + "Z"),
        )
    answer = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "role": role,
        "subject": subject,
    }
    return json_response(answer, headers={"Cache-Control": "no-store"})


def patient_of(sandbox: Sandbox, token_info: dict[str, Any]) -> sqlite3.Row:
    """The calling patient, who must hold portal access (PORTAL-R02, R07)."""
    if token_info.get("role") != "patient":
        raise refuse(403, "PORTAL-R02", "Patients only", "This operation is for a patient's token.")
    row: sqlite3.Row | None = sandbox.conn.execute(
        "SELECT * FROM portal_patient WHERE id = ?", (token_info["sub"],)
    ).fetchone()
    if row is None or row["access"] != "registered":
        raise refuse(403, "PORTAL-R07", "No portal access", "This patient's portal access was removed.")
    return row


def staff_of(sandbox: Sandbox, token_info: dict[str, Any]) -> sqlite3.Row:
    """The calling staff user (or administrator), who must hold the portal messaging right (R02, R03)."""
    if token_info.get("role") not in ("staff", "admin"):
        raise refuse(403, "PORTAL-R02", "Staff only", "This operation is for a staff user's token.")
    row: sqlite3.Row | None = sandbox.conn.execute(
        "SELECT * FROM portal_user WHERE id = ?", (token_info["sub"],)
    ).fetchone()
    if row is None or not row["portal_messaging"]:
        raise refuse(
            403, "PORTAL-R03", "No portal messaging right", "Portal messaging is turned off for this user."
        )
    return row


def admin_of(sandbox: Sandbox, token_info: dict[str, Any]) -> sqlite3.Row:
    """The practice administrator (PORTAL-R05)."""
    if token_info.get("role") != "admin":
        raise refuse(
            403,
            "PORTAL-R05",
            "Administrator only",
            "Only the practice administrator manages this (user management).",
        )
    row: sqlite3.Row = sandbox.conn.execute(
        "SELECT * FROM portal_user WHERE id = ?", (token_info["sub"],)
    ).fetchone()
    return row
