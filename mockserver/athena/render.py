"""athena's thread and message bodies (MessageThread, Message) from store rows."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from patientmsg.mockserver.athena.lookup import Thread
from patientmsg.mockserver.dates import athena_datetime

__all__ = ["MESSAGE_COLUMNS", "message_body", "plain_text", "thread_bodies"]

MESSAGE_COLUMNS = "messagethreadid, messageid, sendertype, sendername, providerid, text_html, created_at"

_BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr)\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(text_html: str) -> str:
    """showplaintext=Y: tags stripped (line-ending tags become newlines), then entities decoded.

    Decoding comes last so an encoded "&lt;b&gt;" stays visible text rather than being read as a tag.
    """
    text = _TAGS.sub("", _BREAKS.sub("\n", text_html))
    return _BLANK_LINES.sub("\n\n", html.unescape(text)).strip()


def message_body(row: Sequence[Any], *, plaintext: bool) -> dict[str, Any]:
    """One Message from a row in MESSAGE_COLUMNS order."""
    _, messageid, sendertype, sendername, providerid, text_html, created_at = row
    body: dict[str, Any] = {
        "messageid": messageid,
        "text": plain_text(text_html) if plaintext else text_html,
        "createddatetime": athena_datetime(created_at),
        "sendertype": sendertype,
        "sendername": sendername,
    }
    if providerid is not None:
        body["providerid"] = providerid
    return body


def thread_bodies(
    conn: sqlite3.Connection, threads: Sequence[Thread], *, enterpriseid: int, plaintext: bool
) -> list[dict[str, Any]]:
    """MessageThread bodies in the order given, each with its messages oldest first (one query)."""
    if not threads:
        return []
    ids = [thread.messagethreadid for thread in threads]
    messages: dict[int, list[dict[str, Any]]] = {tid: [] for tid in ids}
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM athena_message WHERE messagethreadid IN ({','.join('?' * len(ids))})"
        " ORDER BY messagethreadid, created_at, messageid",
        ids,
    )
    for row in rows:
        messages[row[0]].append(message_body(row, plaintext=plaintext))
    return [_thread_body(thread, enterpriseid, messages[thread.messagethreadid]) for thread in threads]


def _thread_body(thread: Thread, enterpriseid: int, messagelist: list[dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "documentid": thread.messagethreadid,
        "messagethreadid": thread.messagethreadid,
        "enterpriseid": enterpriseid,
        "subject": thread.subject,
        "messagetype": thread.messagetype,
        "status": thread.status,
    }
    if thread.messagetype == "LABRESULT":
        body["isread"] = thread.isread
    body["lastmodifieddatetime"] = athena_datetime(thread.last_at)
    body["messagelist"] = messagelist
    return body
