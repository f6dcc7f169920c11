"""Reads and small writes of the portal's tables, shared by the patient, staff and admin handlers."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from patientmsg.mockserver.portal.problems import refuse

__all__ = [
    "effective_settings",
    "mark_acted",
    "new_id",
    "next_seq",
    "practice",
    "provider_or_404",
    "provider_settings",
    "store_time",
    "thread",
    "user",
]

_DEFAULTS: dict[str, Any] = {"frequencyLimits": [], "billingConsentRequired": False}


def store_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def new_id(conn: sqlite3.Connection, kind: str) -> str:
    """`<kind>-<n>`: the n-th id of its kind this store ever issued (ids are never reused)."""
    conn.execute(
        "INSERT INTO portal_counter (name, value) VALUES (?, 1)"
        " ON CONFLICT(name) DO UPDATE SET value = value + 1",
        (kind,),
    )
    (value,) = conn.execute("SELECT value FROM portal_counter WHERE name = ?", (kind,)).fetchone()
    return f"{kind}-{value}"


def next_seq(conn: sqlite3.Connection, table: str) -> int:
    (value,) = conn.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}").fetchone()
    return int(value)


def practice(conn: sqlite3.Connection) -> sqlite3.Row:
    row: sqlite3.Row = conn.execute("SELECT * FROM portal_practice").fetchone()
    return row


def provider_settings(conn: sqlite3.Connection, provider_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT settings FROM portal_provider WHERE id = ?", (provider_id,)).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def effective_settings(conn: sqlite3.Connection, provider_id: str | None) -> dict[str, Any]:
    """A provider's value where set (not null), else the practice default (PORTAL-R38)."""
    defaults: dict[str, Any] = json.loads(practice(conn)["settings"])
    own = provider_settings(conn, provider_id) if provider_id else None
    merged = dict(defaults)
    for key, value in (own or {}).items():
        if value is not None:
            merged[key] = value
    for key, value in _DEFAULTS.items():
        if merged.get(key) is None:
            merged[key] = value
    return merged


def provider_or_404(conn: sqlite3.Connection, provider_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT p.id, p.settings, u.first_name, u.last_name FROM portal_provider p"
        " JOIN portal_user u ON u.id = p.id WHERE p.id = ?",
        (provider_id,),
    ).fetchone()
    if row is None:
        raise refuse(404, "PORTAL-R02", "Not found", f"There is no provider {provider_id}.")
    return row


def user(conn: sqlite3.Connection, user_id: str | None) -> sqlite3.Row | None:
    if user_id is None:
        return None
    row: sqlite3.Row | None = conn.execute("SELECT * FROM portal_user WHERE id = ?", (user_id,)).fetchone()
    return row


def thread(conn: sqlite3.Connection, conversation_id: str) -> list[sqlite3.Row]:
    """A conversation's messages, oldest first."""
    return list(
        conn.execute(
            "SELECT * FROM portal_message WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
        )
    )


def mark_acted(conn: sqlite3.Connection, conversation_id: str) -> None:
    """An action on the thread: none of its messages can be cancelled any more (PORTAL-R20, R21)."""
    conn.execute(
        "UPDATE portal_message SET acted = 1 WHERE conversation_id = ? AND acted = 0", (conversation_id,)
    )
