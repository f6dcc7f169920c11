"""athena's single-thread operations: read, reply (open threads only), reply access, lab result read."""

from __future__ import annotations

from typing import Any

from patientmsg.mockserver.athena.cache import forget, refresh, thread_json
from patientmsg.mockserver.athena.lookup import Thread, patient_or_404, thread_or_404
from patientmsg.mockserver.athena.render import MESSAGE_COLUMNS, message_body
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from patientmsg.mockserver.vendor_errors import ApiError
from starlette.responses import Response

__all__ = ["can_patient_reply", "get_message_thread", "mark_lab_result_read", "reply_to_message_thread"]

_ARCHIVED_REASON = "The message thread is archived; a patient may reply only to an open thread."


def _archived(thread: Thread) -> bool:
    return thread.status == "ARCHIVED"


async def get_message_thread(
    sandbox: Sandbox, practiceid: int, patientid: int, messagethreadid: int
) -> Response:
    refresh(sandbox)
    patient = patient_or_404(sandbox.conn, practiceid, patientid)
    thread = thread_or_404(sandbox.conn, patient, messagethreadid)
    (body,) = thread_json(sandbox, [thread], enterpriseid=patient.enterpriseid, plaintext=False)
    return json_response(body)


async def can_patient_reply(
    sandbox: Sandbox, practiceid: int, patientid: int, messagethreadid: int
) -> Response:
    """The same rule reply enforces, as ReplyAccess."""
    patient = patient_or_404(sandbox.conn, practiceid, patientid)
    thread = thread_or_404(sandbox.conn, patient, messagethreadid)
    if _archived(thread):
        return json_response({"canreply": False, "reason": _ARCHIVED_REASON})
    return json_response({"canreply": True})


async def reply_to_message_thread(
    sandbox: Sandbox, practiceid: int, patientid: int, messagethreadid: int, body: dict[str, Any]
) -> Response:
    """Append the patient's message; the thread then leads their sent list."""
    patient = patient_or_404(sandbox.conn, practiceid, patientid)
    thread = thread_or_404(sandbox.conn, patient, messagethreadid)
    if _archived(thread):
        raise ApiError(409, "The message thread is archived.", detail=_ARCHIVED_REASON)
    now = sandbox.now_text()
    with sandbox.write() as conn:
        # Ids continue the store's sequence, so the same requests give the same ids on every run.
        (messageid,) = conn.execute("SELECT COALESCE(MAX(messageid), 0) + 1 FROM athena_message").fetchone()
        conn.execute(
            f"INSERT INTO athena_message ({MESSAGE_COLUMNS}) VALUES (?, ?, 'PATIENT', ?, NULL, ?, ?)",
            (messagethreadid, messageid, patient.name, str(body["text"]), now),
        )
        conn.execute(
            "UPDATE athena_thread SET in_sent = 1, last_at = MAX(last_at, ?) WHERE messagethreadid = ?",
            (now, messagethreadid),
        )
        row = conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM athena_message WHERE messageid = ?", (messageid,)
        ).fetchone()
    forget(sandbox, practiceid, patientid, messagethreadid)
    return json_response({"error": "0", "message": message_body(row, plaintext=False)})


async def mark_lab_result_read(
    sandbox: Sandbox, practiceid: int, patientid: int, messagethreadid: int
) -> Response:
    """Idempotent: marking a read lab result again succeeds and changes nothing."""
    patient = patient_or_404(sandbox.conn, practiceid, patientid)
    thread = thread_or_404(sandbox.conn, patient, messagethreadid)
    if thread.messagetype != "LABRESULT":
        raise ApiError(
            409, "Not a lab result.", detail=f"Message thread {messagethreadid} is not a lab result."
        )
    if not thread.isread:
        with sandbox.write() as conn:
            conn.execute("UPDATE athena_thread SET isread = 1 WHERE messagethreadid = ?", (messagethreadid,))
        forget(sandbox, practiceid, patientid, messagethreadid)
    return json_response({"success": "true"})
