"""MD HQ probes: credentials, provoked errors and, with --allow-writes, the soft delete and the invite."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.auth import every_operation_requires_credentials
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
from patientmsg.conformance.shared.negative import invalid_parameters_are_rejected
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe, parse_time

__all__ = ["ERROR_FORMAT", "ERROR_KEYS", "Deletion", "deletion_of", "queue_entries", "queue_path"]

ERROR_KEYS = ("error", "message")
ERROR_FORMAT = 'the error body {"success": false, "error": ..., "message": ...}'


def queue_path(patient: int | str) -> str:
    return f"/api/v1/patients/{patient}/portal/enqueued"


def queue_entries(exchange: Exchange) -> list[dict[str, Any]]:
    return [entry for entry in body_of(exchange).get("data") or [] if isinstance(entry, dict)]


# The shared probes run in the order they always have: credentials first, invalid values last.
@probe("mdhq")
def mdhq_every_operation_requires_credentials(ctx: ProbeContext) -> None:
    every_operation_requires_credentials(ctx)


@probe("mdhq")
def mdhq_bad_type_gets_400_error(ctx: ProbeContext) -> None:
    for patient in ("abc", "1.5"):
        expect_error(
            ctx,
            ctx.get(queue_path(patient)),
            (400, 404),
            f"MD HQ pt_id={patient} not rejected with 400 or 404",
            f"400 or 404 in {ERROR_FORMAT}: pt_id is an integer",
            ERROR_KEYS,
        )


@probe("mdhq")
def mdhq_unknown_ids_get_404_error(ctx: ProbeContext) -> None:
    exchange = ctx.get(queue_path(UNKNOWN_ID))
    expect_error(
        ctx,
        exchange,
        (404,),
        "MD HQ unknown patient not answered 404",
        f"404 in {ERROR_FORMAT}: the patient does not exist",
        ERROR_KEYS,
    )


@probe("mdhq")
def mdhq_missing_credentials_get_401(ctx: ProbeContext) -> None:
    exchange = ctx.get(queue_path(ctx.id("pt_id")), anonymous=True)
    expect_unauthorized(ctx, exchange, "MD HQ request without credentials")


@probe("mdhq")
def mdhq_wrong_secret_gets_401(ctx: ProbeContext) -> None:
    user = ctx.primary.auth.get("username")
    basic = base64.b64encode(f"{user}:{WRONG_SECRET}".encode()).decode()
    exchange = ctx.get(queue_path(ctx.id("pt_id")), authorization=f"Basic {basic}")
    expect_unauthorized(ctx, exchange, "MD HQ request with a wrong API secret")
    # HTTP basic is the only scheme: a bearer token is no credential at all.
    exchange = ctx.get(queue_path(ctx.id("pt_id")), authorization=f"Bearer {INVALID_TOKEN}")
    expect_unauthorized(ctx, exchange, "MD HQ request with a Bearer token")


@probe("mdhq", second=True)
def mdhq_other_practice_is_refused(ctx: ProbeContext) -> None:
    expect_refused_across_tenants(ctx, queue_path(ctx.id("pt_id", second=True)), None, as_second=False)
    expect_refused_across_tenants(ctx, queue_path(ctx.id("pt_id")), None, as_second=True)


@dataclass
class Deletion:
    request_id: Any
    listed_before: Exchange
    deleted: Exchange
    listed_after: Exchange
    deleted_again: Exchange


def deletion_of(ctx: ProbeContext) -> Deletion:
    """Delete the patient's first open request, list the queue, delete it again: once per run."""

    def compute() -> Deletion:
        path = queue_path(ctx.id("pt_id"))
        listed = ctx.get(path)
        entries = queue_entries(listed)
        open_ones = [entry for entry in entries if entry.get("status", "open") == "open"] or entries
        if listed.status != 200 or not open_ones:
            raise Skip(
                f"pt_id {ctx.id('pt_id')} has no enqueued request left to delete: set [ids] pt_id to a"
                " patient with open requests (each run with --allow-writes deletes one)"
            )
        request_id = open_ones[0].get("id")
        deleted = ctx.request("DELETE", f"{path}/{request_id}")
        # Another 2xx (a 204) is MDHQ-STA-001's to report; whether the request is hidden is judged after.
        if not 200 <= deleted.status < 300:
            raise ConformanceFailure(
                "MD HQ delete of an enqueued request failed",
                received=describe(deleted),
                documented="200: the request is soft-deleted",
            )
        return Deletion(
            request_id, listed, deleted, ctx.get(path), ctx.request("DELETE", f"{path}/{request_id}")
        )

    return ctx.memo("mdhq_deletion", compute)


@probe("mdhq", writes=True)
def mdhq_deleted_request_is_not_listed(ctx: ProbeContext) -> None:
    deletion = deletion_of(ctx)
    after = deletion.listed_after
    ctx.checked(after)
    if after.status != 200 or not isinstance(body_of(after).get("data"), list):
        ctx.fail(
            "MD HQ queue not listed after a delete",
            received=describe(after),
            documented="200 with the patient's queue: the deleted request hidden from it",
            exchange=after,
        )
        return
    if deletion.request_id in [entry.get("id") for entry in queue_entries(after)]:
        ctx.fail(
            "MD HQ deleted request still listed",
            received=f"request {deletion.request_id} listed after its delete",
            documented="soft-deletes: the data remains available but hidden",
            exchange=deletion.listed_after,
        )


@probe("mdhq", writes=True)
def mdhq_second_delete_gets_404(ctx: ProbeContext) -> None:
    deletion = deletion_of(ctx)
    expect_error(
        ctx,
        deletion.deleted_again,
        (404,),
        "MD HQ second delete not answered 404",
        f"404 in {ERROR_FORMAT}: a deleted request is hidden",
        ERROR_KEYS,
    )


@probe("mdhq", writes=True)
def mdhq_delete_records_time_and_user(ctx: ProbeContext) -> None:
    deletion = deletion_of(ctx)
    ctx.checked(deletion.deleted)
    body = body_of(deletion.deleted)
    user = ctx.primary.auth.get("username")
    if body.get("deleted_by") != user or parse_time(body.get("deleted_at")) is None:
        ctx.fail(
            "MD HQ delete answer does not record time and API user",
            received=describe(deletion.deleted),
            documented=f"deleted_at (UTC date-time) and deleted_by = the API user {user!r}",
            exchange=deletion.deleted,
        )


@probe("mdhq", writes=True)
def mdhq_invite_without_email_is_refused(ctx: ProbeContext) -> None:
    patient = ctx.id("no_email_pt_id")
    exchange = ctx.request("POST", f"/api/v1/patients/{patient}/portal/invite")
    expect_error(
        ctx,
        exchange,
        (409,),
        "MD HQ invite to a patient without email not refused with 409",
        f"409 in {ERROR_FORMAT}: no email address on file",
        ERROR_KEYS,
    )


@probe("mdhq")
def mdhq_invalid_parameters_are_rejected(ctx: ProbeContext) -> None:
    invalid_parameters_are_rejected(ctx)
