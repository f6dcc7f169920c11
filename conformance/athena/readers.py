"""Readers of athena's bodies, shared by athena's checks and probes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from patientmsg.conformance.run.exchange import Exchange

__all__ = [
    "ATHENA_LISTS",
    "athena_list",
    "athena_time",
]


ATHENA_LISTS = ("inboxmessages", "archivedmessages", "sentmessages")
_ATHENA_LIST_PATH = re.compile(
    r"/v1/[^/]+/patients/[^/]+/securemessage/(inboxmessages|archivedmessages|sentmessages)$"
)


def athena_list(ex: Exchange) -> tuple[str, dict[str, Any], list[Any]] | None:
    """(list name, body, entries) of a successful athena list response, else None."""
    match = _ATHENA_LIST_PATH.search(ex.path)
    body = ex.json()
    if match is None or ex.status != 200 or not isinstance(body, dict):
        return None
    entries = body.get(match.group(1))
    if not isinstance(entries, list):
        return None
    return match.group(1), body, entries


def athena_time(value: Any) -> dt.datetime | None:
    """An athena date (MM/DD/YYYY HH:MM:SS, UTC), or None when it is not one."""
    try:
        return dt.datetime.strptime(str(value), "%m/%d/%Y %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
