"""Readers of athena's bodies, shared by athena's checks and probes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from patientmsg.conformance.run.exchange import Exchange

__all__ = [
    "ATHENA_LISTS",
    "ATHENA_LIST_KEY",
    "athena_list",
    "athena_time",
    "list_entries",
]


ATHENA_LISTS = ("inboxmessages", "archivedmessages", "sentmessages")
_ATHENA_LIST_PATH = re.compile(
    r"/v1/[^/]+/patients/[^/]+/securemessage/(inboxmessages|archivedmessages|sentmessages)$"
)


# The key of a list's entries is not in the document: the spec follows a public client of athena's
# preview (`response.data.messages`), an inference, so a server that names the list after its
# endpoint (e.g. `inboxmessages`) is read too; only a SHOULD requirement asks for `messages`.
ATHENA_LIST_KEY = "messages"


def list_entries(body: Any, kind: str) -> Any:
    """The entries of an athena list body: under `messages`, else under the list's own name."""
    if not isinstance(body, dict):
        return None
    return body.get(ATHENA_LIST_KEY, body.get(kind))


def athena_list(ex: Exchange) -> tuple[str, dict[str, Any], list[Any]] | None:
    """(list name, body, entries) of a successful athena list response, else None."""
    match = _ATHENA_LIST_PATH.search(ex.path)
    body = ex.json()
    if match is None or ex.status != 200 or not isinstance(body, dict):
        return None
    entries = list_entries(body, match.group(1))
    if not isinstance(entries, list):
        return None
    return match.group(1), body, entries


def athena_time(value: Any) -> dt.datetime | None:
    """An athena date (MM/DD/YYYY HH:MM:SS, UTC), or None when it is not one."""
    try:
        return dt.datetime.strptime(str(value), "%m/%d/%Y %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
