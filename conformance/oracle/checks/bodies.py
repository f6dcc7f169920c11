"""Oracle's checks on one body: ApiError, date-time zones, participant types, opc-request-id, status."""

from __future__ import annotations

import re

from patientmsg.conformance.oracle.readers import oracle_items
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.shared.checking import response_check
from patientmsg.conformance.shared.readers import describe, json_object
from patientmsg.conformance.shared.status import status_code_is_documented

__all__ = [
    "oracle_401_names_a_bearer_challenge",
    "oracle_cc_recipients_are_personnel_or_group",
    "oracle_echoes_opc_request_id",
    "oracle_error_codes_are_short_tokens",
    "oracle_errors_are_api_errors",
    "oracle_every_response_has_opc_request_id",
    "oracle_inbox_sender_is_personnel_or_group",
    "oracle_status_code_is_documented",
    "oracle_times_carry_iana_time_zone",
]


@response_check("oracle")
def oracle_errors_are_api_errors(ex: Exchange) -> bool | None:
    if ex.status < 400:
        return True
    documented = (
        'application/json ApiError {"code": "<string>", "message": "<string>", "details": [...] (optional)}'
    )
    title = "Oracle error body is not an ApiError"
    body = json_object(ex, documented, title)
    details = body.get("details")
    valid_details = details is None or (
        isinstance(details, list) and all(isinstance(item, dict) for item in details)
    )
    if not isinstance(body.get("code"), str) or not isinstance(body.get("message"), str) or not valid_details:
        raise ConformanceFailure(title, received=describe(ex), documented=documented)
    return None


_DATE_FIELDS = ("createdDateTime", "updatedDateTime", "dueDateTime", "remindDateTime")
_INBOX_SENDER_TYPES = ("PERSONNEL", "GROUPINBOX")


@response_check("oracle")
def oracle_times_carry_iana_time_zone(ex: Exchange) -> bool | None:
    items = oracle_items(ex)
    timed = [
        (item, name, value)
        for item in items or []
        for name in _DATE_FIELDS
        if isinstance(value := item.get(name), dict) and "T" in str(value.get("dateTime", ""))
    ]
    if not timed:
        return True
    for item, name, value in timed:
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
    senders = [(item, item.get("messageSender")) for item in items or []]
    kinds = [(item, sender.get("type")) for item, sender in senders if isinstance(sender, dict)]
    if not any(kind is not None for _, kind in kinds):
        return True
    for item, kind in kinds:
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
    copied = [
        (item, recipient.get("type"))
        for item in items or []
        if isinstance(recipients := item.get("carbonCopyRecipients"), list)
        for recipient in recipients
        if isinstance(recipient, dict)
    ]
    if not copied:
        return True
    for item, kind in copied:
        if kind is not None and kind not in _INBOX_SENDER_TYPES:
            raise ConformanceFailure(
                "Oracle carbon-copy recipient of the wrong type",
                received=f"item {item.get('id')!r} carbonCopyRecipients[].type = {kind!r}",
                documented="type: PERSONNEL or GROUPINBOX for inbox item carbon copy recipients",
            )
    return None


_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]+$")
# The spec's maxLength (x-inferred): a longer id is malformed there, and may be refused like one.
_MAX_LENGTH = 128


@response_check("oracle")
def oracle_every_response_has_opc_request_id(ex: Exchange) -> bool | None:
    if not ex.headers.get("opc-request-id"):
        raise ConformanceFailure(
            "Oracle response without opc-request-id",
            received=f"no opc-request-id header on {describe(ex, 80)}",
            documented="opc-request-id on every response (200, 400, 401, 403, 404, 429, 500, default)",
        )
    return None


@response_check("oracle")
def oracle_echoes_opc_request_id(ex: Exchange) -> bool | None:
    sent = ex.request_header("opc-request-id")
    # A malformed id may be refused or replaced; only a valid one must come back as it was.
    if sent is None or not _REQUEST_ID.match(sent) or len(sent) > _MAX_LENGTH:
        return True
    echoed = ex.headers.get("opc-request-id")
    if echoed != sent:
        raise ConformanceFailure(
            "Oracle response does not echo opc-request-id",
            received=f"opc-request-id: {echoed!r} for a request that sent {sent!r}",
            documented="the response echoes the request's opc-request-id",
        )
    return None


@response_check("oracle")
def oracle_status_code_is_documented(ex: Exchange) -> bool | None:
    return status_code_is_documented("oracle", ex)


_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@response_check("oracle")
def oracle_error_codes_are_short_tokens(ex: Exchange) -> bool | None:
    body = ex.json()
    if ex.status < 400 or not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return True
    if not _CODE.match(body["code"]):
        raise ConformanceFailure(
            "Oracle ApiError code is not a short code",
            received=f"code {body['code']!r} on a {ex.status}",
            documented="code: a short error code that defines the error, meant for programmatic parsing "
            "(letters, digits, '_', '.', '-'; no spaces)",
        )
    return None


# RFC 9110 11.6.1: challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]; Oracle's scheme is Bearer.
_BEARER_CHALLENGE = re.compile(r"(^|,)\s*Bearer(\s|,|$)", re.IGNORECASE)


@response_check("oracle")
def oracle_401_names_a_bearer_challenge(ex: Exchange) -> bool | None:
    if ex.status != 401:
        return True
    challenge = ex.headers.get("www-authenticate")
    if not challenge or not _BEARER_CHALLENGE.search(challenge):
        raise ConformanceFailure(
            "Oracle 401 without a Bearer challenge in WWW-Authenticate",
            received=f"WWW-Authenticate: {challenge!r} on a 401",
            documented="RFC 9110 11.6.1: a 401 MUST carry WWW-Authenticate with at least one challenge; "
            "Oracle calls carry authorization: Bearer ...",
        )
    return None
