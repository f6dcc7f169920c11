"""The patient's side (seed 002): the inbox, Show Details, send, follow up, reply, archive, re-open,
cancel, and the lists a patient chooses from."""

from __future__ import annotations

import sqlite3
from typing import Any

from patientmsg.mockserver.inputs import params
from patientmsg.mockserver.portal.access import patient_of
from patientmsg.mockserver.portal.inbound import check_limits, record_incoming
from patientmsg.mockserver.portal.lookup import (
    effective_settings,
    mark_acted,
    new_id,
    provider_or_404,
    store_time,
    thread,
    user,
)
from patientmsg.mockserver.portal.problems import refuse
from patientmsg.mockserver.portal.render import (
    NOTICE,
    conversation_view,
    message_actions,
    message_view,
    provider_view,
    staff_member,
)
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from starlette.responses import Response

__all__ = [
    "archive_conversation",
    "cancel_message",
    "get_message_provider",
    "get_patient_conversation",
    "get_patient_message",
    "list_message_providers",
    "list_patient_conversations",
    "list_response_methods",
    "list_staff_members",
    "reopen_conversation",
    "reply_to_message",
    "send_follow_up",
    "send_patient_message",
]

Json = dict[str, Any]


def _own_conversation(sandbox: Sandbox, patient: sqlite3.Row, conversation_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = sandbox.conn.execute(
        "SELECT * FROM portal_conversation WHERE id = ? AND patient_id = ?", (conversation_id, patient["id"])
    ).fetchone()
    if row is None:
        raise refuse(404, "PORTAL-R02", "Not found", f"You have no conversation {conversation_id}.")
    return row


def _own_message(sandbox: Sandbox, patient: sqlite3.Row, message_id: str) -> tuple[sqlite3.Row, sqlite3.Row]:
    row = sandbox.conn.execute(
        "SELECT m.*, c.patient_id FROM portal_message m"
        " JOIN portal_conversation c ON c.id = m.conversation_id"
        " WHERE m.id = ?",
        (message_id,),
    ).fetchone()
    if row is None or row["patient_id"] != patient["id"]:
        raise refuse(404, "PORTAL-R02", "Not found", f"You have no message {message_id}.")
    return row, _own_conversation(sandbox, patient, row["conversation_id"])


def _conversation_json(sandbox: Sandbox, conversation_id: str) -> Json:
    conn = sandbox.conn
    row = conn.execute("SELECT * FROM portal_conversation WHERE id = ?", (conversation_id,)).fetchone()
    return conversation_view(conn, row, thread(conn, conversation_id))


async def list_patient_conversations(sandbox: Sandbox, token_info: Json) -> Response:
    """Open conversations newest first; `view=all` adds the archived ones (PORTAL-R09, R10, R14)."""
    patient = patient_of(sandbox, token_info)
    view = params().get("view", "open")
    statuses = ("open",) if view == "open" else ("open", "archived")
    conn = sandbox.conn
    rows = conn.execute(
        "SELECT * FROM portal_conversation WHERE patient_id = ?"
        f" AND status IN ({', '.join('?' * len(statuses))})"
        " ORDER BY last_message_at DESC, id DESC",
        (patient["id"], *statuses),
    ).fetchall()
    items = [conversation_view(conn, row, thread(conn, row["id"])) for row in rows]
    return json_response({"notice": NOTICE, "view": view, "items": items})


async def get_patient_conversation(sandbox: Sandbox, conversationId: str, token_info: Json) -> Response:
    patient = patient_of(sandbox, token_info)
    row = _own_conversation(sandbox, patient, conversationId)
    return json_response(conversation_view(sandbox.conn, row, thread(sandbox.conn, row["id"])))


async def get_patient_message(sandbox: Sandbox, messageId: str, token_info: Json) -> Response:
    """Show Details: available for every message (PORTAL-R13)."""
    patient = patient_of(sandbox, token_info)
    message, conversation = _own_message(sandbox, patient, messageId)
    return json_response(message_view(sandbox.conn, message, conversation))


async def archive_conversation(sandbox: Sandbox, conversationId: str, token_info: Json) -> Response:
    """Archive closes the whole thread; only an open one (PORTAL-R18). Archiving is an action (R20)."""
    patient = patient_of(sandbox, token_info)
    row = _own_conversation(sandbox, patient, conversationId)
    if row["status"] != "open":
        raise refuse(
            409, "PORTAL-R18", "Already archived", "Archive is only available for open conversations."
        )
    with sandbox.write() as conn:
        conn.execute("UPDATE portal_conversation SET status = 'archived' WHERE id = ?", (row["id"],))
        mark_acted(conn, row["id"])
    return json_response(_conversation_json(sandbox, row["id"]))


async def reopen_conversation(sandbox: Sandbox, conversationId: str, token_info: Json) -> Response:
    """Re-Open re-opens the whole thread; only an archived one (PORTAL-R19)."""
    patient = patient_of(sandbox, token_info)
    row = _own_conversation(sandbox, patient, conversationId)
    if row["status"] != "archived":
        raise refuse(
            409, "PORTAL-R19", "Not archived", "Re-Open is only available for archived conversations."
        )
    with sandbox.write() as conn:
        conn.execute("UPDATE portal_conversation SET status = 'open' WHERE id = ?", (row["id"],))
        mark_acted(conn, row["id"])
    return json_response(_conversation_json(sandbox, row["id"]))


async def cancel_message(sandbox: Sandbox, messageId: str, token_info: Json) -> Response:
    """Cancel deletes a message of the patient's on which no action was taken, on both sides (R20, R22)."""
    patient = patient_of(sandbox, token_info)
    message, conversation = _own_message(sandbox, patient, messageId)
    if "cancel" not in message_actions(message, conversation):
        raise refuse(
            409,
            "PORTAL-R20",
            "Cannot cancel",
            "Cancel is only available for messages you sent on which no action has been taken yet"
            " (follow-up, reply, archive, or any action by the practice).",
        )
    with sandbox.write() as conn:
        # Its auto-reply goes with it; a cancelled original takes the conversation with it.
        conn.execute("DELETE FROM portal_message WHERE parent_id = ? AND auto_reply = 1", (message["id"],))
        conn.execute("DELETE FROM portal_message WHERE id = ?", (message["id"],))
        cid = conversation["id"]
        if message["parent_id"] is None:
            for table in ("portal_message", "portal_read_state", "portal_internal_note", "portal_task"):
                conn.execute(f"DELETE FROM {table} WHERE conversation_id = ?", (cid,))
            conn.execute("DELETE FROM portal_conversation WHERE id = ?", (cid,))
        else:
            (latest,) = conn.execute(
                "SELECT MAX(sent_at) FROM portal_message WHERE conversation_id = ?", (cid,)
            ).fetchone()
            conn.execute(
                "UPDATE portal_conversation SET last_message_at = ? WHERE id = ?",
                (latest or conversation["created_at"], cid),
            )
    return Response(status_code=204)


def _text(body: Json, name: str, rule: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise refuse(400, rule, "Missing field", f"{name} must not be empty.", field=name)
    return value


def _choice(sandbox: Sandbox, body: Json, provider_id: str) -> tuple[str | None, str | None]:
    """The special instructions, from the lists the patient can read (PORTAL-R24)."""
    staff_id, method_id = body.get("staffMemberId"), body.get("responseMethodId")
    conn = sandbox.conn
    if staff_id is not None:
        member = user(conn, staff_id)
        if member is None or member["role"] != "staff" or not member["portal_messaging"]:
            raise refuse(
                400,
                "PORTAL-R24",
                "Unknown staff member",
                f"{staff_id} is not on the staff members list.",
                field="staffMemberId",
            )
    if (
        method_id is not None
        and conn.execute("SELECT 1 FROM portal_response_method WHERE id = ?", (method_id,)).fetchone() is None
    ):
        raise refuse(
            400,
            "PORTAL-R24",
            "Unknown response method",
            f"{method_id} is not on the response methods list.",
            field="responseMethodId",
        )
    return staff_id, method_id


async def send_patient_message(sandbox: Sandbox, body: Json, token_info: Json) -> Response:
    """A new conversation to a provider (seed 002 "Send a Secure Message")."""
    patient = patient_of(sandbox, token_info)
    subject, text = _text(body, "subject", "PORTAL-R23"), _text(body, "text", "PORTAL-R23")
    conn = sandbox.conn
    provider_id = str(body.get("providerId"))
    if conn.execute("SELECT 1 FROM portal_provider WHERE id = ?", (provider_id,)).fetchone() is None:
        raise refuse(
            400,
            "PORTAL-R24",
            "Unknown provider",
            f"{provider_id} is not on the providers list.",
            field="providerId",
        )
    staff_id, method_id = _choice(sandbox, body, provider_id)
    now = sandbox.clock.now()
    check_limits(conn, patient["id"], provider_id, text, now)
    if (
        effective_settings(conn, provider_id).get("billingConsentRequired")
        and body.get("billingConsent") is not True
    ):
        raise refuse(
            409,
            "PORTAL-R27",
            "Billing consent required",
            "This provider charges for time spent on secure messages: check the box consenting to be billed"
            " (billingConsent: true).",
            field="billingConsent",
        )
    closed = bool(body.get("noResponseNeeded"))
    with sandbox.write() as write:
        cid = new_id(write, "conv")
        write.execute(
            "INSERT INTO portal_conversation (id, patient_id, provider_id, assignee_id, subject, status,"
            " created_at, last_message_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cid,
                patient["id"],
                provider_id,
                staff_id or provider_id,
                subject,
                "archived" if closed else "open",
                store_time(now),
                store_time(now),
            ),
        )
        row = write.execute("SELECT * FROM portal_conversation WHERE id = ?", (cid,)).fetchone()
        # "No response needed" archives it when sent: closing is an action, so it cannot be cancelled.
        record_incoming(
            write, row, now, text, staff_member_id=staff_id, response_method_id=method_id, acted=int(closed)
        )
    return json_response(
        _conversation_json(sandbox, cid),
        status=201,
        headers={"Location": f"/portal/patient/conversations/{cid}"},
    )


async def _respond(
    sandbox: Sandbox, message_id: str, body: Json, token_info: Json, *, follow_up: bool
) -> Response:
    patient = patient_of(sandbox, token_info)
    message, conversation = _own_message(sandbox, patient, message_id)
    action = "followUp" if follow_up else "reply"
    if action not in message_actions(message, conversation):
        if follow_up:
            raise refuse(
                409,
                "PORTAL-R16",
                "Follow-up not allowed",
                "Send Follow-Up is only available for open (un-archived) messages sent by you.",
            )
        if message["auto_reply"] and not follow_up:
            # The out-of-office auto-reply is the provider's, yet allows no reply: its own rule says so.
            raise refuse(
                409,
                "PORTAL-R37",
                "Reply not allowed",
                "An out-of-office auto-reply allows no reply; reply to a message the provider wrote.",
            )
        raise refuse(
            409,
            "PORTAL-R17",
            "Reply not allowed",
            "Reply is only available for open (un-archived) messages sent by your provider.",
        )
    text = _text(body, "text", "PORTAL-R57")
    now = sandbox.clock.now()
    check_limits(sandbox.conn, patient["id"], conversation["provider_id"], text, now)
    with sandbox.write() as write:
        # A follow-up or reply is an action on the message it answers (PORTAL-R20).
        write.execute("UPDATE portal_message SET acted = 1 WHERE id = ?", (message["id"],))
        mid = record_incoming(write, conversation, now, text, parent_id=message["id"])
        new = write.execute("SELECT * FROM portal_message WHERE id = ?", (mid,)).fetchone()
        fresh = write.execute(
            "SELECT * FROM portal_conversation WHERE id = ?", (conversation["id"],)
        ).fetchone()
    return json_response(message_view(sandbox.conn, new, fresh), status=201)


async def send_follow_up(sandbox: Sandbox, messageId: str, body: Json, token_info: Json) -> Response:
    """Send Follow-Up: only on an open message the patient sent, nested below it (PORTAL-R16)."""
    return await _respond(sandbox, messageId, body, token_info, follow_up=True)


async def reply_to_message(sandbox: Sandbox, messageId: str, body: Json, token_info: Json) -> Response:
    """Reply: only on an open message the provider sent, nested below it (PORTAL-R17, R42)."""
    return await _respond(sandbox, messageId, body, token_info, follow_up=False)


async def list_message_providers(sandbox: Sandbox, token_info: Json) -> Response:
    patient_of(sandbox, token_info)
    conn = sandbox.conn
    rows = conn.execute(
        "SELECT p.id, u.first_name, u.last_name FROM portal_provider p JOIN portal_user u ON u.id = p.id"
        " ORDER BY p.position"
    ).fetchall()
    today = sandbox.clock.now().date()
    return json_response({"notice": NOTICE, "items": [provider_view(conn, row, today) for row in rows]})


async def get_message_provider(sandbox: Sandbox, providerId: str, token_info: Json) -> Response:
    """The provider a patient selects: its note, banner and out of office (PORTAL-R30, R31, R36)."""
    patient_of(sandbox, token_info)
    row = provider_or_404(sandbox.conn, providerId)
    return json_response(provider_view(sandbox.conn, row, sandbox.clock.now().date()))


async def list_staff_members(sandbox: Sandbox, token_info: Json) -> Response:
    """Who the patient may ask to respond: staff users with the messaging right (PORTAL-R03, R24)."""
    patient_of(sandbox, token_info)
    provider = params().get("providerId")
    rows = sandbox.conn.execute(
        "SELECT * FROM portal_user WHERE role = 'staff' AND portal_messaging = 1"
        " AND (? IS NULL OR provider_id = ?) ORDER BY rowid",
        (provider, provider),
    ).fetchall()
    return json_response({"items": [staff_member(row) for row in rows]})


async def list_response_methods(sandbox: Sandbox, token_info: Json) -> Response:
    patient_of(sandbox, token_info)
    rows = sandbox.conn.execute("SELECT id, label FROM portal_response_method ORDER BY position").fetchall()
    return json_response({"items": [{"id": row[0], "label": row[1]} for row in rows]})
