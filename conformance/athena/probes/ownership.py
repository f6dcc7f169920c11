"""athena probes of ownership inside one practice and of which list holds a thread."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.athena.probes.read_only import ERROR_FORMAT, list_path, thread_path
from patientmsg.conformance.athena.readers import ATHENA_LISTS, list_entries
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["other_patients_threads"]

_LOOK = 20


def _threads(ctx: ProbeContext, patient: str, kind: str, *, checked: bool = False) -> list[dict[str, Any]]:
    exchange = ctx.get(list_path(ctx, kind, patient), params={"limit": _LOOK})
    if checked:
        ctx.checked(exchange)
    entries = list_entries(body_of(exchange), kind)
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def other_patients_threads(ctx: ProbeContext) -> list[dict[str, Any]]:
    """Threads of small_patientid, another patient of the configured practice (from its lists)."""
    if ctx.optional_id("small_patientid") is None:
        raise Skip("no [ids] small_patientid: another patient of the same practice, with threads")
    if str(ctx.id("small_patientid")) == str(ctx.id("patientid")):
        raise Skip("[ids] small_patientid is patientid: ownership needs two patients")

    def compute() -> list[dict[str, Any]]:
        found = [t for kind in ATHENA_LISTS for t in _threads(ctx, "small_patientid", kind)]
        if not found:
            raise Skip(
                f"small_patientid {ctx.id('small_patientid')} lists no thread: set [ids] small_patientid "
                "to a patient of the same practice with threads"
            )
        return found

    return ctx.memo("athena_other_patients_threads", compute)


@probe("athena")
def athena_other_patients_thread_is_refused(ctx: ProbeContext) -> None:
    theirs = other_patients_threads(ctx)[0].get("documentid")
    for suffix in ("", "/CanPatientReplyToMessage"):
        exchange = ctx.get(thread_path(ctx, str(theirs), suffix))
        ctx.checked(exchange)
        if exchange.status not in (403, 404):
            ctx.fail(
                "athena thread of another patient served through this patient",
                received=f"{describe(exchange)} for patientid {ctx.id('patientid')}, "
                f"thread {theirs} of patientid {ctx.id('small_patientid')}",
                documented=f"403 or 404 in {ERROR_FORMAT}: a thread is read for its own patient only",
                exchange=exchange,
            )


@probe("athena")
def athena_lists_hold_only_the_patients_threads(ctx: ProbeContext) -> None:
    """Every thread one patient's lists hold carries one enterpriseid, and none is another patient's."""
    theirs = {str(t.get("documentid")) for t in other_patients_threads(ctx)}
    their_ids = {t.get("enterpriseid") for t in other_patients_threads(ctx)}
    mine = [t for kind in ATHENA_LISTS for t in _threads(ctx, "patientid", kind, checked=True)]
    if not mine:
        raise Skip(f"patientid {ctx.id('patientid')} lists no thread to look at")
    opened_exchange = ctx.get(thread_path(ctx, ctx.id("messagethreadid")))
    ctx.checked(opened_exchange)
    opened = body_of(opened_exchange)
    patient_ids = ({t.get("enterpriseid") for t in mine} | {opened.get("enterpriseid")}) - {None}
    shared = sorted(str(t.get("documentid")) for t in mine if str(t.get("documentid")) in theirs)
    if shared:
        ctx.fail(
            "athena list holds another patient's thread",
            received=f"documentid {', '.join(shared[:5])} listed for patientid {ctx.id('patientid')} "
            f"and for patientid {ctx.id('small_patientid')}",
            documented="the lists hold the patient's own messages only",
        )
    if len(patient_ids) > 1 or patient_ids & their_ids:
        ctx.fail(
            "athena threads of one patient carry different patients' enterpriseid",
            received=f"enterpriseid {sorted(map(str, patient_ids))} in patientid {ctx.id('patientid')}'s "
            f"threads; {sorted(map(str, their_ids))} in patientid {ctx.id('small_patientid')}'s",
            documented="enterpriseid: ID of the patient (one patient, one id)",
        )


def _message_count(ctx: ProbeContext, thread: Any) -> tuple[int, Any]:
    """How many messages the thread holds and its isread, read through its own patient."""
    path = list_path(ctx, str(thread), "small_patientid")
    body = body_of(ctx.get(path))
    return len(body.get("messagelist") or []), body.get("isread")


@probe("athena", writes=True)
def athena_other_patients_thread_is_not_changed(ctx: ProbeContext) -> None:
    threads = other_patients_threads(ctx)
    theirs = next((t for t in threads if t.get("status") != "ARCHIVED"), threads[0]).get("documentid")
    labs = [t for t in threads if t.get("messagetype") == "LABRESULT"]
    lab = next((t for t in labs if t.get("isread") is False), labs[0] if labs else {}).get("documentid")
    before = {thread: _message_count(ctx, thread) for thread in (theirs, lab) if thread is not None}
    practice, patient = ctx.id("practiceid"), ctx.id("patientid")
    attempts = [
        ("POST", thread_path(ctx, str(theirs), "/reply"), {"text": "patientmsg conformance: not yours"}),
    ]
    if lab is not None:
        path = f"/v1/{practice}/patients/{patient}/patientsecuremessage/marklabresultread/{lab}"
        attempts.append(("POST", path, {}))
    for method, path, data in attempts:
        exchange = ctx.request(method, path, data=data or None)
        ctx.checked(exchange)
        if exchange.status not in (403, 404):
            ctx.fail(
                "athena write to another patient's thread not refused",
                received=f"{describe(exchange)} for patientid {patient} on a thread of patientid "
                f"{ctx.id('small_patientid')}",
                documented=f"403 or 404 in {ERROR_FORMAT}: a thread is changed by its own patient only",
                exchange=exchange,
            )
    for thread, was in before.items():
        now = _message_count(ctx, thread)
        ctx.checked(ctx.last)
        if now != was:
            ctx.fail(
                "athena another patient's thread changed",
                received=f"thread {thread}: {now[0]} messages, isread {now[1]!r}",
                documented=f"unchanged: {was[0]} messages, isread {was[1]!r}",
            )


def _all_ids(ctx: ProbeContext, kind: str) -> tuple[set[str], Any]:
    exchange = ctx.get(list_path(ctx, kind), params={"limit": 10000})
    entries = list_entries(body_of(exchange), kind)
    ctx.checked(exchange)
    found = (
        {str(t.get("documentid")) for t in entries if isinstance(t, dict)}
        if isinstance(entries, list)
        else set()
    )
    return found, body_of(exchange).get("totalcount")


@probe("athena")
def athena_archived_thread_is_listed_as_archived(ctx: ProbeContext) -> None:
    """The configured archived thread is archived, not in the inbox: seen without a status field."""
    archived = str(ctx.id("archived_messagethreadid"))
    for kind, expected in (("archivedmessages", True), ("inboxmessages", False)):
        ids, total = _all_ids(ctx, kind)
        if isinstance(total, int) and total > len(ids):
            raise Skip(f"{kind} of patientid {ctx.id('patientid')} holds more than 10000 threads")
        if (archived in ids) != expected:
            ctx.fail(
                f"athena archived thread {'missing from' if expected else 'listed in'} {kind}",
                received=f"thread {archived} {'not ' if expected else ''}among the {len(ids)} {kind}",
                documented="archivedmessages: messages archived by the patient; the inbox holds open threads",
            )
