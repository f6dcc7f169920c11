"""Order checks every API shares: parse a list's times, find the first pair out of order, say so."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from patientmsg.conformance.run.findings import ConformanceFailure

__all__ = [
    "first_out_of_order",
    "order_failure",
    "parsed_times",
]


def parsed_times(
    values: Sequence[Any], parse: Callable[[Any], dt.datetime | None]
) -> list[dt.datetime] | None:
    """Every value parsed, or None when one does not parse (the schema checks report that)."""
    parsed = [parse(value) for value in values]
    times = [time for time in parsed if time is not None]
    return times if times and len(times) == len(parsed) else None


def first_out_of_order(values: Sequence[Any], *, descending: bool) -> int | None:
    """Index of the first pair that breaks the order, or None."""
    for index, (first, second) in enumerate(itertools.pairwise(values)):
        if (first < second) if descending else (first > second):
            return index
    return None


def order_failure(title: str, values: Sequence[Any], index: int, documented: str) -> ConformanceFailure:
    def show(value: Any) -> str:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, dt.datetime) else repr(value)

    received = f"entry {index}: {show(values[index])}, then entry {index + 1}: {show(values[index + 1])}"
    return ConformanceFailure(title, received=received, documented=documented)
