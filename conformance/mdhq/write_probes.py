"""MD HQ probes that change state (--allow-writes): refusals on the write operations, whose request a
delete may touch, what a delete leaves listed, the invite, and the deleted request read again last.
"""

from __future__ import annotations

import base64
from typing import Any

from patientmsg.conformance.mdhq.probes import (
    ERROR_FORMAT,
    ERROR_KEYS,
    deletion_of,
    queue_entries,
    queue_path,
)
from patientmsg.conformance.mdhq.queue_probes import BEYOND_32_BITS
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import UNKNOWN_ID, WRONG_SECRET, expect_error
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["invite_path"]

# Beyond 64 bits too: 2**66 is the reader's 99999999999999999999 in size.
_BEYOND_64_BITS = 2**66


def invite_path(patient: int | str) -> str:
    return f"/api/v1/patients/{patient}/portal/invite"


def _ids(exchange: Exchange) -> list[Any]:
    return [entry.get("id") for entry in queue_entries(exchange)]


def _last_request(ctx: ProbeContext, needed_for: str) -> tuple[Exchange, Any]:
    """The queue and its last request: the delete probe takes the first, so the two never meet."""
    listed = ctx.get(queue_path(ctx.id("pt_id")))
    ids = _ids(listed)
    if listed.status != 200 or not ids:
        raise Skip(
            f"pt_id {ctx.id('pt_id')} has no enqueued request: {needed_for} needs one;"
            " set [ids] pt_id to a patient with open requests"
        )
    return listed, ids[-1]


def _still_listed(ctx: ProbeContext, request_id: Any, title: str, documented: str) -> None:
    listed = ctx.get(queue_path(ctx.id("pt_id")))
    ctx.checked(listed)
    if request_id not in _ids(listed):
        ctx.fail(title, received=f"request {request_id} gone: {describe(listed, 160)}", documented=documented)


@probe("mdhq", writes=True)
def mdhq_bad_type_on_writes_gets_400_error(ctx: ProbeContext) -> None:
    patient = ctx.id("pt_id")
    for method, path in (
        ("DELETE", f"{queue_path('abc')}/1"),
        ("DELETE", f"{queue_path(patient)}/abc"),
        ("POST", invite_path("abc")),
    ):
        expect_error(
            ctx,
            ctx.request(method, path),
            (400, 404),
            f"MD HQ {method} {path} not rejected with 400 or 404",
            f"400 or 404 in {ERROR_FORMAT}: pt_id and queue_request_id are integers",
            ERROR_KEYS,
        )


@probe("mdhq", writes=True)
def mdhq_unknown_ids_on_writes_get_404_error(ctx: ProbeContext) -> None:
    patient = ctx.id("pt_id")
    before = _ids(ctx.get(queue_path(patient)))
    for method, path in (
        ("DELETE", f"{queue_path(patient)}/{UNKNOWN_ID}"),
        ("DELETE", f"{queue_path(UNKNOWN_ID)}/1"),
        ("POST", invite_path(UNKNOWN_ID)),
    ):
        expect_error(
            ctx,
            ctx.request(method, path),
            (404,),
            f"MD HQ {method} {path} not answered 404",
            f"404 in {ERROR_FORMAT}: no such patient or request",
            ERROR_KEYS,
        )
    after = ctx.get(queue_path(patient))
    ctx.checked(after)
    if _ids(after) != before:
        ctx.fail(
            "MD HQ delete of an unknown request changed the queue",
            received=f"ids {before} before, {_ids(after)} after",
            documented="an unknown request is not found, and nothing is deleted",
            exchange=after,
        )


@probe("mdhq", writes=True)
def mdhq_ids_beyond_32_bits_on_writes_get_404_error(ctx: ProbeContext) -> None:
    patient = ctx.id("pt_id")
    calls = [("DELETE", f"{queue_path(patient)}/{big}") for big in (*BEYOND_32_BITS, _BEYOND_64_BITS)]
    calls.append(("POST", invite_path(2**40)))
    for method, path in calls:
        expect_error(
            ctx,
            ctx.request(method, path),
            (404,),
            f"MD HQ {method} {path} (an id beyond 32 bits) not answered 404",
            f"404 in {ERROR_FORMAT}: an integer id with no maximum, and no such patient or request",
            ERROR_KEYS,
        )


@probe("mdhq", writes=True)
def mdhq_other_patients_request_is_not_deleted(ctx: ProbeContext) -> None:
    other = ctx.optional_id("empty_pt_id") or ctx.optional_id("no_email_pt_id")
    if other is None or str(other) == str(ctx.id("pt_id")):
        raise Skip("needs a second patient of the practice: set [ids] empty_pt_id to one other than pt_id")
    _, request_id = _last_request(ctx, "deleting it through another patient's path")
    refused = ctx.request("DELETE", f"{queue_path(other)}/{request_id}")
    ctx.checked(refused)
    if refused.status not in (403, 404):
        ctx.fail(
            "MD HQ deletes a request through another patient's path",
            received=f"{describe(refused, 160)} for pt_id {ctx.id('pt_id')}'s request {request_id}",
            documented="403 or 404: a queue_request_id belongs to the patient of its path",
            exchange=refused,
        )
    _still_listed(
        ctx,
        request_id,
        "MD HQ request gone after a delete through another patient's path",
        f"still in pt_id {ctx.id('pt_id')}'s queue: it was never that patient's to delete",
    )


@probe("mdhq", writes=True)
def mdhq_writes_without_credentials_change_nothing(ctx: ProbeContext) -> None:
    _, request_id = _last_request(ctx, "deleting it without credentials")
    user = ctx.primary.auth.get("username")
    wrong = "Basic " + base64.b64encode(f"{user}:{WRONG_SECRET}".encode()).decode()
    target = f"{queue_path(ctx.id('pt_id'))}/{request_id}"
    for method, path, authorization in (
        ("DELETE", target, None),
        ("DELETE", target, wrong),
        ("POST", invite_path(ctx.id("pt_id")), None),
    ):
        answer = ctx.request(method, path, anonymous=authorization is None, authorization=authorization)
        ctx.checked(answer)
        if answer.status != 401:
            label = "with a wrong secret" if authorization else "without credentials"
            ctx.fail(
                f"MD HQ {method} {label} not refused with 401",
                received=f"{describe(answer, 160)} for {method} {path} {label}",
                documented="401: every call takes HTTP basic credentials (curl -X DELETE https://un:pwd@...)",
                exchange=answer,
            )
    _still_listed(
        ctx,
        request_id,
        "MD HQ request deleted without valid credentials",
        "still listed: a refused delete deletes nothing",
    )


@probe("mdhq", writes=True)
def mdhq_delete_hides_only_that_request(ctx: ProbeContext) -> None:
    deletion = deletion_of(ctx)
    expected = [i for i in _ids(deletion.listed_before) if i != deletion.request_id]
    ctx.checked(deletion.listed_after)
    if _ids(deletion.listed_after) != expected:
        ctx.fail(
            "MD HQ delete of one request changed the rest of the queue",
            received=f"ids {_ids(deletion.listed_after)} after deleting {deletion.request_id}",
            documented=f"ids {expected}: Delete/remove an enqueued request, that one only",
            exchange=deletion.listed_after,
        )


@probe("mdhq", writes=True)
def mdhq_invite_to_a_patient_with_email_is_accepted(ctx: ProbeContext) -> None:
    patients = [ctx.id("pt_id")]
    other = ctx.optional_id("empty_pt_id")
    if other is not None and str(other) != str(patients[0]):
        patients.append(other)
    for patient in patients:
        # No body and no content type, as the sample call sends it (Arguments: NONE).
        answer = ctx.request("POST", invite_path(patient))
        ctx.checked(answer)
        if answer.status == 409 and patient == patients[0]:
            raise Skip(f"pt_id {patient} has no email address on file (409): set [ids] pt_id to one who has")
        if not 200 <= answer.status < 300:
            ctx.fail(
                "MD HQ invite to a patient with an email address not accepted",
                received=f"{describe(answer, 160)} for POST {invite_path(patient)} without a body",
                documented="2xx: an email to the patient's primary address (invitation or password reset)",
                exchange=answer,
            )


@probe("mdhq", writes=True)
def mdhq_deleted_request_stays_hidden_later(ctx: ProbeContext) -> None:
    """Registered last: the deleted request looked for again after every other probe of the run."""
    deletion = deletion_of(ctx)
    listed = ctx.get(queue_path(ctx.id("pt_id")))
    ctx.checked(listed)
    if listed.status != 200 or deletion.request_id in _ids(listed):
        ctx.fail(
            "MD HQ deleted request back later in the run",
            received=f"{describe(listed, 160)} at the end of the run",
            documented=f"request {deletion.request_id} hidden for good: soft-deleted, not listed again",
            exchange=listed,
        )
