"""behaviour: a list answers what the request asked for - its filters, window, order and owner."""

from __future__ import annotations

import re
from typing import Any

from patientmsg.conformance.checks.helpers import (
    created_at,
    field_value,
    multi_param,
    oracle_items,
    parse_time,
)
from patientmsg.conformance.checks.registry import response_check
from patientmsg.conformance.exchange import Exchange
from patientmsg.conformance.failures import ConformanceFailure

__all__ = [
    "athena_departments_mapping_matches_filters",
    "mdhq_queue_lists_no_dismissed_request",
    "mdhq_queue_lists_only_the_patients_requests",
    "mdhq_queue_total_counts_its_requests",
    "oracle_items_belong_to_patient",
    "oracle_items_match_notification_type_filter",
    "oracle_items_match_status_filter",
    "oracle_messages_lie_in_date_window",
    "oracle_organization_only_when_requested",
]

_MDHQ_QUEUE = re.compile(r"/api/v1/patients/([^/]+)/portal/enqueued$")


@response_check("oracle")
def oracle_organization_only_when_requested(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items or ex.query_value("shouldLoadOrganizationSummary") == "true":
        return True
    for item in items:
        encounter = item.get("encounter")
        if isinstance(encounter, dict) and "organization" in encounter:
            raise ConformanceFailure(
                "Oracle organization loaded without shouldLoadOrganizationSummary=true",
                received=f"item {item.get('id')!r} encounter.organization = {encounter['organization']!r}",
                documented="organization: only when shouldLoadOrganizationSummary is set (default false)",
            )
    return None


def _filter_check(ex: Exchange, param: str, field: str, default: set[str], title: str) -> bool | None:
    items = oracle_items(ex)
    if not items:
        return True
    wanted = multi_param(ex, param) or default
    for item in items:
        value = field_value(item, field)
        if value is not None and value not in wanted:
            raise ConformanceFailure(
                title,
                received=f"item {item.get('id')!r} {field}.value = {value!r} for {param}={sorted(wanted)}",
                documented=f"only items whose {field} is in {param} (default {sorted(default)})",
            )
    return None


@response_check("oracle")
def oracle_items_match_status_filter(ex: Exchange) -> bool | None:
    return _filter_check(
        ex, "status", "notificationStatus", {"OPENED", "UNREAD"}, "Oracle item outside the status filter"
    )


@response_check("oracle")
def oracle_items_match_notification_type_filter(ex: Exchange) -> bool | None:
    return _filter_check(
        ex,
        "notificationType",
        "notificationType",
        {"MESSAGE"},
        "Oracle item outside the notificationType filter",
    )


@response_check("oracle")
def oracle_messages_lie_in_date_window(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    low = parse_time(ex.query_value("createDateTimeGreaterThanOrEqualTo"))
    high = parse_time(ex.query_value("createDateTimeLessThanOrEqualTo"))
    if not items or (low is None and high is None):
        return True
    for item in items:
        created = created_at(item)
        if field_value(item, "notificationType") != "MESSAGE" or created is None:
            continue
        if (low is not None and created < low) or (high is not None and created > high):
            raise ConformanceFailure(
                "Oracle message outside the create-date window",
                received=f"item {item.get('id')!r} created {created:%Y-%m-%dT%H:%M:%SZ}",
                documented="createDateTime from "
                f"{ex.query_value('createDateTimeGreaterThanOrEqualTo') or 'now - 90 days'} "
                f"to {ex.query_value('createDateTimeLessThanOrEqualTo') or 'now'}",
            )
    return None


@response_check("oracle")
def oracle_items_belong_to_patient(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    patient = ex.query_value("patientId")
    if not items or patient is None:
        return True
    for item in items:
        owner = item.get("patient")
        owner_id = owner.get("id") if isinstance(owner, dict) else None
        if owner_id is not None and owner_id != patient:
            raise ConformanceFailure(
                "Oracle item of another patient",
                received=f"item {item.get('id')!r} patient.id = {owner_id!r} for patientId={patient!r}",
                documented="patientId: the patient ID to filter the resource query against",
            )
    return None


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


@response_check("mdhq")
def mdhq_queue_lists_no_dismissed_request(ex: Exchange) -> bool | None:
    queue = _queue(ex)
    if not queue or not queue[1]:
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
    if not queue or not queue[1]:
        return True
    patient, entries = queue
    for entry in entries:
        if "pt_id" in entry and str(entry["pt_id"]) != patient:
            raise ConformanceFailure(
                "MD HQ queue lists another patient's request",
                received=f"request {entry.get('id')!r} of pt_id {entry['pt_id']!r} in {patient}'s queue",
                documented="all enqueued portal requests for a patient (the path's pt_id)",
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
