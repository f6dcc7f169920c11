"""The practice's side (seed 004): inbox views and filters, read state, copy, reassign, staff messages,
internal notes, tasks, a patient's page, and the patient's portal access as staff see it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from patientmsg.mockserver.inputs import params
from patientmsg.mockserver.portal.access import staff_of
from patientmsg.mockserver.portal.inbound import record_message
from patientmsg.mockserver.portal.lookup import mark_acted, new_id, next_seq, store_time, thread, user
from patientmsg.mockserver.portal.problems import refuse
from patientmsg.mockserver.portal.render import note_view, staff_conversation, staff_summary, task_view
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from starlette.responses import Response

__all__ = [
    "access_view",
    "add_internal_note",
    "copy_conversation",
    "create_task",
    "get_portal_access",
    "get_staff_conversation",
    "get_task",
    "list_internal_notes",
    "list_patient_conversations_for_staff",
    "list_staff_conversations",
    "mark_conversation_read",
    "mark_conversation_unread",
    "patient_or_404",
    "reassign_conversation",
    "send_staff_message",
    "start_patient_conversation",
]

Json = dict[str, Any]
_LABELS = {"registered": "Registered For Portal"}


def _visible(caller: sqlite3.Row, conversation: sqlite3.Row) -> bool:
    """My conversations, and others' with the view-others right (PORTAL-R02, R04)."""
    return conversation["assignee_id"] == caller["id"] or bool(caller["view_others"])


def _conversation(sandbox: Sandbox, caller: sqlite3.Row, conversation_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = sandbox.conn.execute(
        "SELECT * FROM portal_conversation WHERE id = ?", (conversation_id,)
    ).fetchone()
    if row is None or not _visible(caller, row):
        raise refuse(404, "PORTAL-R04", "Not found", f"No conversation {conversation_id} is visible to you.")
    return row


def _full(sandbox: Sandbox, conversation_id: str, caller: sqlite3.Row) -> Json:
    conn = sandbox.conn
    row = conn.execute("SELECT * FROM portal_conversation WHERE id = ?", (conversation_id,)).fetchone()
    return staff_conversation(conn, row, thread(conn, conversation_id), caller["id"])


def patient_or_404(sandbox: Sandbox, patient_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = sandbox.conn.execute(
        "SELECT * FROM portal_patient WHERE id = ?", (patient_id,)
    ).fetchone()
    if row is None:
        raise refuse(404, "PORTAL-R02", "Not found", f"There is no patient {patient_id}.")
    return row


def access_view(patient: sqlite3.Row) -> Json:
    """PortalAccess: "Not Registered For Portal" unless registered (PORTAL-R08)."""
    return {
        "patientId": patient["id"],
        "status": patient["access"],
        "label": _LABELS.get(patient["access"], "Not Registered For Portal"),
        "invitedAt": patient["invited_at"],
    }


def _date(name: str) -> str | None:
    value = params().get(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat() if len(str(value)) == 10 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name: str) -> str:
    raise refuse(400, "PORTAL-R57", "Invalid parameter", f"{name} must be a date (YYYY-MM-DD).", field=name)


def _matches(conn: sqlite3.Connection, summary: Json, messages: list[sqlite3.Row], query: str) -> bool:
    """Search by patient name or message content (PORTAL-R47)."""
    needle = query.casefold()
    texts = [summary["patient"]["name"], summary["subject"], *(m["text"] for m in messages)]
    return any(needle in text.casefold() for text in texts)


async def list_staff_conversations(sandbox: Sandbox, token_info: Json) -> Response:
    """My Messages, Others' Messages (with the right), Unread only, date received, search (R44 .. R47)."""
    caller = staff_of(sandbox, token_info)
    values = params()
    view = values.get("view", "mine")
    if view != "mine" and not caller["view_others"]:
        raise refuse(
            403,
            "PORTAL-R04",
            "No view-others right",
            "Viewing portal messages for other users needs that right.",
        )
    start, end = _date("receivedFrom"), _date("receivedTo")
    query, unread_only = values.get("q"), bool(values.get("unreadOnly", False))
    conn = sandbox.conn
    where = {"mine": "assignee_id = ?", "others": "assignee_id <> ?", "all": "? IS NOT NULL"}[view]
    rows = conn.execute(
        f"SELECT * FROM portal_conversation WHERE {where} ORDER BY last_message_at DESC, id DESC",
        (caller["id"],),
    ).fetchall()
    items = []
    for row in rows:
        messages = thread(conn, row["id"])
        summary = staff_summary(conn, row, messages, caller["id"])
        received = (summary["receivedAt"] or "")[:10]
        if unread_only and not summary["unread"]:
            continue
        if (start or end) and not received:
            continue
        if (start and received < start) or (end and received > end):
            continue
        if query and not _matches(conn, summary, messages, str(query)):
            continue
        items.append(summary)
    return json_response({"view": view, "items": items})


async def get_staff_conversation(sandbox: Sandbox, conversationId: str, token_info: Json) -> Response:
    """The thread with the patient's special instructions, internal notes and tasks (R29, R53, R54)."""
    caller = staff_of(sandbox, token_info)
    row = _conversation(sandbox, caller, conversationId)
    return json_response(_full(sandbox, row["id"], caller))


def _read_state(sandbox: Sandbox, caller: sqlite3.Row, conversation: sqlite3.Row, unread: bool) -> Response:
    with sandbox.write() as conn:
        conn.execute(
            "INSERT INTO portal_read_state (conversation_id, user_id, unread) VALUES (?, ?, ?)"
            " ON CONFLICT(conversation_id, user_id) DO UPDATE SET unread = excluded.unread",
            (conversation["id"], caller["id"], int(unread)),
        )
        mark_acted(conn, conversation["id"])  # the practice opened it: an action (PORTAL-R21)
    return json_response(
        {"conversationId": conversation["id"], "staffUserId": caller["id"], "unread": unread}
    )


async def mark_conversation_read(sandbox: Sandbox, conversationId: str, token_info: Json) -> Response:
    caller = staff_of(sandbox, token_info)
    return _read_state(sandbox, caller, _conversation(sandbox, caller, conversationId), unread=False)


async def mark_conversation_unread(sandbox: Sandbox, conversationId: str, token_info: Json) -> Response:
    """Mark as Unread: only a thread with an incoming (patient) message (PORTAL-R48)."""
    caller = staff_of(sandbox, token_info)
    row = _conversation(sandbox, caller, conversationId)
    incoming = sandbox.conn.execute(
        "SELECT 1 FROM portal_message WHERE conversation_id = ? AND sender_kind = 'patient'", (row["id"],)
    ).fetchone()
    if incoming is None:
        raise refuse(
            409,
            "PORTAL-R48",
            "Outgoing-only thread",
            "Outgoing-only message threads cannot be marked as unread.",
        )
    return _read_state(sandbox, caller, row, unread=True)


async def copy_conversation(sandbox: Sandbox, conversationId: str, token_info: Json) -> Response:
    """Copy Messages: a plain-text transcript, oldest first, without internal notes (PORTAL-R50)."""
    caller = staff_of(sandbox, token_info)
    row = _conversation(sandbox, caller, conversationId)
    full = _full(sandbox, row["id"], caller)
    lines = [f"Subject: {full['subject']}", f"Patient: {full['patient']['name']}", ""]
    for message in full["messages"]:
        lines += [f"{message['sender']['name']} - {message['sentAt']}", message["text"], ""]
    return Response("\n".join(lines), media_type="text/plain")


async def reassign_conversation(
    sandbox: Sandbox, conversationId: str, body: Json, token_info: Json
) -> Response:
    """Reassign to another user with the messaging right: it moves from my list to theirs (R51, R52)."""
    caller = staff_of(sandbox, token_info)
    row = _conversation(sandbox, caller, conversationId)
    target = user(sandbox.conn, str(body.get("staffUserId")))
    if target is None:
        raise refuse(
            400,
            "PORTAL-R52",
            "Unknown user",
            f"There is no staff user {body.get('staffUserId')}.",
            field="staffUserId",
        )
    if not target["portal_messaging"]:
        raise refuse(
            409,
            "PORTAL-R52",
            "No portal messaging right",
            f"{target['id']} does not have portal messaging turned on and cannot receive messages.",
        )
    with sandbox.write() as conn:
        conn.execute("UPDATE portal_conversation SET assignee_id = ? WHERE id = ?", (target["id"], row["id"]))
        mark_acted(conn, row["id"])
    return json_response(_full(sandbox, row["id"], caller))


def _patient_with_access(sandbox: Sandbox, patient_id: str) -> sqlite3.Row:
    patient = patient_or_404(sandbox, patient_id)
    if patient["access"] != "registered":
        raise refuse(
            409,
            "PORTAL-R43",
            "No portal access",
            f"Patient {patient_id} has no portal access ({access_view(patient)['label']}).",
        )
    return patient


async def send_staff_message(sandbox: Sandbox, conversationId: str, body: Json, token_info: Json) -> Response:
    """A message the provider sends into a thread, nested under the message it answers (R21, R42, R43)."""
    caller = staff_of(sandbox, token_info)
    row = _conversation(sandbox, caller, conversationId)
    _patient_with_access(sandbox, row["patient_id"])
    messages = thread(sandbox.conn, row["id"])
    parent = body.get("parentId")
    if parent is None:
        incoming = [m for m in messages if m["sender_kind"] == "patient"]
        parent = (incoming or messages)[-1]["id"] if messages else None
    elif parent not in {m["id"] for m in messages}:
        raise refuse(
            400,
            "PORTAL-R57",
            "Unknown message",
            f"{parent} is not a message of this conversation.",
            field="parentId",
        )
    now = sandbox.clock.now()
    with sandbox.write() as conn:
        mark_acted(conn, row["id"])
        mid = record_message(
            conn,
            row["id"],
            now,
            parent_id=parent,
            sender_kind="provider",
            sender_user_id=caller["id"],
            text=str(body.get("text", "")),
        )
    full = _full(sandbox, row["id"], caller)
    return json_response(next(m for m in full["messages"] if m["id"] == mid), status=201)


async def list_internal_notes(sandbox: Sandbox, conversationId: str, token_info: Json) -> Response:
    caller = staff_of(sandbox, token_info)
    row = _conversation(sandbox, caller, conversationId)
    return json_response({"items": _full(sandbox, row["id"], caller)["internalNotes"]})


async def add_internal_note(sandbox: Sandbox, conversationId: str, body: Json, token_info: Json) -> Response:
    """An internal note: staff see it, no patient-side response has it (PORTAL-R53)."""
    caller = staff_of(sandbox, token_info)
    row = _conversation(sandbox, caller, conversationId)
    with sandbox.write() as conn:
        nid = new_id(conn, "note")
        conn.execute(
            "INSERT INTO portal_internal_note (id, seq, conversation_id, author_id, text, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                nid,
                next_seq(conn, "portal_internal_note"),
                row["id"],
                caller["id"],
                str(body.get("text", "")),
                store_time(sandbox.clock.now()),
            ),
        )
        mark_acted(conn, row["id"])
        note = conn.execute("SELECT * FROM portal_internal_note WHERE id = ?", (nid,)).fetchone()
    return json_response(note_view(sandbox.conn, note), status=201)


async def create_task(sandbox: Sandbox, conversationId: str, body: Json, token_info: Json) -> Response:
    """A task linked to the conversation and one of its messages (PORTAL-R54)."""
    caller = staff_of(sandbox, token_info)
    row = _conversation(sandbox, caller, conversationId)
    messages = thread(sandbox.conn, row["id"])
    message = body.get("messageId") or (messages[-1]["id"] if messages else None)
    if message not in {m["id"] for m in messages}:
        raise refuse(
            400,
            "PORTAL-R54",
            "Unknown message",
            f"{message} is not a message of this conversation.",
            field="messageId",
        )
    assignee = body.get("assigneeId") or caller["id"]
    if user(sandbox.conn, assignee) is None:
        raise refuse(
            400, "PORTAL-R57", "Unknown user", f"There is no staff user {assignee}.", field="assigneeId"
        )
    due = body.get("dueDate")
    if due is not None:
        try:
            due = dt.date.fromisoformat(str(due)).isoformat()
        except ValueError:
            raise refuse(
                400, "PORTAL-R57", "Invalid field", "dueDate must be a date (YYYY-MM-DD).", field="dueDate"
            ) from None
    with sandbox.write() as conn:
        tid = new_id(conn, "task")
        conn.execute(
            "INSERT INTO portal_task (id, seq, conversation_id, message_id, title, assignee_id, due_date,"
            " status, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            (
                tid,
                next_seq(conn, "portal_task"),
                row["id"],
                message,
                str(body.get("title", "")),
                assignee,
                due,
                store_time(sandbox.clock.now()),
                caller["id"],
            ),
        )
        mark_acted(conn, row["id"])
        task = conn.execute("SELECT * FROM portal_task WHERE id = ?", (tid,)).fetchone()
    return json_response(task_view(sandbox.conn, task), status=201)


async def get_task(sandbox: Sandbox, taskId: str, token_info: Json) -> Response:
    caller = staff_of(sandbox, token_info)
    task = sandbox.conn.execute("SELECT * FROM portal_task WHERE id = ?", (taskId,)).fetchone()
    if task is None:
        raise refuse(404, "PORTAL-R02", "Not found", f"There is no task {taskId}.")
    _conversation(sandbox, caller, task["conversation_id"])
    return json_response(task_view(sandbox.conn, task))


async def list_patient_conversations_for_staff(
    sandbox: Sandbox, patientId: str, token_info: Json
) -> Response:
    """From a patient's page: that patient's past conversations the caller may see (PORTAL-R41)."""
    caller = staff_of(sandbox, token_info)
    patient = patient_or_404(sandbox, patientId)
    conn = sandbox.conn
    rows = conn.execute(
        "SELECT * FROM portal_conversation WHERE patient_id = ? ORDER BY last_message_at DESC, id DESC",
        (patient["id"],),
    ).fetchall()
    items = [
        staff_summary(conn, row, thread(conn, row["id"]), caller["id"])
        for row in rows
        if _visible(caller, row)
    ]
    return json_response({"view": "all" if caller["view_others"] else "mine", "items": items})


async def start_patient_conversation(
    sandbox: Sandbox, patientId: str, body: Json, token_info: Json
) -> Response:
    """A new message specific to that patient, sent by the caller, who is its assignee (R41, R42, R43)."""
    caller = staff_of(sandbox, token_info)
    patient = _patient_with_access(sandbox, patientId)
    conn = sandbox.conn
    provider = caller["provider_id"]
    if provider is None:
        provider = conn.execute("SELECT id FROM portal_provider ORDER BY position LIMIT 1").fetchone()[0]
    now = sandbox.clock.now()
    with sandbox.write() as write:
        cid = new_id(write, "conv")
        write.execute(
            "INSERT INTO portal_conversation (id, patient_id, provider_id, assignee_id, subject, status,"
            " created_at, last_message_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
            (
                cid,
                patient["id"],
                provider,
                caller["id"],
                str(body.get("subject", "")),
                store_time(now),
                store_time(now),
            ),
        )
        record_message(
            write,
            cid,
            now,
            sender_kind="provider",
            sender_user_id=caller["id"],
            text=str(body.get("text", "")),
        )
    return json_response(_full(sandbox, cid, caller), status=201)


async def get_portal_access(sandbox: Sandbox, patientId: str, token_info: Json) -> Response:
    """Whether the patient registered: "Not Registered For Portal" otherwise (PORTAL-R08)."""
    staff_of(sandbox, token_info)
    return json_response(access_view(patient_or_404(sandbox, patientId)))
