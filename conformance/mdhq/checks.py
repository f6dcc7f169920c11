"""MD HQ's response checks: the error envelope, the enqueued-requests queue, status codes."""

from __future__ import annotations

import re
from typing import Any

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.shared.checking import response_check
from patientmsg.conformance.shared.ordering import first_out_of_order, order_failure, parsed_times
from patientmsg.conformance.shared.readers import describe, json_object, parse_time
from patientmsg.conformance.shared.status import status_code_is_documented

__all__ = [
    "mdhq_answers_no_server_error",
    "mdhq_errors_use_error_envelope",
    "mdhq_queue_is_oldest_first",
    "mdhq_queue_lists_no_dismissed_request",
    "mdhq_queue_lists_only_the_patients_requests",
    "mdhq_queue_lists_open_requests_by_default",
    "mdhq_queue_total_counts_its_requests",
    "mdhq_status_code_is_documented",
]


@response_check("mdhq")
def mdhq_errors_use_error_envelope(ex: Exchange) -> bool | None:
    if ex.status < 400:
        return True
    documented = 'application/json {"success": false, "error": "<short_code>", "message": "<string>"}'
    title = "MD HQ error body is not in the spec's error format"
    body = json_object(ex, documented, title)
    if (
        body.get("success") is not False
        or not isinstance(body.get("error"), str)
        or not isinstance(body.get("message"), str)
    ):
        raise ConformanceFailure(title, received=describe(ex), documented=documented)
    return None


_MDHQ_QUEUE = re.compile(r"/api/v1/patients/([^/]+)/portal/enqueued$")


def _queue(ex: Exchange) -> tuple[str, list[dict[str, Any]]] | None:
    match = _MDHQ_QUEUE.search(ex.path)
    body = ex.json()
    if (
        match is None
        or ex.status != 200
        or not isinstance(body, dict)
        or not isinstance(body.get("data"), list)
    ):
        return None
    return match.group(1), [entry for entry in body["data"] if isinstance(entry, dict)]


def _asked_status(ex: Exchange) -> str:
    """The status the query asks for: the documented default "open" when none is given."""
    return ex.query_value("status") or "open"


@response_check("mdhq")
def mdhq_queue_lists_no_dismissed_request(ex: Exchange) -> bool | None:
    queue = _queue(ex)
    # A server that already filters by status (COMING SOON) lists dismissed ones when asked to.
    if not queue or not queue[1] or _asked_status(ex) == "dismissed":
        return True
    for entry in queue[1]:
        if entry.get("status") == "dismissed":
            raise ConformanceFailure(
                "MD HQ queue lists a dismissed request",
                received=f"request {entry.get('id')!r} with status 'dismissed'",
                documented="the enqueued requests, before they've been dismissed",
            )
    return None


@response_check("mdhq")
def mdhq_queue_lists_only_the_patients_requests(ex: Exchange) -> bool | None:
    queue = _queue(ex)
    owned = [entry for entry in queue[1] if "pt_id" in entry] if queue else []
    if not queue or not owned:
        return True  # no entry says whose it is: nothing to compare
    patient = queue[0]
    for entry in owned:
        if str(entry["pt_id"]) != patient:
            raise ConformanceFailure(
                "MD HQ queue lists another patient's request",
                received=f"request {entry.get('id')!r} of pt_id {entry['pt_id']!r} in {patient}'s queue",
                documented="all enqueued portal requests for a patient (the path's pt_id)",
            )
    return None


@response_check("mdhq")
def mdhq_queue_total_counts_its_requests(ex: Exchange) -> bool | None:
    body = ex.json()
    if ex.status != 200 or not ex.path.endswith("/portal/enqueued") or not isinstance(body, dict):
        return True
    data, total = body.get("data"), body.get("total")
    if not isinstance(data, list) or not isinstance(total, int):
        return True
    if total != len(data):
        raise ConformanceFailure(
            "MD HQ queue total does not count its requests",
            received=f"total {total} with {len(data)} requests listed",
            documented="total: the number of enqueued requests listed in data",
        )
    return None


@response_check("mdhq")
def mdhq_queue_is_oldest_first(ex: Exchange) -> bool | None:
    body = ex.json()
    if ex.status != 200 or not ex.path.endswith("/portal/enqueued") or not isinstance(body, dict):
        return True
    entries = [entry for entry in body.get("data") or [] if isinstance(entry, dict)]
    times = parsed_times([entry.get("created") for entry in entries], parse_time)
    if times is None or len(times) < 2:
        return True  # one entry has no order to break
    index = first_out_of_order(times, descending=False)
    if index is not None:
        raise order_failure(
            "MD HQ queue not oldest first", times, index, "enqueued requests oldest first (created)"
        )
    return None


@response_check("mdhq")
def mdhq_status_code_is_documented(ex: Exchange) -> bool | None:
    return status_code_is_documented("mdhq", ex)


@response_check("mdhq")
def mdhq_queue_lists_open_requests_by_default(ex: Exchange) -> bool | None:
    queue = _queue(ex)
    entries = [entry for entry in queue[1] if "status" in entry] if queue else []
    if not entries or _asked_status(ex) != "open":
        return True
    for entry in entries:
        # The spelling ("OPEN") is MDHQ-SCH-001's to report; here only which status it is counts.
        if str(entry["status"]).lower() != "open":
            asked = "status=open" if ex.query_value("status") else "no status argument"
            raise ConformanceFailure(
                "MD HQ queue lists a request that is not open by default",
                received=f"request {entry.get('id')!r} with status {entry['status']!r} for {asked}",
                documented='status: return requests of a specific status (defaults to "open")',
            )
    return None


@response_check("mdhq")
def mdhq_answers_no_server_error(ex: Exchange) -> bool | None:
    """Every answer, the probes' deliberate calls included: a 5xx is this requirement's, whoever sent it."""
    if ex.status < 500:
        return True
    raise ConformanceFailure(
        "MD HQ answered a server error",
        received=describe(ex),
        documented="no request, valid or not, gets a 5xx: a bad one gets a 4xx in the error format",
    )
