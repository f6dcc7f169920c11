"""Oracle probes for pagination: the create-date window walk, hasAdditionalListItems, page tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from patientmsg.conformance.oracle.probes.queries import ERROR_KEYS, inbox
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of, expect_error
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe, parse_time

__all__ = ["Page", "Walk"]

PAGE = 1000
WALK_PAGES = 40
WALK_SECONDS = 40.0


@dataclass
class Page:
    exchange: Exchange
    bound: str | None
    ids: list[str]
    more: Any


@dataclass
class Walk:
    pages: list[Page] = field(default_factory=list)
    # Why the walk ended early, when it did.
    stopped: str | None = None
    # Narrowing the window brought no new item although the last page was full.
    stalled: bool = False


def _walk(ctx: ProbeContext) -> Walk:
    """Newest first, each window ending at the oldest item already seen (ids de-duplicate the seam)."""

    def compute() -> Walk:
        walk, bound, seen = Walk(), None, set[str]()
        expired = ctx.deadline(WALK_SECONDS)
        for _ in range(WALK_PAGES):
            params: dict[str, str] = {} if bound is None else {"createDateTimeLessThanOrEqualTo": bound}
            exchange = inbox(ctx, **params)
            body = body_of(exchange)
            items = [item for item in body.get("items") or [] if isinstance(item, dict)]
            if exchange.status != 200 or not isinstance(body.get("items"), list):
                raise ConformanceFailure(
                    "Oracle walk interrupted",
                    received=describe(exchange),
                    documented="200 PatientInboxMessagesCollection",
                )
            ids = [str(item.get("id")) for item in items]
            walk.pages.append(Page(exchange, bound, ids, body.get("hasAdditionalListItems")))
            times = [parse_time((item.get("createdDateTime") or {}).get("dateTime")) for item in items]
            fresh = set(ids) - seen
            seen |= set(ids)
            if len(items) < PAGE:
                return walk
            if not fresh or None in times:
                walk.stopped = "a narrower window brought nothing new (more than 1000 items in one second?)"
                walk.stalled = True
                return walk
            if expired():
                walk.stopped = f"the walk ran out of time ({WALK_SECONDS:.0f} s)"
                return walk
            bound = min(time for time in times if time is not None).strftime("%Y-%m-%dT%H:%M:%SZ")
        walk.stopped = f"the walk reached its bound of {WALK_PAGES} pages"
        return walk

    return ctx.memo("oracle_walk", compute)


@probe("oracle")
def oracle_has_additional_list_items_is_truthful(ctx: ProbeContext) -> None:
    walk = _walk(ctx)
    for index, page in enumerate(walk.pages):
        following = walk.pages[index + 1] if index + 1 < len(walk.pages) else None
        # A stalled window proves nothing about the page before it (the walk probe reports the stall).
        if following is not None and not (walk.stalled and following is walk.pages[-1]):
            more = bool(set(following.ids) - set(page.ids))
        elif following is None and len(page.ids) < PAGE:
            more = False
        else:
            continue
        if not isinstance(page.more, bool):
            continue  # another type ("false") is ORA-SCH-001's to report; no truth value to compare
        ctx.checked(page.exchange)
        if page.more is not more:
            ctx.fail(
                "Oracle hasAdditionalListItems is wrong",
                received=f"hasAdditionalListItems={page.more!r} with {len(page.ids)} items "
                f"(window up to {page.bound or 'now'}); more items {'do' if more else 'do not'} match",
                documented="true exactly when more messages exist for the given filtering criteria",
                exchange=page.exchange,
            )
    if len(walk.pages) < 2 and walk.stopped is None and len(walk.pages[0].ids) < PAGE and not ctx.failures:
        raise Skip(
            f"[ids] patientId has {len(walk.pages[0].ids)} items: hasAdditionalListItems=true needs "
            "more than 1000; set [ids] patientId to a mailbox with more than 1000 recent messages"
        )


@probe("oracle")
def oracle_date_window_walk_yields_each_item_once(ctx: ProbeContext) -> None:
    walk = _walk(ctx)
    last = walk.pages[-1]
    if walk.stalled and last.more is True and len(walk.pages) > 1 and walk.pages[-2].more is True:
        ctx.fail(
            "Oracle window walk cannot reach the items hasAdditionalListItems announces",
            received=f"the window up to {last.bound} returns only items already seen, yet announces more",
            documented="adjust date and time parameters to retrieve further items",
            exchange=last.exchange,
        )
        return
    if walk.stopped:
        raise Skip(walk.stopped)
    if len(walk.pages) < 2:
        raise Skip(
            f"[ids] patientId has {len(walk.pages[0].ids)} items: the window walk needs more than one page; "
            "set [ids] patientId to a mailbox with more than 1000 messages in the last 90 days"
        )
    seen: set[str] = set()
    for page in walk.pages:
        ctx.checked(page.exchange)
        repeated = [item for item in page.ids if page.ids.count(item) > 1]
        if repeated:
            ctx.fail(
                "Oracle page lists an item twice",
                received=f"id {repeated[0]!r} twice on one page",
                documented="each item once",
                exchange=page.exchange,
            )
        # Items on the window's closing second come back by design; others must not.
        seam = {
            str(item.get("id"))
            for item in body_of(page.exchange).get("items") or []
            if isinstance(item, dict)
            and page.bound is not None
            and parse_time((item.get("createdDateTime") or {}).get("dateTime")) == parse_time(page.bound)
        }
        again = sorted((set(page.ids) & seen) - seam)
        if again:
            ctx.fail(
                "Oracle window walk returns items from outside the narrowed window",
                received=f"ids {', '.join(again[:5])} again at createDateTimeLessThanOrEqualTo={page.bound}",
                documented="messages created before this date and time value are retrieved",
                exchange=page.exchange,
            )
        seen |= set(page.ids)


def _next_page_token(ctx: ProbeContext) -> tuple[Page, str] | None:
    for page in _walk(ctx).pages:
        token = page.exchange.headers.get("opc-next-page")
        if token:
            return page, token
    return None


@probe("oracle")
def oracle_next_page_continues_without_overlap(ctx: ProbeContext) -> None:
    found = _next_page_token(ctx)
    if found is None:
        raise Skip("the server sends no opc-next-page header")
    page, token = found
    params = {"createDateTimeLessThanOrEqualTo": page.bound} if page.bound else {}
    exchange = inbox(ctx, page=token, **params)
    ids = [str(item.get("id")) for item in body_of(exchange).get("items") or [] if isinstance(item, dict)]
    overlap = sorted(set(ids) & set(page.ids))
    ctx.checked(exchange)
    if exchange.status != 200 or not ids or overlap:
        ctx.fail(
            "Oracle opc-next-page does not lead to the next items",
            received=f"{exchange.status} with {len(ids)} items, {len(overlap)} already on the previous page",
            documented="opc-next-page: additional pages of results remain",
            exchange=exchange,
        )


@probe("oracle")
def oracle_tampered_page_token_is_rejected(ctx: ProbeContext) -> None:
    found = _next_page_token(ctx)
    token = found[1] + "x" if found else "patientmsg-tampered-token"
    exchange = inbox(ctx, page=token)
    expect_error(
        ctx,
        exchange,
        (400,),
        "Oracle page token it never issued not rejected with 400",
        "400 ApiError: page is the value of the opc-next-page header of the previous request",
        ERROR_KEYS,
    )
