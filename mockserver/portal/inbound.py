"""A patient's message arriving: size and frequency limits, then the record, the notification and the
out-of-office auto-reply (seed 004's message settings)."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from typing import Any

from patientmsg.mockserver.portal.lookup import (
    effective_settings,
    new_id,
    next_seq,
    practice,
    store_time,
    user,
)
from patientmsg.mockserver.portal.problems import refuse
from patientmsg.mockserver.portal.render import away_active

__all__ = ["check_limits", "record_incoming", "record_message"]


def check_limits(
    conn: sqlite3.Connection, patient_id: str, provider_id: str, text: str, now: dt.datetime
) -> None:
    """Refuse a message over the provider's size limit (400, R35) or frequency limit (429, R33)."""
    settings = effective_settings(conn, provider_id)
    maximum = settings.get("maxCharacters")
    if maximum is not None and len(text) > maximum:
        raise refuse(
            400,
            "PORTAL-R35",
            "Message too long",
            f"The message has {len(text)} characters; this provider accepts at most {maximum}.",
            field="text",
            limit={"name": "maxCharacters", "value": maximum},
        )
    for limit in settings.get("frequencyLimits") or []:
        period = dt.timedelta(hours=limit["periodHours"])
        sent = [
            row[0]
            for row in conn.execute(
                "SELECT m.sent_at FROM portal_message m"
                " JOIN portal_conversation c ON c.id = m.conversation_id"
                " WHERE c.patient_id = ? AND c.provider_id = ? AND m.sender_kind = 'patient'"
                " AND m.sent_at > ?"
                " ORDER BY m.sent_at",
                (patient_id, provider_id, store_time(now - period)),
            )
        ]
        if len(sent) >= limit["maxMessages"]:
            oldest = dt.datetime.fromisoformat(sent[0].replace("Z", "+00:00"))
            wait = max(1, math.ceil((oldest + period - now).total_seconds()))
            message = settings.get("limitMessage") or (
                f"This provider accepts {limit['maxMessages']} messages in {limit['periodHours']} hours."
            )
            raise refuse(
                429,
                "PORTAL-R33",
                "Too many messages",
                message,
                headers={"Retry-After": str(wait)},
                limit={
                    "name": "frequency",
                    "value": limit["maxMessages"],
                    "periodHours": limit["periodHours"],
                },
            )


def record_message(conn: sqlite3.Connection, conversation_id: str, now: dt.datetime, **columns: Any) -> str:
    """Insert a message (an id and a place in time order of its own) and move the thread's date."""
    mid = new_id(conn, "msg")
    values = {
        "id": mid,
        "seq": next_seq(conn, "portal_message"),
        "conversation_id": conversation_id,
        "sent_at": store_time(now),
        **columns,
    }
    names = ", ".join(values)
    conn.execute(
        f"INSERT INTO portal_message ({names}) VALUES ({', '.join('?' * len(values))})",
        tuple(values.values()),
    )
    conn.execute(
        "UPDATE portal_conversation SET last_message_at = ? WHERE id = ?", (store_time(now), conversation_id)
    )
    return mid


def record_incoming(
    conn: sqlite3.Connection, conversation: sqlite3.Row, now: dt.datetime, text: str, **columns: Any
) -> str:
    """A patient's message: recorded, unread for every staff user (R49), notified (R39, R40), and
    answered by the out-of-office auto-reply at most once a day per patient and provider (R37)."""
    cid = conversation["id"]
    mid = record_message(conn, cid, now, sender_kind="patient", text=text, **columns)
    conn.execute("DELETE FROM portal_read_state WHERE conversation_id = ?", (cid,))
    assignee = user(conn, conversation["assignee_id"])
    owner = assignee["provider_id"] if assignee is not None else conversation["provider_id"]
    to = effective_settings(conn, owner).get("destinationEmail") or practice(conn)["reply_to_email"]
    conn.execute(
        "INSERT INTO portal_outbox (id, seq, kind, to_address, recipient_user_id, conversation_id,"
        " message_id, created_at) VALUES (?, ?, 'notification', ?, ?, ?, ?, ?)",
        (
            new_id(conn, "out"),
            next_seq(conn, "portal_outbox"),
            to,
            conversation["assignee_id"],
            cid,
            mid,
            store_time(now),
        ),
    )
    settings = effective_settings(conn, conversation["provider_id"])
    if away_active(settings, now.date()):
        (already,) = conn.execute(
            "SELECT COUNT(*) FROM portal_message m JOIN portal_conversation c ON c.id = m.conversation_id"
            " WHERE c.patient_id = ? AND c.provider_id = ? AND m.auto_reply = 1"
            " AND substr(m.sent_at, 1, 10) = ?",
            (conversation["patient_id"], conversation["provider_id"], now.date().isoformat()),
        ).fetchone()
        if not already:
            record_message(
                conn,
                cid,
                now,
                parent_id=mid,
                sender_kind="provider",
                sender_user_id=conversation["provider_id"],
                text=settings["outOfOffice"].get("autoReply") or "I am out of the office.",
                auto_reply=1,
            )
    return mid
