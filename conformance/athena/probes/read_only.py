"""athena probes: provoked errors, credentials and their challenge, tenants, reply rights, listed threads."""

from __future__ import annotations

import base64
from typing import Any

from patientmsg.conformance.athena.readers import list_entries
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import (
    INVALID_TOKEN,
    UNKNOWN_ID,
    WRONG_SECRET,
    body_of,
    expect_error,
    expect_refused_across_tenants,
    expect_unauthorized,
)
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["ERROR_FORMAT", "ERROR_KEYS", "list_path", "thread_path"]

ERROR_KEYS = ("error",)
ERROR_FORMAT = 'the athena error body {"error": ..., "detailedmessage": ...}'


def list_path(ctx: ProbeContext, kind: str, patient: str = "patientid") -> str:
    return f"/v1/{ctx.id('practiceid')}/patients/{ctx.id(patient)}/securemessage/{kind}"


def thread_path(ctx: ProbeContext, thread: int | str, suffix: str = "") -> str:
    return f"/v1/{ctx.id('practiceid')}/patients/{ctx.id('patientid')}/securemessage/{thread}{suffix}"


@probe("athena")
def athena_bad_type_gets_400_error(ctx: ProbeContext) -> None:
    exchange = ctx.get(list_path(ctx, "inboxmessages"), params={"limit": "abc"})
    expect_error(
        ctx,
        exchange,
        (400,),
        "athena limit=abc not rejected with 400",
        f"400 in {ERROR_FORMAT}: limit is an integer",
        ERROR_KEYS,
    )
    # A path that cannot name a practice, patient or thread may also be a resource that does not exist.
    practice, patient = ctx.id("practiceid"), ctx.id("patientid")
    for name, path in (
        ("practiceid", f"/v1/abc/patients/{patient}/securemessage/inboxmessages"),
        ("patientid", f"/v1/{practice}/patients/abc/securemessage/inboxmessages"),
        ("messagethreadid", f"/v1/{practice}/patients/{patient}/securemessage/abc/CanPatientReplyToMessage"),
    ):
        expect_error(
            ctx,
            ctx.get(path),
            (400, 404),
            f"athena {name}=abc not rejected with 400 or 404",
            f"400 or 404 in {ERROR_FORMAT}: {name} is an integer",
            ERROR_KEYS,
        )


@probe("athena")
def athena_unknown_ids_get_404_error(ctx: ProbeContext) -> None:
    unknown_patient = f"/v1/{ctx.id('practiceid')}/patients/{UNKNOWN_ID}/securemessage/inboxmessages"
    unknown_practice = f"/v1/{UNKNOWN_ID}/patients/{ctx.id('patientid')}/securemessage/inboxmessages"
    for path in (unknown_practice, unknown_patient, thread_path(ctx, UNKNOWN_ID)):
        exchange = ctx.get(path)
        expect_error(
            ctx,
            exchange,
            (404,),
            "athena unknown id not answered 404",
            f"404 in {ERROR_FORMAT}: the patient or thread does not exist",
            ERROR_KEYS,
        )


@probe("athena")
def athena_missing_credentials_get_401(ctx: ProbeContext) -> None:
    exchange = ctx.get(list_path(ctx, "inboxmessages"), params={"limit": 1}, anonymous=True)
    expect_unauthorized(ctx, exchange, "athena request without credentials")


@probe("athena")
def athena_invalid_token_gets_401(ctx: ProbeContext) -> None:
    exchange = ctx.get(
        list_path(ctx, "inboxmessages"), params={"limit": 1}, authorization=f"Bearer {INVALID_TOKEN}"
    )
    expect_unauthorized(ctx, exchange, "athena request with an invalid token")


@probe("athena")
def athena_token_endpoint_refuses_bad_secret(ctx: ProbeContext) -> None:
    if ctx.primary.auth.kind != "oauth2" or ctx.primary.token_url is None:
        raise Skip("the config gives a bearer token, not an OAuth2 client")
    basic = base64.b64encode(f"{ctx.primary.auth.get('client_id')}:{WRONG_SECRET}".encode()).decode()
    exchange = ctx.request(
        "POST",
        "",
        url=ctx.primary.token_url,
        authorization=f"Basic {basic}",
        data={"grant_type": "client_credentials"},
    )
    expect_unauthorized(ctx, exchange, "athena token request with a wrong client secret")
    client = f"{ctx.primary.auth.get('client_id')}:{ctx.primary.auth.get('client_secret')}"
    right = f"Basic {base64.b64encode(client.encode()).decode()}"
    for form in ({"scope": "patientmsg"}, {"grant_type": "password"}):
        refused = ctx.request("POST", "", url=ctx.primary.token_url, authorization=right, data=form)
        expect_error(
            ctx,
            refused,
            (400,),
            "athena token request without grant_type=client_credentials not refused with 400",
            f"400 in {ERROR_FORMAT}: RFC 6749 5.2 invalid_request / unsupported_grant_type (sent {form})",
            ERROR_KEYS,
        )


def _challenge_problem(exchange: Exchange, scheme: str) -> str | None:
    if exchange.status != 401:
        return None
    challenge = exchange.headers.get("www-authenticate") or ""
    if not challenge.strip().lower().startswith(scheme.lower()):
        return f"WWW-Authenticate: {challenge!r} on a 401"
    return None


@probe("athena")
def athena_401s_name_their_challenge(ctx: ProbeContext) -> None:
    """The 401s the kit provokes name the scheme to use: Bearer for the API, Basic at the token endpoint."""
    sent = [
        (ctx.get(list_path(ctx, "inboxmessages"), params={"limit": 1}, anonymous=True), "Bearer"),
        (
            ctx.get(
                list_path(ctx, "inboxmessages"), params={"limit": 1}, authorization=f"Bearer {INVALID_TOKEN}"
            ),
            "Bearer",
        ),
    ]
    if ctx.primary.auth.kind == "oauth2" and ctx.primary.token_url is not None:
        basic = base64.b64encode(f"{ctx.primary.auth.get('client_id')}:{WRONG_SECRET}".encode()).decode()
        token = ctx.request(
            "POST",
            "",
            url=ctx.primary.token_url,
            authorization=f"Basic {basic}",
            data={"grant_type": "client_credentials"},
        )
        sent.append((token, "Basic"))
    if not any(exchange.status == 401 for exchange, _ in sent):
        raise Skip("no request the kit sent without valid credentials was answered 401 (see ATH-AUTH-002)")
    for exchange, scheme in sent:
        ctx.checked(exchange)
        problem = _challenge_problem(exchange, scheme)
        if problem is not None:
            ctx.fail(
                "athena 401 without a WWW-Authenticate challenge",
                received=f"{problem} for {exchange.method} {exchange.path}",
                documented=f"WWW-Authenticate: {scheme} ... on every 401 (RFC 9110 11.6.1)",
                exchange=exchange,
            )


@probe("athena", second=True)
def athena_other_practice_is_refused(ctx: ProbeContext) -> None:
    practice, patient = ctx.id("practiceid", second=True), ctx.id("patientid", second=True)
    theirs = f"/v1/{practice}/patients/{patient}/securemessage/inboxmessages"
    expect_refused_across_tenants(ctx, theirs, {"limit": 1}, as_second=False)
    expect_refused_across_tenants(ctx, list_path(ctx, "inboxmessages"), {"limit": 1}, as_second=True)
    # The practice-wide mapping too: a gateway may check the practice on patient paths only.
    mapping = "/patientsecuremessage/providers/departmentsmapping"
    expect_refused_across_tenants(ctx, f"/v1/{practice}{mapping}", None, as_second=False)
    thread = ctx.config.second.ids.get("messagethreadid") if ctx.config.second else None
    if thread is not None:
        expect_refused_across_tenants(
            ctx, f"/v1/{practice}/patients/{patient}/securemessage/{thread}", None, as_second=False
        )


@probe("athena")
def athena_can_reply_matches_thread_status(ctx: ProbeContext) -> None:
    cases = [(ctx.id("messagethreadid"), True)]
    archived = ctx.optional_id("archived_messagethreadid")
    if archived is not None:
        cases.append((archived, False))
    for thread, expected in cases:
        exchange = ctx.get(thread_path(ctx, thread, "/CanPatientReplyToMessage"))
        ctx.checked(exchange)
        if body_of(exchange).get("canreply") is not expected:
            ctx.fail(
                "athena CanPatientReplyToMessage contradicts the thread's status",
                received=describe(exchange),
                documented=f"canreply {expected} for {'an open' if expected else 'an archived'} thread",
                exchange=exchange,
            )


def _threads_with_messages(ctx: ProbeContext, params: dict[str, str | int]) -> list[dict[str, Any]]:
    patient = "small_patientid" if ctx.optional_id("small_patientid") is not None else "patientid"
    exchange = ctx.get(list_path(ctx, "inboxmessages", patient), params=params)
    entries = list_entries(body_of(exchange), "inboxmessages")
    if exchange.status != 200 or not isinstance(entries, list):
        raise ConformanceFailure(
            "athena inbox unreadable", received=describe(exchange), documented="200 list"
        )
    return [entry for entry in entries if isinstance(entry, dict)]


@probe("athena")
def athena_listed_thread_opens_by_documentid(ctx: ProbeContext) -> None:
    patient = "small_patientid" if ctx.optional_id("small_patientid") is not None else "patientid"
    threads = _threads_with_messages(ctx, {"limit": 5})
    if not threads:
        raise Skip("the inbox is empty")
    listed = threads[0]
    path = f"/v1/{ctx.id('practiceid')}/patients/{ctx.id(patient)}/securemessage/{listed.get('documentid')}"
    exchange = ctx.get(path)
    ctx.checked(exchange)
    opened = body_of(exchange)
    if exchange.status != 200 or opened.get("subject") != listed.get("subject"):
        ctx.fail(
            "athena listed thread does not open by its documentid",
            received=describe(exchange),
            documented=f"200 with the listed thread (subject {listed.get('subject')!r})",
            exchange=exchange,
        )
    elif _message_ids(opened) != _message_ids(listed):
        ctx.fail(
            "athena thread opened by its documentid holds other messages than its list entry",
            received=f"messageid {_message_ids(opened)} in thread {listed.get('documentid')}",
            documented=f"the messages of that thread, as listed: {_message_ids(listed)}",
            exchange=exchange,
        )


def _message_ids(thread: dict[str, Any]) -> list[Any]:
    return [m.get("messageid") for m in thread.get("messagelist") or [] if isinstance(m, dict)]


@probe("athena")
def athena_mailbox_lists_are_read_whole(ctx: ProbeContext) -> None:
    """The configured patient's three lists, 50 entries each: athena_threads_carry_documented_fields
    judges every entry, not only the one or two of the small mailbox the generated cases read."""
    for kind in ("inboxmessages", "archivedmessages", "sentmessages"):
        ctx.checked(ctx.get(list_path(ctx, kind), params={"limit": 50}))
