"""pagination: what a single page must say about its size and its neighbours."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from patientmsg.conformance.checks.helpers import athena_list, int_param, oracle_items
from patientmsg.conformance.checks.registry import response_check
from patientmsg.conformance.exchange import Exchange
from patientmsg.conformance.failures import ConformanceFailure

__all__ = [
    "ATHENA_DEFAULT_LIMIT",
    "ORACLE_PAGE_LIMIT",
    "athena_next_and_previous_are_consistent",
    "athena_page_size_matches_limit",
    "oracle_page_holds_at_most_1000_items",
]

ATHENA_DEFAULT_LIMIT = 1000
ORACLE_PAGE_LIMIT = 1000


def _window(ex: Exchange) -> tuple[int, int] | None:
    limit = int_param(ex, "limit", ATHENA_DEFAULT_LIMIT)
    offset = int_param(ex, "offset", 0)
    if limit is None or offset is None or limit < 1 or offset < 0:
        return None
    return limit, offset


@response_check("athena")
def athena_page_size_matches_limit(ex: Exchange) -> bool | None:
    page = athena_list(ex)
    window = _window(ex)
    if page is None or window is None or not isinstance(page[1].get("totalcount"), int):
        return True
    name, body, entries = page
    limit, offset = window
    expected = min(limit, max(0, body["totalcount"] - offset))
    if len(entries) != expected:
        raise ConformanceFailure(
            "athena page size does not follow limit and offset",
            received=f"{len(entries)} {name} at limit={limit} offset={offset} of {body['totalcount']}",
            documented=f"min(limit, totalcount - offset) = {expected} entries (default 1000, max 10000)",
        )
    return None


def _link_problem(ex: Exchange, link: object, limit: int, offset: int) -> str | None:
    if not isinstance(link, str):
        return f"not a string: {link!r}"
    parts = urlsplit(link)
    # A vendor path (/v1/...), possibly behind a mount or as an absolute URL: compare from /v1/ on.
    start = parts.path.find("/v1/")
    if start < 0 or not ex.path.endswith(parts.path[start:]):
        return f"{link!r} is not this list's vendor path"
    query = parse_qs(parts.query)
    got_limit = int(query["limit"][0]) if query.get("limit", [""])[0].isdigit() else None
    got_offset = int(query["offset"][0]) if query.get("offset", [""])[0].isdigit() else None
    if (got_limit if "limit" in query else ATHENA_DEFAULT_LIMIT) != limit or got_offset != offset:
        return f"{link!r} instead of limit={limit}&offset={offset}"
    return None


@response_check("athena")
def athena_next_and_previous_are_consistent(ex: Exchange) -> bool | None:
    page = athena_list(ex)
    window = _window(ex)
    if page is None or window is None or not isinstance(page[1].get("totalcount"), int):
        return True
    _, body, _ = page
    limit, offset = window
    total = body["totalcount"]
    problems = []
    has_more = offset + limit < total
    if has_more != ("next" in body):
        problems.append(
            f"next {'absent' if has_more else 'present'} at offset={offset} of totalcount={total}"
        )
    elif has_more and (problem := _link_problem(ex, body["next"], limit, offset + limit)):
        problems.append(f"next is {problem}")
    # Past the end there is no neighbouring page to point back to, so previous is left open there.
    if offset < total or offset == 0:
        if (offset > 0) != ("previous" in body):
            problems.append(f"previous {'absent' if offset > 0 else 'present'} at offset={offset}")
        elif offset > 0 and (problem := _link_problem(ex, body["previous"], limit, max(0, offset - limit))):
            problems.append(f"previous is {problem}")
    if problems:
        raise ConformanceFailure(
            "athena next/previous do not match the page",
            received="; ".join(problems),
            documented="next = same list at offset+limit, absent on the last page; "
            "previous = offset-limit, absent on the first page",
        )
    return None


@response_check("oracle")
def oracle_page_holds_at_most_1000_items(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if items is None:
        return True
    body = ex.json()
    count = len(body["items"])
    if count > ORACLE_PAGE_LIMIT:
        raise ConformanceFailure(
            "Oracle page holds more than 1000 items",
            received=f"{count} items",
            documented="a page limit of 1000 (limit: minimum 1000, maximum 1000)",
        )
    return None
