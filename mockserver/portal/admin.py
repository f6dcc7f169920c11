"""The practice administrator (seed 004 "settings > business > user management"): staff rights,
patients' portal access and invitations, message settings, and the outbox of emails not sent."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from patientmsg.mockserver.inputs import params
from patientmsg.mockserver.portal.access import admin_of
from patientmsg.mockserver.portal.lookup import (
    effective_settings,
    new_id,
    next_seq,
    practice,
    provider_or_404,
    provider_settings,
    store_time,
)
from patientmsg.mockserver.portal.problems import refuse
from patientmsg.mockserver.portal.render import staff_member
from patientmsg.mockserver.portal.staff import access_view, patient_or_404
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from starlette.responses import Response

__all__ = [
    "get_practice_message_settings",
    "get_provider_message_settings",
    "invite_patient_to_portal",
    "list_outbox",
    "list_staff_users",
    "remove_portal_access",
    "update_practice_message_settings",
    "update_provider_message_settings",
    "update_staff_user_rights",
]

Json = dict[str, Any]
_SETTINGS = (
    "note",
    "banner",
    "frequencyLimits",
    "limitMessage",
    "maxCharacters",
    "billingConsentRequired",
    "outOfOffice",
    "destinationEmail",
)


def _staff_user(row: sqlite3.Row) -> Json:
    return {
        **staff_member(row),
        "role": row["role"],
        "rights": {
            "portalMessaging": bool(row["portal_messaging"]),
            "viewOthersMessages": bool(row["view_others"]),
        },
    }


async def list_staff_users(sandbox: Sandbox, token_info: Json) -> Response:
    admin_of(sandbox, token_info)
    rows = sandbox.conn.execute("SELECT * FROM portal_user ORDER BY rowid").fetchall()
    return json_response({"items": [_staff_user(row) for row in rows]})


async def update_staff_user_rights(
    sandbox: Sandbox, staffUserId: str, body: Json, token_info: Json
) -> Response:
    """Portal messaging on or off, and view portal messages for other users (PORTAL-R03, R04)."""
    admin_of(sandbox, token_info)
    with sandbox.write() as conn:
        changed = conn.execute(
            "UPDATE portal_user SET portal_messaging = ?, view_others = ? WHERE id = ?",
            (int(bool(body.get("portalMessaging"))), int(bool(body.get("viewOthersMessages"))), staffUserId),
        ).rowcount
    if not changed:
        raise refuse(404, "PORTAL-R05", "Not found", f"There is no staff user {staffUserId}.")
    row = sandbox.conn.execute("SELECT * FROM portal_user WHERE id = ?", (staffUserId,)).fetchone()
    return json_response(_staff_user(row))


async def invite_patient_to_portal(
    sandbox: Sandbox,
    patientId: str,
    token_info: Json,
    body: Json | None = None,
) -> Response:
    """Send the practice's unique portal URL: an Invitation in the outbox, nothing sent (PORTAL-R06)."""
    admin_of(sandbox, token_info)
    patient = patient_or_404(sandbox, patientId)
    if patient["access"] == "registered":
        raise refuse(
            409, "PORTAL-R06", "Already registered", f"Patient {patientId} already has portal access."
        )
    to = (body or {}).get("email") or patient["email"]
    now = store_time(sandbox.clock.now())
    url = practice(sandbox.conn)["portal_url"]
    with sandbox.write() as conn:
        oid = new_id(conn, "out")
        conn.execute(
            "INSERT INTO portal_outbox (id, seq, kind, to_address, patient_id, portal_url, created_at)"
            " VALUES (?, ?, 'invitation', ?, ?, ?, ?)",
            (oid, next_seq(conn, "portal_outbox"), to, patient["id"], url, now),
        )
        conn.execute(
            "UPDATE portal_patient SET access = 'invited', invited_at = ? WHERE id = ?", (now, patient["id"])
        )
    answer = {
        "kind": "invitation",
        "id": oid,
        "patientId": patient["id"],
        "to": to,
        "portalUrl": url,
        "createdAt": now,
        "sent": False,
    }
    return json_response(answer, status=201)


async def remove_portal_access(sandbox: Sandbox, patientId: str, token_info: Json) -> Response:
    """Remove a patient's portal access: its tokens stop working for every patient operation (PORTAL-R07)."""
    admin_of(sandbox, token_info)
    patient = patient_or_404(sandbox, patientId)
    if patient["access"] != "registered":
        raise refuse(
            409,
            "PORTAL-R07",
            "No access to remove",
            f"Patient {patientId} has no portal access ({access_view(patient)['label']}).",
        )
    with sandbox.write() as conn:
        conn.execute("UPDATE portal_patient SET access = 'removed' WHERE id = ?", (patient["id"],))
    return json_response(access_view(patient_or_404(sandbox, patientId)))


def _checked(body: Json, *, practice_wide: bool) -> Json:
    """MessageSettings as stored: every key present (null = default), dates and limits checked."""
    settings = {key: body.get(key) for key in _SETTINGS}
    away = settings.get("outOfOffice")
    if away is not None and away.get("until") is not None:
        try:
            away["until"] = dt.date.fromisoformat(str(away["until"])).isoformat()
        except ValueError:
            raise refuse(
                400,
                "PORTAL-R57",
                "Invalid field",
                "outOfOffice.until must be a date (YYYY-MM-DD).",
                field="outOfOffice/until",
            ) from None
    if practice_wide:
        # The practice's values are the defaults themselves: none of them is "the default".
        settings["frequencyLimits"] = settings["frequencyLimits"] or []
        settings["billingConsentRequired"] = bool(settings["billingConsentRequired"])
    return settings


def _dump(settings: Json) -> str:
    return json.dumps(settings, sort_keys=True, separators=(",", ":"))


def _practice_json(sandbox: Sandbox) -> Json:
    row = practice(sandbox.conn)
    return {**json.loads(row["settings"]), "replyToEmail": row["reply_to_email"]}


async def get_practice_message_settings(sandbox: Sandbox, token_info: Json) -> Response:
    admin_of(sandbox, token_info)
    return json_response(_practice_json(sandbox))


async def update_practice_message_settings(sandbox: Sandbox, body: Json, token_info: Json) -> Response:
    """The practice-wide defaults every provider without its own value follows (PORTAL-R38)."""
    admin_of(sandbox, token_info)
    settings = _checked(body, practice_wide=True)
    with sandbox.write() as conn:
        conn.execute(
            "UPDATE portal_practice SET settings = ?, reply_to_email = ?",
            (_dump(settings), str(body["replyToEmail"])),
        )
    return json_response(_practice_json(sandbox))


def _provider_json(sandbox: Sandbox, provider_id: str) -> Json:
    return {
        "providerId": provider_id,
        "settings": provider_settings(sandbox.conn, provider_id),
        "effective": {key: effective_settings(sandbox.conn, provider_id).get(key) for key in _SETTINGS},
    }


async def get_provider_message_settings(sandbox: Sandbox, providerId: str, token_info: Json) -> Response:
    admin_of(sandbox, token_info)
    provider_or_404(sandbox.conn, providerId)
    return json_response(_provider_json(sandbox, providerId))


async def update_provider_message_settings(
    sandbox: Sandbox,
    providerId: str,
    body: Json,
    token_info: Json,
) -> Response:
    """A provider's note, banner, limits, billing consent, out of office, destination (R27 .. R39)."""
    admin_of(sandbox, token_info)
    provider_or_404(sandbox.conn, providerId)
    settings = _checked(body, practice_wide=False)
    with sandbox.write() as conn:
        conn.execute("UPDATE portal_provider SET settings = ? WHERE id = ?", (_dump(settings), providerId))
    return json_response(_provider_json(sandbox, providerId))


def _entry(row: sqlite3.Row) -> Json:
    if row["kind"] == "invitation":
        return {
            "kind": "invitation",
            "id": row["id"],
            "patientId": row["patient_id"],
            "to": row["to_address"],
            "portalUrl": row["portal_url"],
            "createdAt": row["created_at"],
            "sent": False,
        }
    # A notification says who, which conversation and when; never the message's content (PORTAL-R40).
    return {
        "kind": "notification",
        "id": row["id"],
        "to": row["to_address"],
        "recipientStaffUserId": row["recipient_user_id"],
        "conversationId": row["conversation_id"],
        "messageId": row["message_id"],
        "createdAt": row["created_at"],
        "sent": False,
    }


async def list_outbox(sandbox: Sandbox, token_info: Json) -> Response:
    """Every email the practice side would have sent, oldest first (PORTAL-R06, R39, R40)."""
    admin_of(sandbox, token_info)
    kind = params().get("kind")
    rows = sandbox.conn.execute(
        "SELECT * FROM portal_outbox WHERE ? IS NULL OR kind = ? ORDER BY seq, id", (kind, kind)
    ).fetchall()
    return json_response({"items": [_entry(row) for row in rows]})
