"""Oracle's response checks on an inboxItems page: its filters, window, owner, order and size."""

from __future__ import annotations

from patientmsg.conformance.oracle.readers import oracle_items
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.shared.checking import response_check
from patientmsg.conformance.shared.ordering import first_out_of_order, order_failure, parsed_times
from patientmsg.conformance.shared.readers import created_at, field_value, multi_param, parse_time

__all__ = [
    "ORACLE_PAGE_LIMIT",
    "oracle_items_belong_to_patient",
    "oracle_items_match_notification_type_filter",
    "oracle_items_match_status_filter",
    "oracle_messages_lie_in_date_window",
    "oracle_messages_sorted_as_requested",
    "oracle_next_page_header_only_when_more",
    "oracle_organization_only_when_requested",
    "oracle_page_holds_at_most_1000_items",
    "oracle_priority_sort_puts_high_first",
]


@response_check("oracle")
def oracle_organization_only_when_requested(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items or ex.query_value("shouldLoadOrganizationSummary") == "true":
        return True
    encounters = [(item, item["encounter"]) for item in items if isinstance(item.get("encounter"), dict)]
    if not encounters:
        return True
    for item, encounter in encounters:
        if "organization" in encounter:
            raise ConformanceFailure(
                "Oracle organization loaded without shouldLoadOrganizationSummary=true",
                received=f"item {item.get('id')!r} encounter.organization = {encounter['organization']!r}",
                documented="organization: only when shouldLoadOrganizationSummary is set (default false)",
            )
    return None


def _filter_check(
    ex: Exchange, param: str, field: str, default: set[str], allowed: set[str], title: str
) -> bool | None:
    items = oracle_items(ex)
    if not items:
        return True
    wanted = multi_param(ex, param) or default
    if not wanted <= allowed:
        # A value the document does not list: whether it is refused is ORA-NEG-001's question.
        return True
    values = [(item, field_value(item, field)) for item in items]
    values = [(item, value) for item, value in values if value is not None]
    if not values:
        return True
    for item, value in values:
        if value not in wanted:
            raise ConformanceFailure(
                title,
                received=f"item {item.get('id')!r} {field}.value = {value!r} for {param}={sorted(wanted)}",
                documented=f"only items whose {field} is in {param} (default {sorted(default)})",
            )
    return None


@response_check("oracle")
def oracle_items_match_status_filter(ex: Exchange) -> bool | None:
    return _filter_check(
        ex,
        "status",
        "notificationStatus",
        {"OPENED", "UNREAD"},
        {"OPENED", "UNREAD", "DELETED"},
        "Oracle item outside the status filter",
    )


@response_check("oracle")
def oracle_items_match_notification_type_filter(ex: Exchange) -> bool | None:
    return _filter_check(
        ex,
        "notificationType",
        "notificationType",
        {"MESSAGE"},
        {"MESSAGE", "REMINDER"},
        "Oracle item outside the notificationType filter",
    )


@response_check("oracle")
def oracle_messages_lie_in_date_window(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    low = parse_time(ex.query_value("createDateTimeGreaterThanOrEqualTo"))
    high = parse_time(ex.query_value("createDateTimeLessThanOrEqualTo"))
    if not items or (low is None and high is None):
        return True
    messages = [item for item in items if field_value(item, "notificationType") == "MESSAGE"]
    judged = [(item, created) for item in messages if (created := created_at(item)) is not None]
    # Reminders go by remindDateTime (oracle_reminders_lie_in_date_window): a page of them says nothing here.
    if not judged:
        return True
    for item, created in judged:
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
    owners = [(item, owner.get("id")) for item in items if isinstance(owner := item.get("patient"), dict)]
    if not any(owner_id is not None for _, owner_id in owners):
        return True
    for item, owner_id in owners:
        if owner_id is not None and owner_id != patient:
            raise ConformanceFailure(
                "Oracle item of another patient",
                received=f"item {item.get('id')!r} patient.id = {owner_id!r} for patientId={patient!r}",
                documented="patientId: the patient ID to filter the resource query against",
            )
    return None


@response_check("oracle")
def oracle_messages_sorted_as_requested(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items or ex.query_value("sortBy") not in (None, "createDateTime"):
        return True
    # Reminders sort by their remind time, in their own places: the messages alone keep createDateTime order.
    messages = [item for item in items if field_value(item, "notificationType") == "MESSAGE"]
    times = parsed_times(messages, created_at)
    if times is None or len(times) < 2:
        return True
    ascending = ex.query_value("sortOrder") == "ASC"
    index = first_out_of_order(times, descending=not ascending)
    if index is not None:
        order = "ascending (sortOrder=ASC)" if ascending else "descending by default"
        raise order_failure(
            "Oracle messages out of createDateTime order", times, index, f"createDateTime {order}"
        )
    return None


@response_check("oracle")
def oracle_priority_sort_puts_high_first(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items or ex.query_value("sortBy") != "priority":
        return True
    # A value outside the enum (e.g. "high") is ORA-SCH-001's to report: the order looks past spelling.
    ranks = [{"HIGH": 0, "NORMAL": 1}.get(str(field_value(item, "priority")).upper(), 2) for item in items]
    ascending = ex.query_value("sortOrder") == "ASC"
    # HIGH (STAT) comes first unless the order is reversed.
    index = first_out_of_order(ranks, descending=ascending)
    if index is not None:
        priorities = [field_value(item, "priority") for item in items]
        order = "NORMAL before HIGH (ASC)" if ascending else "HIGH before NORMAL (DESC, the default)"
        raise order_failure(
            "Oracle priority sort out of order", priorities, index, f"sortBy=priority: {order}"
        )
    return None


ORACLE_PAGE_LIMIT = 1000


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


@response_check("oracle")
def oracle_next_page_header_only_when_more(ex: Exchange) -> bool | None:
    body = ex.json()
    if oracle_items(ex) is None or not isinstance(body, dict):
        return True
    if not isinstance(body.get("hasAdditionalListItems"), bool):
        return True
    token = ex.headers.get("opc-next-page")
    if token and body["hasAdditionalListItems"] is False:
        raise ConformanceFailure(
            "Oracle opc-next-page on a page after which nothing remains",
            received=f"opc-next-page: {token!r} with hasAdditionalListItems=false and "
            f"{len(body['items'])} items",
            documented="opc-next-page: when this header appears in the response, additional pages of "
            "results remain",
        )
    return None
