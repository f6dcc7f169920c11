"""Oracle's filters: the create-date window (defaults, future upper bound, order check) and sort order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from patientmsg.mockserver.dates import parse_rfc3339, to_store_text
from patientmsg.mockserver.vendor_errors import ApiError

__all__ = ["DEFAULT_DAYS", "LOWER", "UPPER", "order_by", "window"]

LOWER = "createDateTimeGreaterThanOrEqualTo"
UPPER = "createDateTimeLessThanOrEqualTo"
#: The lower bound's default: this many days before now.
DEFAULT_DAYS = 90

# A tiebreak on id makes every order total, so equal dates never swap between requests.
_ORDERS = {
    ("createDateTime", "DESC"): "window_at DESC, id DESC",
    ("createDateTime", "ASC"): "window_at ASC, id ASC",
    # The spec's x-inferred rule: HIGH first for DESC (NORMAL first for ASC), then newest, then id.
    ("priority", "DESC"): "CASE priority WHEN 'HIGH' THEN 0 ELSE 1 END, window_at DESC, id DESC",
    ("priority", "ASC"): "CASE priority WHEN 'HIGH' THEN 1 ELSE 0 END, window_at DESC, id DESC",
}


def order_by(query: dict[str, Any]) -> str:
    """The ORDER BY clause; sortOrder has no documented default, DESC is the createDateTime one."""
    return _ORDERS[(query["sortBy"], query.get("sortOrder") or "DESC")]


def window(query: dict[str, Any], now: dt.datetime) -> tuple[str, str]:
    """(lower, upper) inclusive, in the store's text form.

    Defaults: now - 90 days .. now. An upper bound in the future becomes now (as documented); a
    lower bound not before the upper bound is refused with 400 naming the parameters given.
    """
    now_s = now.timestamp()
    upper = now_s
    if UPPER in query:
        upper = min(_seconds(query[UPPER]), now_s)
    lower = _seconds(query[LOWER]) if LOWER in query else now_s - DEFAULT_DAYS * 86400
    if lower >= upper:
        named = [name for name in (LOWER, UPPER) if name in query]
        raise ApiError(
            400,
            f"{LOWER} must be before {UPPER}.",
            detail=f"{LOWER} must be before {UPPER} (by default now; a future value counts as now).",
            parameters=named,
        )
    return to_store_text(lower), to_store_text(upper)


def _seconds(text: str) -> float:
    seconds = parse_rfc3339(text)
    if seconds is None:  # the validator already refused it; kept so a bypass cannot 500
        raise ApiError(400, "Invalid date-time.", detail=f"{text!r} is not an ISO 8601 date-time.")
    return seconds
