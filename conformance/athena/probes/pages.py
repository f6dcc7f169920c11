"""athena probes for pagination: the default limit, the limit's bounds, an offset walk over a mailbox."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.athena.probes.read_only import ERROR_KEYS, list_path
from patientmsg.conformance.athena.readers import ATHENA_LISTS, list_entries
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of, expect_error
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__: list[str] = []

WALK_LIMIT = 500
WALK_PAGES = 100
WALK_SECONDS = 40.0


def _largest_list(ctx: ProbeContext) -> tuple[str, int]:
    """The configured patient's list with the most threads: the mailbox the walks page through."""

    def compute() -> tuple[str, int]:
        sizes: dict[str, int] = {}
        for kind in ATHENA_LISTS:
            exchange = ctx.get(list_path(ctx, kind), params={"limit": 1})
            total = body_of(exchange).get("totalcount")
            if exchange.status == 200 and total is not None and not isinstance(total, int):
                # ATH-SCH-001 reports the type; a walk needs a number to count against.
                raise Skip(f"{kind} totalcount is {total!r}, not an integer: nothing to count against")
            if exchange.status != 200 or not isinstance(total, int):
                raise ConformanceFailure(
                    "athena list unreadable", received=describe(exchange), documented="200 with a totalcount"
                )
            sizes[kind] = total
        kind = max(ATHENA_LISTS, key=lambda name: sizes[name])
        return kind, sizes[kind]

    return ctx.memo("athena_largest_list", compute)


@probe("athena")
def athena_default_limit_is_1000(ctx: ProbeContext) -> None:
    kind, total = _largest_list(ctx)
    if total == 0:
        raise Skip(
            f"patientid {ctx.id('patientid')} has 0 threads: the default limit shows on a mailbox with "
            "more than 1000; set [ids] patientid to one"
        )
    exchange = ctx.get(list_path(ctx, kind))
    ctx.checked(exchange)
    entries = list_entries(body_of(exchange), kind)
    # Below 1001 threads the default can only show as "all of them".
    expected = min(total, 1000)
    if exchange.status != 200 or not isinstance(entries, list) or len(entries) != expected:
        count = len(entries) if isinstance(entries, list) else "no"
        ctx.fail(
            "athena default limit not honoured",
            received=f"{exchange.status} with {count} {kind} of {total}, no limit given",
            documented=f"limit: default 1000, so {expected} entries",
            exchange=exchange,
        )


def _limit_bound(ctx: ProbeContext, inside: int, outside: int, documented: str) -> None:
    """The bound itself is a valid limit; one step past it is refused."""
    path = list_path(
        ctx, "inboxmessages", "small_patientid" if ctx.optional_id("small_patientid") else "patientid"
    )
    accepted = ctx.get(path, params={"limit": inside})
    if accepted.status != 200:
        ctx.fail(
            f"athena limit={inside} refused",
            received=describe(accepted),
            documented=f"200: {documented}",
            exchange=accepted,
        )
    refused = ctx.get(path, params={"limit": outside})
    expect_error(
        ctx, refused, (400,), f"athena limit={outside} not rejected", f"400: {documented}", ERROR_KEYS
    )


@probe("athena")
def athena_limit_above_max_is_rejected(ctx: ProbeContext) -> None:
    _limit_bound(ctx, 10000, 10001, "limit max 10000")


@probe("athena")
def athena_limit_below_1_is_rejected(ctx: ProbeContext) -> None:
    _limit_bound(ctx, 1, 0, "limit minimum 1")


@probe("athena")
def athena_offset_walk_yields_each_thread_once(ctx: ProbeContext) -> None:
    kind, total = _largest_list(ctx)
    if total < 2:
        raise Skip(
            f"patientid {ctx.id('patientid')} has {total} threads in its largest list: the offset walk "
            "needs at least 2 pages; set [ids] patientid to a mailbox with more than 1 thread"
        )
    # At least two pages, however small the mailbox: a one-page walk says nothing about offset.
    step = min(WALK_LIMIT, total // 2)
    expired = ctx.deadline(WALK_SECONDS)
    seen: set[Any] = set()
    offset = 0
    for _ in range(WALK_PAGES):
        if offset >= total or expired():
            break
        exchange = ctx.get(list_path(ctx, kind), params={"limit": step, "offset": offset})
        ctx.checked(exchange)
        body = body_of(exchange)
        entries = list_entries(body, kind)
        if exchange.status != 200 or not isinstance(entries, list):
            raise ConformanceFailure(
                "athena walk interrupted", received=describe(exchange), documented="200 lists"
            )
        if body.get("totalcount") != total:
            ctx.fail(
                "athena totalcount changed during a read-only walk",
                received=f"totalcount {body.get('totalcount')} at offset {offset}, {total} at offset 0",
                documented="totalcount: every match, not only this page",
            )
        ids = [entry.get("documentid") for entry in entries if isinstance(entry, dict)]
        repeated = sorted({str(i) for i in ids if i in seen})
        if repeated:
            ctx.fail(
                "athena offset walk repeats threads",
                received=f"documentid {', '.join(repeated[:5])} again at offset {offset}",
                documented="offset: starting point of entries; each entry once",
            )
        seen.update(ids)
        if not entries:
            break
        offset += step
    else:
        if not ctx.failures:
            raise Skip(f"the mailbox is larger than the walk's bound ({WALK_PAGES} pages)")
        return
    if offset < total and expired():
        if ctx.failures:
            return
        raise Skip(f"the walk ran out of time ({WALK_SECONDS:.0f} s) at offset {offset} of {total}")
    if len(seen) != total:
        ctx.fail(
            "athena offset walk disagrees with totalcount",
            received=f"{len(seen)} distinct threads over offsets 0..{offset} with limit={step}",
            documented=f"totalcount = {total}: every thread once",
        )


@probe("athena")
def athena_page_links_keep_the_query(ctx: ProbeContext) -> None:
    """A middle page asked with showplaintext=Y: athena_next_and_previous_are_consistent judges that
    its next and previous keep showplaintext (a link to the same offset of another listing is wrong)."""
    kind, total = _largest_list(ctx)
    if total < 5:
        raise Skip(f"{kind} of patientid {ctx.id('patientid')} has {total} threads: a middle page needs 5")
    for params in ({"showplaintext": "Y", "limit": 2, "offset": 2}, {"showplaintext": "N", "limit": 2}):
        ctx.checked(ctx.get(list_path(ctx, kind), params=params))
