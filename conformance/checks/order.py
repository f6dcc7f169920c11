"""behaviour: lists come in the order the documents (or the spec) give."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from patientmsg.conformance.checks.helpers import (
    athena_list,
    athena_time,
    created_at,
    field_value,
    oracle_items,
    parse_time,
)
from patientmsg.conformance.checks.registry import response_check
from patientmsg.conformance.exchange import Exchange
from patientmsg.conformance.failures import ConformanceFailure

__all__ = [
    "athena_lists_are_newest_first",
    "athena_thread_messages_are_oldest_first",
    "mdhq_queue_is_oldest_first",
    "oracle_messages_sorted_as_requested",
    "oracle_priority_sort_puts_high_first",
]


def _times(values: Sequence[Any], parse: Callable[[Any], dt.datetime | None]) -> list[dt.datetime] | None:
    """Every value parsed, or None when one does not parse (the schema checks report that)."""
    parsed = [parse(value) for value in values]
    times = [time for time in parsed if time is not None]
    return times if times and len(times) == len(parsed) else None


def _out_of_order(values: Sequence[Any], *, descending: bool) -> int | None:
    """Index of the first pair that breaks the order, or None."""
    for index, (first, second) in enumerate(itertools.pairwise(values)):
        if (first < second) if descending else (first > second):
            return index
    return None


def _fail(title: str, values: Sequence[Any], index: int, documented: str) -> ConformanceFailure:
    def show(value: Any) -> str:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, dt.datetime) else repr(value)

    received = f"entry {index}: {show(values[index])}, then entry {index + 1}: {show(values[index + 1])}"
    return ConformanceFailure(title, received=received, documented=documented)


@response_check("athena")
def athena_lists_are_newest_first(ex: Exchange) -> bool | None:
    page = athena_list(ex)
    entries = [entry for entry in page[2] if isinstance(entry, dict)] if page else []
    times = _times([entry.get("lastmodifieddatetime") for entry in entries], athena_time)
    if times is None:
        return True
    index = _out_of_order(times, descending=True)
    if index is not None:
        raise _fail(
            "athena list not newest first", times, index, "threads newest first (lastmodifieddatetime)"
        )
    return None


@response_check("athena")
def athena_thread_messages_are_oldest_first(ex: Exchange) -> bool | None:
    body = ex.json()
    if ex.status != 200 or not isinstance(body, dict) or not isinstance(body.get("messagelist"), list):
        return True
    messages = [m for m in body["messagelist"] if isinstance(m, dict)]
    times = _times([message.get("createddatetime") for message in messages], athena_time)
    if times is None:
        return True
    index = _out_of_order(times, descending=False)
    if index is not None:
        raise _fail("athena thread not oldest first", times, index, "a thread's messages oldest first")
    return None


@response_check("oracle")
def oracle_messages_sorted_as_requested(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items or ex.query_value("sortBy") not in (None, "createDateTime"):
        return True
    # Reminders sort by their remind time, so only an all-message page has one order to check.
    if any(field_value(item, "notificationType") != "MESSAGE" for item in items):
        return True
    times = _times(items, created_at)
    if times is None:
        return True
    ascending = ex.query_value("sortOrder") == "ASC"
    index = _out_of_order(times, descending=not ascending)
    if index is not None:
        order = "ascending (sortOrder=ASC)" if ascending else "descending by default"
        raise _fail("Oracle messages out of createDateTime order", times, index, f"createDateTime {order}")
    return None


@response_check("oracle")
def oracle_priority_sort_puts_high_first(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items or ex.query_value("sortBy") != "priority":
        return True
    ranks = [{"HIGH": 0, "NORMAL": 1}.get(field_value(item, "priority"), 2) for item in items]
    ascending = ex.query_value("sortOrder") == "ASC"
    # HIGH (STAT) comes first unless the order is reversed.
    index = _out_of_order(ranks, descending=ascending)
    if index is not None:
        priorities = [field_value(item, "priority") for item in items]
        order = "NORMAL before HIGH (ASC)" if ascending else "HIGH before NORMAL (DESC, the default)"
        raise _fail("Oracle priority sort out of order", priorities, index, f"sortBy=priority: {order}")
    return None


@response_check("mdhq")
def mdhq_queue_is_oldest_first(ex: Exchange) -> bool | None:
    body = ex.json()
    if ex.status != 200 or not ex.path.endswith("/portal/enqueued") or not isinstance(body, dict):
        return True
    entries = [entry for entry in body.get("data") or [] if isinstance(entry, dict)]
    times = _times([entry.get("created") for entry in entries], parse_time)
    if times is None:
        return True
    index = _out_of_order(times, descending=False)
    if index is not None:
        raise _fail("MD HQ queue not oldest first", times, index, "enqueued requests oldest first (created)")
    return None
