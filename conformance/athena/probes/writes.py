"""athena probes that change state (only with --allow-writes): replies, lab-result reads, and what stays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from patientmsg.conformance.athena.probes.read_only import ERROR_FORMAT, ERROR_KEYS, list_path, thread_path
from patientmsg.conformance.athena.readers import list_entries
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import UNKNOWN_ID, body_of, expect_error
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["LASTING", "LastingChanges", "is_read", "mark_read_path", "not_made", "texts"]

# The memo key under which the lasting reply and lab-result read are remembered for the end of the run.
LASTING = "athena_lasting_changes"

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
    # Another 2xx (a 201) is ATH-STA-001's to report; what the reply did is judged here.
    if not 200 <= reply.status < 300:
        raise ConformanceFailure(
            "athena reply refused on an open thread",
            received=describe(reply),
            documented="200: the reply was appended to the thread",
        )
    if str(body_of(reply).get("error")) != "0":
        ctx.fail(
            "athena reply on success does not answer error 0",
            received=describe(reply),
            documented='error: "Can be 0 for no error" ({"error": "0"} on success)',
            exchange=reply,
        )
    after = ctx.get(thread_path(ctx, thread))
    ctx.checked(reply, after)
    shown = texts(body_of(after))
    if not any(text in t for t in shown):
        ctx.fail(
            "athena reply missing from its thread",
            received=f"{len(shown)} messages, none with {text!r}",
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


def texts(thread: dict[str, Any]) -> list[str]:
    return [
        m["text"]
        for m in thread.get("messagelist") or []
        if isinstance(m, dict) and isinstance(m.get("text"), str)
    ]


def mark_read_path(ctx: ProbeContext, thread: int | str, patient: str = "patientid") -> str:
    patient_path = f"/v1/{ctx.id('practiceid')}/patients/{ctx.id(patient)}"
    return f"{patient_path}/patientsecuremessage/marklabresultread/{thread}"


def is_read(ctx: ProbeContext, thread: int | str) -> Any:
    exchange = ctx.get(thread_path(ctx, thread))
    ctx.checked(exchange)
    return body_of(exchange).get("isread")


@probe("athena", writes=True)
def athena_mark_lab_result_read_succeeds(ctx: ProbeContext) -> None:
    lab = ctx.id("labresult_messagethreadid")
    exchange = ctx.request("POST", mark_read_path(ctx, lab))
    ctx.checked(exchange)
    if exchange.status != 200 or body_of(exchange).get("success") != "true":
        ctx.fail(
            "athena lab result not marked read",
            received=describe(exchange),
            documented='200 {"success": "true"}',
            exchange=exchange,
        )
        return
    again = ctx.request("POST", mark_read_path(ctx, lab))
    ctx.checked(again)
    if again.status != 200 or body_of(again).get("success") != "true":
        ctx.fail(
            "athena lab result already read not marked read again",
            received=describe(again),
            documented='200 {"success": "true"}: marking a read lab result again changes nothing',
            exchange=again,
        )
    isread = is_read(ctx, lab)
    if isread is not True:
        ctx.fail(
            "athena lab result marked read still reads unread",
            received=f"isread {isread!r} on thread {lab} right after marklabresultread answered success",
            documented="marklabresultread: updates the specified LabResult has been read by the patient",
        )


@probe("athena", writes=True)
def athena_mark_read_refuses_other_threads(ctx: ProbeContext) -> None:
    thread = ctx.id("messagethreadid")
    exchange = ctx.request("POST", mark_read_path(ctx, thread))
    expect_error(
        ctx,
        exchange,
        (409,),
        "athena marks a thread that is not a lab result read",
        f"409 in {ERROR_FORMAT}: thread {thread} is a message, not a lab result",
        ERROR_KEYS,
    )


@dataclass(frozen=True)
class LastingChanges:
    """What athena_changes_outlast_later_requests changed, for the look at the end of the run."""

    thread: int | str
    text: str
    lab: int | str | None
    # ctx.sent when the changes were made: the end-of-run look comes at least LATER requests after it.
    sent_at: int


def not_made() -> LastingChanges:
    raise Skip("the reply and lab-result read of athena_changes_outlast_later_requests were not made")


_LATER_READS = ("inboxmessages", "sentmessages", "archivedmessages")


@probe("athena", writes=True)
def athena_changes_outlast_later_requests(ctx: ProbeContext) -> None:
    """A reply and a lab-result read, read back once, then again after other requests of the run."""
    thread, _ = _open_thread(ctx)
    text = f"patientmsg conformance lasting reply (seed {ctx.seed})"
    reply = ctx.request("POST", thread_path(ctx, thread, "/reply"), data={"text": text})
    lab = ctx.optional_id("labresult_messagethreadid")
    marked = ctx.request("POST", mark_read_path(ctx, lab)) if lab is not None else None
    # Another 2xx (a 201) is ATH-STA-001's to report; what the reply did is judged here.
    if not 200 <= reply.status < 300:
        raise ConformanceFailure(
            "athena reply refused on an open thread", received=describe(reply), documented="200"
        )
    lab_marked = lab if marked is not None and marked.status == 200 else None
    ctx.memo(LASTING, lambda: LastingChanges(thread, text, lab_marked, ctx.sent))
    for attempt in ("right after the change", "after later requests of the run"):
        read = ctx.get(thread_path(ctx, thread))
        ctx.checked(read)
        if not any(text in t for t in texts(body_of(read))):
            ctx.fail(
                "athena reply gone from its thread",
                received=f"thread {thread} without the reply {text!r} {attempt}",
                documented="a reply sent is part of its thread from then on",
            )
        if marked is not None and marked.status == 200 and lab is not None and is_read(ctx, lab) is False:
            ctx.fail(
                "athena lab result read again unread",
                received=f"isread false on thread {lab} {attempt}",
                documented="marklabresultread: the LabResult has been read",
            )
        for kind in _LATER_READS:
            ctx.get(list_path(ctx, kind), params={"limit": 5})


@probe("athena", writes=True)
def athena_malformed_replies_are_refused(ctx: ProbeContext) -> None:
    """A reply in JSON, without text, with empty text, or to an unknown thread: refused, nothing added."""
    thread, before = _open_thread(ctx)
    path = thread_path(ctx, thread, "/reply")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    json_type = {"Content-Type": "application/json"}
    attempts: list[tuple[str, tuple[int, ...], dict[str, str], dict[str, str]]] = [
        ("a JSON Content-Type", (400, 415), json_type, {"text": "patientmsg conformance"}),
        ("no text field", (400,), form, {"nottext": "patientmsg conformance"}),
        ("an empty text", (400,), form, {"text": ""}),
    ]
    for what, statuses, headers, data in attempts:
        exchange = ctx.request("POST", path, headers=headers, data=data)
        expect_error(
            ctx,
            exchange,
            statuses,
            f"athena reply with {what} not refused",
            f"{' or '.join(map(str, statuses))} in {ERROR_FORMAT}: POST bodies are "
            "application/x-www-form-urlencoded and reply takes a required text",
            ERROR_KEYS,
        )
    unknown = ctx.request(
        "POST", thread_path(ctx, UNKNOWN_ID, "/reply"), data={"text": "patientmsg conformance"}
    )
    expect_error(
        ctx,
        unknown,
        (404,),
        "athena reply to an unknown thread not refused with 404",
        f"404 in {ERROR_FORMAT}: the thread does not exist",
        ERROR_KEYS,
    )
    was = len(before.get("messagelist") or [])
    reread = ctx.get(thread_path(ctx, thread))
    ctx.checked(reread)
    now = len(body_of(reread).get("messagelist") or [])
    if now != was:
        ctx.fail(
            "athena refused reply still added a message",
            received=f"thread {thread}: {now} messages after the refused replies",
            documented=f"{was} messages, as before: a refused reply adds nothing",
        )
