"""athena probes that change state (only with --allow-writes): reply, archived reply, lab result read."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.athena.probes.read_only import ERROR_FORMAT, ERROR_KEYS, list_path, thread_path
from patientmsg.conformance.athena.readers import list_entries
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of, expect_error
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__: list[str] = []

SENT_PAGES = 10


def _open_thread(ctx: ProbeContext) -> tuple[int | str, dict[str, Any]]:
    """The configured thread if it is open, else the newest thread of the inbox (which lists open ones)."""
    thread = ctx.id("messagethreadid")
    exchange = ctx.get(thread_path(ctx, thread))
    body = body_of(exchange)
    if exchange.status == 200 and body.get("status", "OPEN") == "OPEN":
        return thread, body
    listed = list_entries(
        body_of(ctx.get(list_path(ctx, "inboxmessages"), params={"limit": 1})), "inboxmessages"
    )
    if not listed or not isinstance(listed[0], dict):
        raise Skip("no open thread to reply to")
    newest = str(listed[0].get("documentid"))
    return newest, body_of(ctx.get(thread_path(ctx, newest)))


def _in_sent(ctx: ProbeContext, thread: int | str) -> bool:
    for page in range(SENT_PAGES):
        body = body_of(ctx.get(list_path(ctx, "sentmessages"), params={"limit": 1000, "offset": page * 1000}))
        entries = list_entries(body, "sentmessages")
        if not isinstance(entries, list):
            return False
        if any(isinstance(e, dict) and str(e.get("documentid")) == str(thread) for e in entries):
            return True
        if "next" not in body:
            return False
    return False


@probe("athena", writes=True)
def athena_reply_shows_in_thread_and_sent(ctx: ProbeContext) -> None:
    thread, before = _open_thread(ctx)
    count = len(before.get("messagelist") or [])
    text = f"patientmsg conformance reply {count + 1} (seed {ctx.seed})"
    reply = ctx.request("POST", thread_path(ctx, thread, "/reply"), data={"text": text})
    if reply.status != 200:
        raise ConformanceFailure(
            "athena reply refused on an open thread",
            received=describe(reply),
            documented="200: the reply was appended to the thread",
        )
    after = ctx.get(thread_path(ctx, thread))
    ctx.checked(reply, after)
    texts = [m.get("text") for m in body_of(after).get("messagelist") or [] if isinstance(m, dict)]
    if not any(isinstance(t, str) and text in t for t in texts):
        ctx.fail(
            "athena reply missing from its thread",
            received=f"{len(texts)} messages, none with {text!r}",
            documented="the reply shows in the thread's messagelist",
            exchange=after,
        )
    if not _in_sent(ctx, thread):
        ctx.fail(
            "athena replied thread missing from sentmessages",
            received=f"thread {thread} not among the sentmessages",
            documented="sentmessages: messages responded or sent by the patient to the practice",
        )


@probe("athena", writes=True)
def athena_reply_to_archived_is_refused(ctx: ProbeContext) -> None:
    archived = ctx.id("archived_messagethreadid")
    exchange = ctx.request(
        "POST", thread_path(ctx, archived, "/reply"), data={"text": "patientmsg conformance"}
    )
    expect_error(
        ctx,
        exchange,
        (409,),
        "athena reply to an archived thread not refused with 409",
        f"409 in {ERROR_FORMAT}: an archived thread is refused",
        ERROR_KEYS,
    )


@probe("athena", writes=True)
def athena_mark_lab_result_read_succeeds(ctx: ProbeContext) -> None:
    lab = ctx.id("labresult_messagethreadid")
    patient = f"/v1/{ctx.id('practiceid')}/patients/{ctx.id('patientid')}"
    path = f"{patient}/patientsecuremessage/marklabresultread/{lab}"
    exchange = ctx.request("POST", path)
    ctx.checked(exchange)
    if exchange.status != 200 or body_of(exchange).get("success") != "true":
        ctx.fail(
            "athena lab result not marked read",
            received=describe(exchange),
            documented='200 {"success": "true"}',
            exchange=exchange,
        )
