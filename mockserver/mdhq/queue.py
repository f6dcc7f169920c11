"""MD HQ (Cerbo) patient portal: enqueued requests and the invite outbox."""

from __future__ import annotations

from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox, fits_sqlite, stable_digest
from patientmsg.mockserver.vendor_errors import ApiError
from starlette.responses import Response

__all__ = ["delete_enqueued", "invite_patient", "list_enqueued"]

_INVITE = {
    "invitation": ("Join our patient portal", "You're invited to our patient portal. Set up your account"),
    "password_reset": ("Reset your patient portal password", "Reset your patient portal password"),
}


def _patient_or_404(sandbox: Sandbox, pt_id: int) -> tuple[str, str | None, bool]:
    row = None
    if fits_sqlite(pt_id):
        row = sandbox.conn.execute(
            "SELECT first_name, email, portal_registered FROM mdhq_patient WHERE pt_id = ?", (pt_id,)
        ).fetchone()
    if row is None:
        raise ApiError(404, "Not found.", detail=f"Patient {pt_id} does not exist.")
    return row[0], row[1], bool(row[2])


async def list_enqueued(sandbox: Sandbox, pt_id: int) -> Response:
    """The patient's open, undeleted requests, oldest first.

    request_type and status are "coming soon" in the document: accepted, and ignored.
    """
    _patient_or_404(sandbox, pt_id)
    rows = sandbox.conn.execute(
        "SELECT id, request_type, status, subject, created_at, updated_at FROM mdhq_queue_request"
        " WHERE pt_id = ? AND status = 'open' AND deleted_at IS NULL ORDER BY created_at, id",
        (pt_id,),
    ).fetchall()
    data = [
        {
            "id": r[0],
            "pt_id": pt_id,
            "request_type": r[1],
            "status": r[2],
            "subject": r[3],
            "created": r[4],
            "updated": r[5],
        }
        for r in rows
    ]
    return json_response({"total": len(data), "data": data})


async def delete_enqueued(sandbox: Sandbox, pt_id: int, queue_request_id: int, user: str) -> Response:
    """Soft delete: hidden from the list, kept in the store with the time and the API user."""
    _patient_or_404(sandbox, pt_id)
    now = sandbox.now_text()
    with sandbox.write() as conn:
        changed = (
            fits_sqlite(queue_request_id)
            and conn.execute(
                "UPDATE mdhq_queue_request SET deleted_at = ?, deleted_by = ?"
                " WHERE id = ? AND pt_id = ? AND deleted_at IS NULL",
                (now, user, queue_request_id, pt_id),
            ).rowcount
        )
    if not changed:
        raise ApiError(
            404, "Not found.", detail=f"Patient {pt_id} has no enqueued request {queue_request_id}."
        )
    return json_response({"success": True, "id": queue_request_id, "deleted_at": now, "deleted_by": user})


async def invite_patient(sandbox: Sandbox, pt_id: int, user: str) -> Response:
    """Queue the invitation (a password reset once registered) in the outbox; no email leaves the machine."""
    first_name, email, registered = _patient_or_404(sandbox, pt_id)
    if not email:
        raise ApiError(
            409, "Conflict.", code="no_email", detail=f"Patient {pt_id} has no email address on file."
        )
    kind = "password_reset" if registered else "invitation"
    subject, lead = _INVITE[kind]
    now = sandbox.now_text()
    with sandbox.write() as conn:
        (sent,) = conn.execute("SELECT COUNT(*) FROM mdhq_invite_outbox WHERE pt_id = ?", (pt_id,)).fetchone()
        link = f"https://portal.example.com/invite/{stable_digest('mdhq-invite', sandbox.seed, pt_id, sent)}"
        conn.execute(
            "INSERT INTO mdhq_invite_outbox (pt_id, email, kind, subject, body, sent_at, sent_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (pt_id, email, kind, subject, f"Hi {first_name},\n\n{lead}: {link}\n", now, user),
        )
    return json_response({"success": True, "pt_id": pt_id, "email": email, "kind": kind, "sent_at": now})
