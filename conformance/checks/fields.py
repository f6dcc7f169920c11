"""schema: rules on field values that a JSON schema cannot state (or states only loosely)."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.checks.helpers import athena_list, oracle_items
from patientmsg.conformance.checks.registry import response_check
from patientmsg.conformance.exchange import Exchange
from patientmsg.conformance.failures import ConformanceFailure

__all__ = [
    "athena_thread_ids_agree",
    "oracle_cc_recipients_are_personnel_or_group",
    "oracle_inbox_sender_is_personnel_or_group",
    "oracle_times_carry_iana_time_zone",
]

_DATE_FIELDS = ("createdDateTime", "updatedDateTime", "dueDateTime", "remindDateTime")
_INBOX_SENDER_TYPES = ("PERSONNEL", "GROUPINBOX")


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


@response_check("oracle")
def oracle_times_carry_iana_time_zone(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items:
        return True
    for item in items:
        for name in _DATE_FIELDS:
            value = item.get(name)
            if not isinstance(value, dict) or "T" not in str(value.get("dateTime", "")):
                continue
            zone = value.get("ianaTimeZone")
            if not isinstance(zone, str) or not zone:
                raise ConformanceFailure(
                    "Oracle date-time without its ianaTimeZone",
                    received=f"item {item.get('id')!r} {name} = {value!r}",
                    documented="ianaTimeZone: if dateTime contains time, then this field is required",
                )
    return None


@response_check("oracle")
def oracle_inbox_sender_is_personnel_or_group(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items:
        return True
    for item in items:
        sender = item.get("messageSender")
        kind = sender.get("type") if isinstance(sender, dict) else None
        if kind is not None and kind not in _INBOX_SENDER_TYPES:
            raise ConformanceFailure(
                "Oracle inbox item sent by a participant of the wrong type",
                received=f"item {item.get('id')!r} messageSender.type = {kind!r}",
                documented="messageSender.type: PERSONNEL or GROUPINBOX for inbox item sender",
            )
    return None


@response_check("oracle")
def oracle_cc_recipients_are_personnel_or_group(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    if not items:
        return True
    for item in items:
        recipients = item.get("carbonCopyRecipients")
        for recipient in recipients if isinstance(recipients, list) else []:
            kind = recipient.get("type") if isinstance(recipient, dict) else None
            if kind is not None and kind not in _INBOX_SENDER_TYPES:
                raise ConformanceFailure(
                    "Oracle carbon-copy recipient of the wrong type",
                    received=f"item {item.get('id')!r} carbonCopyRecipients[].type = {kind!r}",
                    documented="type: PERSONNEL or GROUPINBOX for inbox item carbon copy recipients",
                )
    return None
