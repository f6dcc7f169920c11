"""athena's response checks: error bodies, thread ids, order, pagination, departments mapping, status."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from patientmsg.conformance.athena.readers import athena_list, athena_time
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.shared.checking import response_check
from patientmsg.conformance.shared.ordering import first_out_of_order, order_failure, parsed_times
from patientmsg.conformance.shared.readers import describe, int_param, json_object, multi_param
from patientmsg.conformance.shared.status import status_code_is_documented

__all__ = [
    "ATHENA_DEFAULT_LIMIT",
    "athena_answers_no_server_error",
    "athena_departments_mapping_matches_filters",
    "athena_errors_carry_error_key",
    "athena_json_is_utf8",
    "athena_lists_are_newest_first",
    "athena_lists_match_thread_status",
    "athena_next_and_previous_are_consistent",
    "athena_page_size_matches_limit",
    "athena_sent_threads_hold_a_patient_message",
    "athena_status_code_is_documented",
    "athena_thread_ids_agree",
    "athena_thread_messages_are_oldest_first",
    "athena_threads_carry_documented_fields",
    "athena_unauthorized_names_a_challenge",
]


@response_check("athena")
def athena_errors_carry_error_key(ex: Exchange) -> bool | None:
    if ex.status < 400:
        return True
    documented = 'application/json {"error": "<string>", "detailedmessage": "<string>" (optional)}'
    title = "athena error body is not in athena's error format"
    body = json_object(ex, documented, title)
    detailed = body.get("detailedmessage")
    if not isinstance(body.get("error"), str) or (detailed is not None and not isinstance(detailed, str)):
        raise ConformanceFailure(title, received=describe(ex), documented=documented)
    return None


def _threads(ex: Exchange) -> list[Any]:
    page = athena_list(ex)
    if page is not None:
        return page[2]
    body = ex.json()
    if ex.status == 200 and isinstance(body, dict) and "documentid" in body and "messagelist" in body:
        return [body]
    return []


@response_check("athena")
def athena_thread_ids_agree(ex: Exchange) -> bool | None:
    threads = [
        t for t in _threads(ex) if isinstance(t, dict) and "documentid" in t and "messagethreadid" in t
    ]
    if not threads:
        return True
    for thread in threads:
        if thread["documentid"] != thread["messagethreadid"]:
            raise ConformanceFailure(
                "athena thread's documentid and messagethreadid differ",
                received=f"documentid={thread['documentid']!r} messagethreadid={thread['messagethreadid']!r}",
                documented="messagethreadid: the id to pass as {messagethreadid}; always equal to documentid",
            )
    return None


@response_check("athena")
def athena_lists_are_newest_first(ex: Exchange) -> bool | None:
    page = athena_list(ex)
    entries = [entry for entry in page[2] if isinstance(entry, dict)] if page else []
    times = parsed_times([entry.get("lastmodifieddatetime") for entry in entries], athena_time)
    if times is None:
        return True
    index = first_out_of_order(times, descending=True)
    if index is not None:
        raise order_failure(
            "athena list not newest first", times, index, "threads newest first (lastmodifieddatetime)"
        )
    return None


@response_check("athena")
def athena_thread_messages_are_oldest_first(ex: Exchange) -> bool | None:
    """In a thread response and in each entry of a list: the same data, so the same order."""
    checked = False
    for thread in _threads(ex):
        if not isinstance(thread, dict) or not isinstance(thread.get("messagelist"), list):
            continue
        messages = [m for m in thread["messagelist"] if isinstance(m, dict)]
        times = parsed_times([message.get("createddatetime") for message in messages], athena_time)
        if times is None:
            continue
        checked = True
        index = first_out_of_order(times, descending=False)
        if index is not None:
            where = "list entry" if athena_list(ex) is not None else "thread"
            raise order_failure(
                f"athena {where} {thread.get('documentid')} not oldest first",
                times,
                index,
                "a thread's messages oldest first, in thread responses and list entries alike",
            )
    return None if checked else True


@response_check("athena")
def athena_unauthorized_names_a_challenge(ex: Exchange) -> bool | None:
    if ex.status != 401:
        return True
    challenge = (ex.headers.get("www-authenticate") or "").strip()
    # A challenge is a scheme token, optionally followed by parameters (RFC 9110 11.3).
    if not challenge or not challenge.split()[0].replace("-", "").isalnum():
        raise ConformanceFailure(
            "athena 401 without a WWW-Authenticate challenge",
            received=f"WWW-Authenticate: {challenge!r} on a 401 for {ex.method} {ex.path}",
            documented="a 401 MUST carry WWW-Authenticate with at least one challenge (RFC 9110 11.6.1)",
        )
    return None


_LIST_STATUS = {"inboxmessages": {"OPEN"}, "archivedmessages": {"ARCHIVED"}}


@response_check("athena")
def athena_lists_match_thread_status(ex: Exchange) -> bool | None:
    page = athena_list(ex)
    if page is None or page[0] not in _LIST_STATUS:
        return True
    name, _, entries = page
    statuses = [
        (t.get("documentid"), t.get("status")) for t in entries if isinstance(t, dict) and "status" in t
    ]
    for documentid, status in statuses:
        if status not in _LIST_STATUS[name]:
            raise ConformanceFailure(
                f"athena {name} lists a thread of the wrong status",
                received=f"thread {documentid} with status {status!r} in {name}",
                documented="archivedmessages: messages archived by the patient; inboxmessages: not archived",
            )
    return None if statuses else True


@response_check("athena")
def athena_sent_threads_hold_a_patient_message(ex: Exchange) -> bool | None:
    page = athena_list(ex)
    if page is None or page[0] != "sentmessages":
        return True
    threads = [t for t in page[2] if isinstance(t, dict) and isinstance(t.get("messagelist"), list)]
    for thread in threads:
        # The spelling of sendertype ("patient") is ATH-SCH-002's to report; here only who wrote counts.
        senders = {str(m.get("sendertype")).upper() for m in thread["messagelist"] if isinstance(m, dict)}
        if "PATIENT" not in senders:
            raise ConformanceFailure(
                "athena sentmessages lists a thread the patient did not write in",
                received=f"thread {thread.get('documentid')} with senders {sorted(map(str, senders))}",
                documented="sentmessages: messages responded or sent by the patient to the practice",
            )
    return None if threads else True


ATHENA_DEFAULT_LIMIT = 1000


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


# The lists' documented query parameters besides limit and offset (seed 000).
_LISTING_PARAMETERS = ("showplaintext",)


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
    # The neighbouring page of the same listing: the other documented parameter (showplaintext) is
    # kept. Parameters the document does not list are the client's noise: a server may drop them.
    others = {k: v for k, v in ex.query.items() if k in _LISTING_PARAMETERS and any(v)}
    kept = {k: v for k, v in query.items() if k in _LISTING_PARAMETERS and any(v)}
    if kept != others:
        lost = sorted(set(others) ^ set(kept))
        return f"{link!r}: the request's other parameters changed ({', '.join(lost) or 'values'})"
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


_MAPPING_FILTERS = {
    "providerids": "providerid",
    "departmentids": "departmentid",
    "providergroupids": "providergroupid",
    "communicatorbrandid": "communicatorbrandid",
}


@response_check("athena")
def athena_departments_mapping_matches_filters(ex: Exchange) -> bool | None:
    body = ex.json()
    if ex.status != 200 or not ex.path.endswith("/departmentsmapping") or not isinstance(body, dict):
        return True
    rows = [row for row in body.get("departmentsmapping") or [] if isinstance(row, dict)]
    # Without a filter, or without a row, no row can be outside a filter: nothing was checked.
    if not rows or not any(multi_param(ex, param) for param in _MAPPING_FILTERS):
        return True
    for param, field in _MAPPING_FILTERS.items():
        wanted = multi_param(ex, param)
        if not wanted:
            continue
        for row in rows:
            if field in row and str(row[field]) not in wanted:
                raise ConformanceFailure(
                    "athena departments mapping outside its filter",
                    received=f"row with {field}={row[field]!r} for {param}={','.join(sorted(wanted))}",
                    documented="each given filter narrows the result",
                )
    return None


@response_check("athena")
def athena_status_code_is_documented(ex: Exchange) -> bool | None:
    return status_code_is_documented("athena", ex)


# The fields the document lists for a thread: every list entry and every thread response has them.
_THREAD_FIELDS = ("documentid", "enterpriseid", "messagelist", "subject")


@response_check("athena")
def athena_threads_carry_documented_fields(ex: Exchange) -> bool | None:
    """Each entry of a list, not only those the generated cases happen to see, carries the thread fields."""
    threads = [t for t in _threads(ex) if isinstance(t, dict)]
    page = athena_list(ex)
    if page is not None:
        threads = [t for t in page[2] if isinstance(t, dict)]
    for index, thread in enumerate(threads):
        missing = [name for name in _THREAD_FIELDS if name not in thread]
        if missing:
            raise ConformanceFailure(
                "athena thread without a documented field",
                received=f"entry {index} (documentid {thread.get('documentid')}) "
                f"without {', '.join(missing)}",
                documented="every thread: documentid, enterpriseid, messagelist, subject",
            )
    return None if threads else True


@response_check("athena")
def athena_json_is_utf8(ex: Exchange) -> bool | None:
    """A JSON answer declares no charset but UTF-8 (RFC 8259 8.1: JSON MUST be encoded in UTF-8)."""
    content_type = ex.headers.get("content-type", "")
    if not ex.body or not content_type.lower().startswith("application/json"):
        return True
    charset = content_type.lower().partition("charset=")[2].split(";")[0].strip(' "')
    if charset not in ("", "utf-8", "utf8"):
        raise ConformanceFailure(
            "athena JSON declared in another charset",
            received=f"Content-Type: {content_type} on {ex.status} for {ex.method} {ex.path}",
            documented="application/json, UTF-8 (RFC 8259 8.1): no charset, or charset=utf-8",
        )
    return None


@response_check("athena")
def athena_answers_no_server_error(ex: Exchange) -> bool | None:
    """Every answer, the probes' deliberate calls included: a 5xx is this requirement's, whoever sent it."""
    if ex.status < 500:
        return True
    raise ConformanceFailure(
        "athena answered a server error",
        received=describe(ex),
        documented="no request, valid or not, gets a 5xx: a bad one gets a 4xx in the error format",
    )
