"""Small readers shared by the checks and probes: what a body is, what a query asked for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure

__all__ = [
    "created_at",
    "describe",
    "field_value",
    "int_param",
    "json_object",
    "multi_param",
    "parse_time",
]


def describe(ex: Exchange, limit: int = 200) -> str:
    """How a response looked, in one line: status, content type and the start of the body."""
    kind = ex.content_type or "no content type"
    return f"{ex.status} {kind} {ex.text_excerpt(limit)!r}"


def json_object(ex: Exchange, documented: str, title: str) -> dict[str, object]:
    body = ex.json()
    if ex.content_type != "application/json" or not isinstance(body, dict):
        raise ConformanceFailure(title, received=describe(ex), documented=documented)
    return body


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
