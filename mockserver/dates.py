"""Date conversions between the store's text form and each vendor's wire form."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["athena_datetime", "parse_rfc3339", "to_store_text"]

# ASCII digits only: `\d` would also take e.g. Arabic-Indic digits, which int() then accepts.
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:([Zz])|([+-])(\d\d):(\d\d))", re.ASCII
)
_EPOCH = dt.datetime(1970, 1, 1)
_MIN_STORE = "0001-01-01T00:00:00Z"
_MAX_STORE = "9999-12-31T23:59:59Z"


def athena_datetime(stored: str) -> str:
    """'YYYY-MM-DDTHH:MM:SSZ' -> athena's 'MM/DD/YYYY HH:MM:SS' (slicing: this runs per message)."""
    return f"{stored[5:7]}/{stored[8:10]}/{stored[0:4]} {stored[11:19]}"


def parse_rfc3339(text: str) -> float | None:
    """Seconds since the epoch (UTC, fractions dropped) of an RFC 3339 date-time, or None if it is not one.

    Computed by hand rather than with `astimezone`, which overflows for e.g. 0001-01-01T00:00:00+01:00,
    a value a client may legitimately send.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    if second > 60:  # 61-99 name no instant; clamping them to :59 would answer another question
        return None
    try:
        # A leap second (:60) is valid RFC 3339; it denotes the same instant as :59 + 1 s.
        local = dt.datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return None
    offset = 0
    if match.group(7) is None:
        sign = 1 if match.group(8) == "+" else -1
        hours, minutes = int(match.group(9)), int(match.group(10))
        if hours > 23 or minutes > 59:
            return None
        offset = sign * (hours * 3600 + minutes * 60)
    return (local - _EPOCH).total_seconds() + (second == 60) - offset


def to_store_text(epoch_seconds: float) -> str:
    """Seconds since the epoch in the store's text form, clamped to years 1..9999."""
    try:
        moment = _EPOCH + dt.timedelta(seconds=int(epoch_seconds))
    except OverflowError:
        return _MIN_STORE if epoch_seconds < 0 else _MAX_STORE
    # isoformat, unlike strftime("%Y") on glibc, pads years below 1000 to four digits.
    return moment.isoformat() + "Z"
