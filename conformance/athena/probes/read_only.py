"""athena probes: provoked errors, credentials, tenants, reply rights, plain text (paging: athena_pages)."""

from __future__ import annotations

import base64
import re
from typing import Any

from patientmsg.conformance.athena.readers import list_entries
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
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")


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
    # A path that cannot name a practice may also be a resource that does not exist.
    exchange = ctx.get(f"/v1/abc/patients/{ctx.id('patientid')}/securemessage/inboxmessages")
    expect_error(
        ctx,
        exchange,
        (400, 404),
        "athena practiceid=abc not rejected with 400 or 404",
        f"400 or 404 in {ERROR_FORMAT}: practiceid is an integer",
        ERROR_KEYS,
    )


@probe("athena")
def athena_unknown_ids_get_404_error(ctx: ProbeContext) -> None:
    unknown_patient = f"/v1/{ctx.id('practiceid')}/patients/{UNKNOWN_ID}/securemessage/inboxmessages"
    for path in (unknown_patient, thread_path(ctx, UNKNOWN_ID)):
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


@probe("athena", second=True)
def athena_other_practice_is_refused(ctx: ProbeContext) -> None:
    practice, patient = ctx.id("practiceid", second=True), ctx.id("patientid", second=True)
    theirs = f"/v1/{practice}/patients/{patient}/securemessage/inboxmessages"
    expect_refused_across_tenants(ctx, theirs, {"limit": 1}, as_second=False)
    expect_refused_across_tenants(ctx, list_path(ctx, "inboxmessages"), {"limit": 1}, as_second=True)
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
def athena_showplaintext_strips_markup(ctx: ProbeContext) -> None:
    threads = _threads_with_messages(ctx, {"limit": 50, "showplaintext": "Y"})
    texts = [m.get("text") for t in threads for m in t.get("messagelist") or [] if isinstance(m, dict)]
    if not texts:
        raise Skip("the inbox holds no message text to look at")
    marked = [text for text in texts if isinstance(text, str) and _TAG.search(text)]
    ctx.checked(ctx.last)
    if marked:
        ctx.fail(
            "athena showplaintext=Y still returns markup",
            received=f"text {marked[0][:120]!r}",
            documented="showplaintext: if Y, returns the TEXT attribute in plaintext",
        )


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
