"""Resources as the API shows them: the patient's nested view, the staff view, providers, tasks.

Patient-side shapes are built here from named columns only, so an internal note has no way in
(PORTAL-R53); the staff view adds notes and tasks.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import Any

from patientmsg.mockserver.portal.lookup import effective_settings, user

__all__ = [
    "NOTICE",
    "away_active",
    "conversation_view",
    "message_actions",
    "message_view",
    "note_view",
    "provider_view",
    "staff_conversation",
    "staff_member",
    "staff_summary",
    "task_view",
]

NOTICE = "Electronic communications are for non-urgent requests only."

Json = dict[str, Any]


def _initials(first: str, last: str) -> str:
    return f"{first[:1]}{last[:1]}".upper()


def staff_member(row: sqlite3.Row) -> Json:
    return {
        "id": row["id"],
        "name": f"{row['first_name']} {row['last_name']}",
        "initials": _initials(row["first_name"], row["last_name"]),
        "providerId": row["provider_id"],
    }


def _sender(conn: sqlite3.Connection, message: sqlite3.Row) -> Json:
    if message["sender_kind"] == "patient":
        return {"kind": "patient", "flag": "Me", "staffMemberId": None}
    sender = user(conn, message["sender_user_id"])
    flag = _initials(sender["first_name"], sender["last_name"]) if sender is not None else "?"
    return {"kind": "provider", "flag": flag, "staffMemberId": message["sender_user_id"]}


def message_actions(message: sqlite3.Row, conversation: sqlite3.Row) -> list[str]:
    """The buttons seed 002 allows on a message now (PORTAL-R15 .. R20)."""
    is_open = conversation["status"] == "open"
    actions = ["showDetails"]
    if message["sender_kind"] == "patient":
        if is_open:
            actions.append("followUp")
        if not message["acted"]:
            actions.append("cancel")
    elif is_open and not message["auto_reply"]:
        actions.append("reply")
    return actions


def _conversation_actions(conversation: sqlite3.Row) -> list[str]:
    return ["archive"] if conversation["status"] == "open" else ["reopen"]


def _summary(
    conn: sqlite3.Connection,
    message: sqlite3.Row,
    conversation: sqlite3.Row,
    children: dict[str | None, list[sqlite3.Row]],
) -> Json:
    return {
        "id": message["id"],
        "conversationId": conversation["id"],
        "parentId": message["parent_id"],
        "subject": conversation["subject"],
        "sentAt": message["sent_at"],
        "sender": _sender(conn, message),
        "autoReply": bool(message["auto_reply"]),
        "allowedActions": message_actions(message, conversation),
        "responses": [
            _summary(conn, child, conversation, children) for child in children.get(message["id"], [])
        ],
    }


def conversation_view(
    conn: sqlite3.Connection, conversation: sqlite3.Row, messages: Sequence[sqlite3.Row]
) -> Json:
    """A Conversation: the original message with follow-ups and responses nested (PORTAL-R09)."""
    children: dict[str | None, list[sqlite3.Row]] = {}
    ids = {m["id"] for m in messages}
    for message in messages:
        parent = message["parent_id"] if message["parent_id"] in ids else None
        children.setdefault(parent, []).append(message)
    return {
        "id": conversation["id"],
        "subject": conversation["subject"],
        "providerId": conversation["provider_id"],
        "status": conversation["status"],
        "archived": conversation["status"] == "archived",
        "createdAt": conversation["created_at"],
        "lastMessageAt": conversation["last_message_at"],
        "allowedActions": _conversation_actions(conversation),
        "messages": [_summary(conn, m, conversation, children) for m in children.get(None, [])],
    }


def _instructions(conn: sqlite3.Connection, message: sqlite3.Row) -> Json:
    member = user(conn, message["staff_member_id"])
    method = None
    if message["response_method_id"] is not None:
        row = conn.execute(
            "SELECT id, label FROM portal_response_method WHERE id = ?", (message["response_method_id"],)
        ).fetchone()
        method = None if row is None else {"id": row[0], "label": row[1]}
    return {"staffMember": None if member is None else staff_member(member), "responseMethod": method}


def message_view(conn: sqlite3.Connection, message: sqlite3.Row, conversation: sqlite3.Row) -> Json:
    """Show Details: the text and the special instructions (PORTAL-R13), with canReply/canFollowUp."""
    actions = message_actions(message, conversation)
    return {
        "id": message["id"],
        "conversationId": conversation["id"],
        "parentId": message["parent_id"],
        "subject": conversation["subject"],
        "sentAt": message["sent_at"],
        "sender": _sender(conn, message),
        "autoReply": bool(message["auto_reply"]),
        "text": message["text"],
        "specialInstructions": _instructions(conn, message),
        "archived": conversation["status"] == "archived",
        "allowedActions": actions,
        "canReply": "reply" in actions,
        "canFollowUp": "followUp" in actions,
    }


def _staff_message(
    conn: sqlite3.Connection, message: sqlite3.Row, conversation: sqlite3.Row, patient: str
) -> Json:
    incoming = message["sender_kind"] == "patient"
    sender = user(conn, message["sender_user_id"])
    name = patient if incoming or sender is None else f"{sender['first_name']} {sender['last_name']}"
    return {
        "id": message["id"],
        "conversationId": conversation["id"],
        "parentId": message["parent_id"],
        "direction": "incoming" if incoming else "outgoing",
        "sender": {"name": name, "staffMemberId": None if incoming else message["sender_user_id"]},
        "subject": conversation["subject"],
        "sentAt": message["sent_at"],
        "text": message["text"],
        "specialInstructions": _instructions(conn, message) if incoming else None,
        "autoReply": bool(message["auto_reply"]),
    }


def _patient_name(conn: sqlite3.Connection, patient_id: str) -> str:
    row = conn.execute(
        "SELECT first_name, last_name FROM portal_patient WHERE id = ?", (patient_id,)
    ).fetchone()
    return f"{row[0]} {row[1]}"


def staff_summary(
    conn: sqlite3.Connection, conversation: sqlite3.Row, messages: Sequence[sqlite3.Row], caller: str
) -> Json:
    """A conversation in a staff list: read state for the caller (PORTAL-R49), latest incoming date."""
    incoming = [m["sent_at"] for m in messages if m["sender_kind"] == "patient"]
    state = conn.execute(
        "SELECT unread FROM portal_read_state WHERE conversation_id = ? AND user_id = ?",
        (conversation["id"], caller),
    ).fetchone()
    assignee = user(conn, conversation["assignee_id"])
    return {
        "id": conversation["id"],
        "subject": conversation["subject"],
        "patient": {
            "id": conversation["patient_id"],
            "name": _patient_name(conn, conversation["patient_id"]),
        },
        "providerId": conversation["provider_id"],
        "assignee": staff_member(assignee) if assignee is not None else None,
        "status": conversation["status"],
        "unread": bool(state[0]) if state is not None else bool(incoming),
        "hasIncoming": bool(incoming),
        "receivedAt": max(incoming) if incoming else None,
        "lastMessageAt": conversation["last_message_at"],
    }


def note_view(conn: sqlite3.Connection, note: sqlite3.Row) -> Json:
    author = user(conn, note["author_id"])
    return {
        "id": note["id"],
        "conversationId": note["conversation_id"],
        "author": staff_member(author) if author is not None else None,
        "text": note["text"],
        "createdAt": note["created_at"],
    }


def task_view(conn: sqlite3.Connection, task: sqlite3.Row) -> Json:
    assignee, creator = user(conn, task["assignee_id"]), user(conn, task["created_by"])
    return {
        "id": task["id"],
        "conversationId": task["conversation_id"],
        "messageId": task["message_id"],
        "title": task["title"],
        "assignee": staff_member(assignee) if assignee is not None else None,
        "dueDate": task["due_date"],
        "status": task["status"],
        "createdAt": task["created_at"],
        "createdBy": staff_member(creator) if creator is not None else None,
    }


def staff_conversation(
    conn: sqlite3.Connection, conversation: sqlite3.Row, messages: Sequence[sqlite3.Row], caller: str
) -> Json:
    """The full thread for staff: messages with special instructions, internal notes, tasks."""
    patient = _patient_name(conn, conversation["patient_id"])
    notes = conn.execute(
        "SELECT * FROM portal_internal_note WHERE conversation_id = ? ORDER BY seq, id", (conversation["id"],)
    )
    tasks = conn.execute(
        "SELECT * FROM portal_task WHERE conversation_id = ? ORDER BY seq, id", (conversation["id"],)
    )
    return {
        **staff_summary(conn, conversation, messages, caller),
        "messages": [_staff_message(conn, m, conversation, patient) for m in messages],
        "internalNotes": [note_view(conn, n) for n in notes],
        "tasks": [task_view(conn, t) for t in tasks],
    }


def away_active(settings: Json, today: dt.date) -> bool:
    """Out of office is on and its last day (inclusive) has not passed (PORTAL-R36, R37)."""
    away = settings.get("outOfOffice")
    if not away or not away.get("enabled"):
        return False
    until = away.get("until")
    return until is None or today.isoformat() <= str(until)


def provider_view(conn: sqlite3.Connection, row: sqlite3.Row, today: dt.date) -> Json:
    """A provider as a patient choosing whom to write sees it: note, banner, limits, out of office."""
    settings = effective_settings(conn, row["id"])
    away = settings.get("outOfOffice") or {}
    return {
        "id": row["id"],
        "name": f"{row['first_name']} {row['last_name']}",
        "initials": _initials(row["first_name"], row["last_name"]),
        "note": settings.get("note"),
        "banner": settings.get("banner"),
        "billingConsentRequired": bool(settings.get("billingConsentRequired")),
        "maxCharacters": settings.get("maxCharacters"),
        "frequencyLimits": settings.get("frequencyLimits") or [],
        "outOfOffice": {"active": away_active(settings, today), "until": away.get("until")},
    }
