"""Small readers shared by the checks: what a body is, what a query asked for."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from patientmsg.conformance.exchange import Exchange

__all__ = [
    "ATHENA_LISTS",
    "ATHENA_LIST_KEY",
    "athena_list",
    "athena_time",
    "created_at",
    "describe",
    "field_value",
    "int_param",
    "multi_param",
    "oracle_items",
    "parse_time",
]

ATHENA_LISTS = ("inboxmessages", "archivedmessages", "sentmessages")
# The key of every athena list's entries: not in the document; the one a public client of athena's
# preview reads (response.data.messages), as the spec's MessageThreadList says.
ATHENA_LIST_KEY = "messages"
_ATHENA_LIST_PATH = re.compile(
    r"/v1/[^/]+/patients/[^/]+/securemessage/(inboxmessages|archivedmessages|sentmessages)$"
)


def describe(ex: Exchange, limit: int = 200) -> str:
    """How a response looked, in one line: status, content type and the start of the body."""
    kind = ex.content_type or "no content type"
    return f"{ex.status} {kind} {ex.text_excerpt(limit)!r}"


def athena_list(ex: Exchange) -> tuple[str, dict[str, Any], list[Any]] | None:
    """(list name, body, entries) of a successful athena list response, else None."""
    match = _ATHENA_LIST_PATH.search(ex.path)
    body = ex.json()
    if match is None or ex.status != 200 or not isinstance(body, dict):
        return None
    entries = body.get(ATHENA_LIST_KEY)
    if not isinstance(entries, list):
        return None
    return match.group(1), body, entries


def oracle_items(ex: Exchange) -> list[dict[str, Any]] | None:
    """The item objects of a successful inboxItems response, else None."""
    body = ex.json()
    if ex.status != 200 or not ex.path.endswith("/patientMessages/inboxItems") or not isinstance(body, dict):
        return None
    items = body.get("items")
    if not isinstance(items, list):
        return None
    return [item for item in items if isinstance(item, dict)]


def int_param(ex: Exchange, name: str, default: int) -> int | None:
    """The query's integer value, the default when absent, None when it is not an integer."""
    value = ex.query_value(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return None


def multi_param(ex: Exchange, name: str) -> set[str] | None:
    """Values of a repeated or comma-separated query parameter; None when absent."""
    values = ex.query.get(name)
    if not values:
        return None
    return {part.strip() for value in values for part in value.split(",") if part.strip()}


def field_value(item: dict[str, Any], name: str) -> Any:
    """The `value` of an Oracle coded field ({"value": ...}), or None."""
    field = item.get(name)
    return field.get("value") if isinstance(field, dict) else None


def created_at(item: dict[str, Any]) -> dt.datetime | None:
    created = item.get("createdDateTime")
    return parse_time(created.get("dateTime")) if isinstance(created, dict) else None


def athena_time(value: Any) -> dt.datetime | None:
    """An athena date (MM/DD/YYYY HH:MM:SS, UTC), or None when it is not one."""
    try:
        return dt.datetime.strptime(str(value), "%m/%d/%Y %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 date-time as an aware UTC datetime to the second, or None when it is not one."""
    if not isinstance(value, str) or "T" not in value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).replace(microsecond=0)
