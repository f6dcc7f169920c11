"""Oracle's checks on the times of an inboxItems page: their form, their zone, and the reminders' window
and order (reminders go by remindDateTime where messages go by createDateTime)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from typing import Any

from patientmsg.conformance.oracle.readers import oracle_items
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.shared.checking import response_check
from patientmsg.conformance.shared.ordering import first_out_of_order, order_failure
from patientmsg.conformance.shared.readers import field_value, parse_time

__all__ = [
    "DATE_FIELDS",
    "oracle_date_times_have_no_utc_offset",
    "oracle_reminders_lie_in_date_window",
    "oracle_reminders_sorted_by_remind_time",
    "oracle_time_zones_are_iana_names",
    "remind_at",
]

DATE_FIELDS = ("createdDateTime", "updatedDateTime", "dueDateTime", "remindDateTime")
# "YYYY-MM-DDTHH:MM:SS:SSSZ format without the UTC offset": the document writes ':' before the
# milliseconds where RFC 3339 writes '.', so either separator passes; an offset never does.
_DOCUMENTED_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[.:]\d{3}Z$")


def _date_values(item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, value) for name in DATE_FIELDS if isinstance(value := item.get(name), dict)]


@response_check("oracle")
def oracle_date_times_have_no_utc_offset(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    values = [(item, name, value) for item in items or [] for name, value in _date_values(item)]
    values = [entry for entry in values if "dateTime" in entry[2]]
    if not values:
        return True
    for item, name, value in values:
        text = value["dateTime"]
        if not isinstance(text, str) or not _DOCUMENTED_FORM.match(text):
            raise ConformanceFailure(
                "Oracle dateTime not in the documented UTC form",
                received=f"item {item.get('id')!r} {name}.dateTime = {text!r}",
                documented="YYYY-MM-DDTHH:MM:SS:SSSZ format without the UTC offset (RFC 3339, e.g. "
                "2026-11-21T09:00:00.000Z)",
            )
    return None


@functools.cache
def _known_zones() -> frozenset[str]:
    try:
        return frozenset(zoneinfo.available_timezones())
    except (OSError, ValueError):  # no time-zone database on this machine: nothing to compare with
        return frozenset()


@response_check("oracle")
def oracle_time_zones_are_iana_names(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    zones = [
        (item, name, value["ianaTimeZone"])
        for item in items or []
        for name, value in _date_values(item)
        if isinstance(value.get("ianaTimeZone"), str)
    ]
    known = _known_zones()
    if not zones or not known:
        return True
    for item, name, zone in zones:
        if zone not in known:
            raise ConformanceFailure(
                "Oracle ianaTimeZone is not an IANA time zone",
                received=f"item {item.get('id')!r} {name}.ianaTimeZone = {zone!r}",
                documented="ianaTimeZone: the time zone, by its IANA name (e.g. America/New_York)",
            )
    return None


def remind_at(item: dict[str, Any]) -> dt.datetime | None:
    remind = item.get("remindDateTime")
    return parse_time(remind.get("dateTime")) if isinstance(remind, dict) else None


def _reminders(ex: Exchange) -> list[tuple[dict[str, Any], dt.datetime]]:
    """(item, remind time) of every reminder of the page that states one."""
    found = []
    for item in oracle_items(ex) or []:
        moment = remind_at(item)
        if field_value(item, "notificationType") == "REMINDER" and moment is not None:
            found.append((item, moment))
    return found


@response_check("oracle")
def oracle_reminders_lie_in_date_window(ex: Exchange) -> bool | None:
    low = parse_time(ex.query_value("createDateTimeGreaterThanOrEqualTo"))
    high = parse_time(ex.query_value("createDateTimeLessThanOrEqualTo"))
    reminders = _reminders(ex)
    if not reminders or (low is None and high is None):
        return True
    for item, moment in reminders:
        if (low is not None and moment < low) or (high is not None and moment > high):
            raise ConformanceFailure(
                "Oracle reminder outside the date window",
                received=f"reminder {item.get('id')!r} set to show up {moment:%Y-%m-%dT%H:%M:%SZ}",
                documented="reminders set to show up from "
                f"{ex.query_value('createDateTimeGreaterThanOrEqualTo') or 'now - 90 days'} "
                f"to {ex.query_value('createDateTimeLessThanOrEqualTo') or 'now'} (remindDateTime)",
            )
    return None


@response_check("oracle")
def oracle_reminders_sorted_by_remind_time(ex: Exchange) -> bool | None:
    if ex.query_value("sortBy") not in (None, "createDateTime"):
        return True
    # Among messages each reminder keeps its place by remindDateTime, so the reminders alone are in order.
    times = [moment for _, moment in _reminders(ex)]
    if len(times) < 2:
        return True
    ascending = ex.query_value("sortOrder") == "ASC"
    index = first_out_of_order(times, descending=not ascending)
    if index is not None:
        order = "ascending (sortOrder=ASC)" if ascending else "descending by default"
        raise order_failure(
            "Oracle reminders out of remindDateTime order",
            times,
            index,
            f"sort the reminders by remindDateTime, {order}",
        )
    return None
