"""athena probes that cross the documented bounds on purpose: page sizes, offsets, empty answers, big ids."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.athena.probes.read_only import ERROR_FORMAT, ERROR_KEYS, list_path, thread_path
from patientmsg.conformance.athena.readers import list_entries
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of, expect_error
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["BEYOND_32_BITS"]

# 2^32 + 1 and the largest signed 64-bit integer: ids no 32-bit column can hold.
BEYOND_32_BITS = (4294967297, 9223372036854775807)
_PAGE_SIZES = (1, 2, 7)


def _page(ctx: ProbeContext, params: dict[str, str | int], patient: str = "patientid") -> list[Any]:
    exchange = ctx.get(list_path(ctx, "inboxmessages", patient), params=params)
    entries = list_entries(body_of(exchange), "inboxmessages")
    if exchange.status != 200 or not isinstance(entries, list):
        raise ConformanceFailure(
            "athena inbox unreadable", received=describe(exchange), documented="200 with inboxmessages"
        )
    ctx.checked(exchange)
    return [entry.get("documentid") if isinstance(entry, dict) else None for entry in entries]


def _inbox_total(ctx: ProbeContext) -> int:
    exchange = ctx.get(list_path(ctx, "inboxmessages"), params={"limit": 1})
    total = body_of(exchange).get("totalcount")
    if exchange.status == 200 and total is not None and not isinstance(total, int):
        # ATH-SCH-001 reports the type; the bounds need a number to aim at.
        raise Skip(f"inboxmessages totalcount is {total!r}, not an integer: no bound to aim at")
    if exchange.status != 200 or not isinstance(total, int):
        raise ConformanceFailure(
            "athena inbox unreadable", received=describe(exchange), documented="200 with a totalcount"
        )
    return total


@probe("athena")
def athena_pages_hold_limit_entries(ctx: ProbeContext) -> None:
    """Small limits at the start and across the end of the inbox: the page-size check judges each."""
    total = _inbox_total(ctx)
    if total < 2:
        raise Skip(
            f"patientid {ctx.id('patientid')} has {total} inbox threads: a page of limit entries "
            "needs at least 2; set [ids] patientid to a mailbox with more"
        )
    for limit in _PAGE_SIZES:
        for offset in (0, max(0, total - 1)):
            exchange = ctx.get(list_path(ctx, "inboxmessages"), params={"limit": limit, "offset": offset})
            entries = list_entries(body_of(exchange), "inboxmessages")
            expected = min(limit, max(0, total - offset))
            ctx.checked(exchange)
            if not isinstance(entries, list) or len(entries) != expected:
                ctx.fail(
                    "athena page size does not follow limit and offset",
                    received=f"{describe(exchange, 80)} at limit={limit} offset={offset} of {total}",
                    documented=f"min(limit, totalcount - offset) = {expected} entries",
                    exchange=exchange,
                )


@probe("athena")
def athena_offset_is_zero_indexed(ctx: ProbeContext) -> None:
    first = _page(ctx, {"limit": 3, "offset": 0})
    if len(first) < 3:
        raise Skip(
            f"patientid {ctx.id('patientid')} has {len(first)} inbox threads: comparing offsets needs "
            "at least 3; set [ids] patientid to a mailbox with more"
        )
    default = _page(ctx, {"limit": 3})
    shifted = _page(ctx, {"limit": 2, "offset": 1})
    if default != first:
        ctx.fail(
            "athena list without offset does not start at entry 0",
            received=f"documentid {default} without offset, {first} with offset=0",
            documented="offset: starting point of entries; 0-indexed (offset=0 is the first entry)",
        )
    if shifted != first[1:3]:
        ctx.fail(
            "athena offset is not 0-indexed",
            received=f"offset=1 limit=2 gave documentid {shifted}; offset=0 limit=3 gave {first}",
            documented=f"offset=1 skips exactly one entry: {first[1:3]}",
        )


@probe("athena")
def athena_pages_past_the_end_are_empty(ctx: ProbeContext) -> None:
    total = _inbox_total(ctx)
    cases: list[tuple[str, dict[str, str | int], str]] = [
        (list_path(ctx, "inboxmessages"), {"offset": total, "limit": 5}, f"offset={total} = totalcount"),
        (list_path(ctx, "inboxmessages"), {"offset": total + 1000, "limit": 5}, "offset past the end"),
    ]
    if ctx.optional_id("empty_patientid") is not None:
        for kind in ("inboxmessages", "archivedmessages", "sentmessages"):
            cases.append((list_path(ctx, kind, "empty_patientid"), {}, f"the empty mailbox's {kind}"))
    for path, params, what in cases:
        exchange = ctx.get(path, params=params)
        if exchange.status >= 500:
            continue  # a crash is ATH-SRV-001's (athena_answers_no_server_error), not a page's answer
        body = body_of(exchange)
        entries = list_entries(body, path.rsplit("/", 1)[-1])
        ctx.checked(exchange)
        if exchange.status != 200 or entries != [] or body.get("totalcount") is None or "next" in body:
            ctx.fail(
                "athena page with nothing to show is not an empty 200",
                received=f"{describe(exchange)} for {what}",
                documented="200 with totalcount and an empty list, no next: a query matching nothing",
                exchange=exchange,
            )


@probe("athena")
def athena_ids_beyond_32_bits_are_unknown_ids(ctx: ProbeContext) -> None:
    practice = ctx.id("practiceid")
    paths = [f"/v1/{practice}/patients/{big}/securemessage/inboxmessages" for big in BEYOND_32_BITS]
    paths += [thread_path(ctx, big) for big in BEYOND_32_BITS]
    for path in paths:
        exchange = ctx.get(path)
        expect_error(
            ctx,
            exchange,
            (404,),
            "athena id beyond 32 bits not answered like an unknown id",
            f"404 in {ERROR_FORMAT}: an integer id past 2^31 - 1 names no patient or thread",
            ERROR_KEYS,
        )
