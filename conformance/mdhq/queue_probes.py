"""MD HQ read-only probes that send the documented forms and edges on purpose: the default status,
every value of the (coming soon) filters, an empty queue, ids beyond 32 bits, and refusals whose
headers the form checks read.
"""

from __future__ import annotations

import base64
from typing import Any

from patientmsg.conformance.mdhq.checks import mdhq_queue_lists_open_requests_by_default
from patientmsg.conformance.mdhq.form_checks import (
    mdhq_dates_are_utc,
    mdhq_documented_headers_have_their_form,
    mdhq_unauthorized_names_a_basic_challenge,
)
from patientmsg.conformance.mdhq.probes import ERROR_FORMAT, ERROR_KEYS, queue_entries, queue_path
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import WRONG_SECRET, body_of, expect_error
from patientmsg.conformance.shared.checking import CoreCheck
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["BEYOND_32_BITS", "NO_SUCH_TYPE", "SPEC_STATUSES", "judged_by"]

# Integers the spec allows (no format, no maximum) that a 32-bit (or 64-bit) id column cannot hold.
BEYOND_32_BITS = (2**31, 2**40, 2**63)
# The status values of the spec's EnqueuedRequest, each sent as the (coming soon) filter.
SPEC_STATUSES = ("open", "in_progress", "dismissed", "completed")
NO_SUCH_TYPE = "patientmsg-no-such-type"
DEFAULT = 'status: (COMING SOON) return requests of a specific status (defaults to "open")'


def judged_by(ctx: ProbeContext, check: CoreCheck, *exchanges: Exchange) -> int:
    """Judge exchanges a probe provoked with a response check; how many it applied to.

    The observer has already recorded the check's failure; the probe records the same message, which
    the ledger keeps once, so the probe reads "failed" too.
    """
    applied = 0
    for exchange in exchanges:
        try:
            if check(exchange) is True:
                continue
        except ConformanceFailure as failure:
            ctx.failures.append((f"[{exchange.method} {exchange.path}] {failure}", exchange))
        ctx.checked(exchange)
        applied += 1
    return applied


def _ids(exchange: Exchange) -> list[Any]:
    return [entry.get("id") for entry in queue_entries(exchange)]


def _listed_queue(ctx: ProbeContext, needed_for: str) -> Exchange:
    """The patient's queue asked without arguments; Skip when it is empty: nothing could be told apart."""
    patient = ctx.id("pt_id")
    listed = ctx.get(queue_path(patient))
    if listed.status == 200 and not queue_entries(listed):
        raise Skip(
            f"pt_id {patient} has no enqueued request: {needed_for} needs at least one;"
            " set [ids] pt_id to a patient with open requests"
        )
    return listed


@probe("mdhq")
def mdhq_every_answer_shape_is_dated(ctx: ProbeContext) -> None:
    """A dated queue for the UTC check; with --allow-writes it also reads the delete and invite answers."""
    judged_by(ctx, mdhq_dates_are_utc, _listed_queue(ctx, "reading its dates"))


@probe("mdhq")
def mdhq_queue_without_status_is_listed(ctx: ProbeContext) -> None:
    """The queue asked with no status, so the default-status check sees a queue that has entries."""
    judged_by(ctx, mdhq_queue_lists_open_requests_by_default, _listed_queue(ctx, "the default status"))


@probe("mdhq")
def mdhq_explicit_default_status_lists_the_same_queue(ctx: ProbeContext) -> None:
    default = _listed_queue(ctx, "comparing status=open with no status")
    explicit = ctx.get(queue_path(ctx.id("pt_id")), params={"status": "open"})
    ctx.checked(default, explicit)
    if default.status != 200 or explicit.status != 200 or _ids(default) != _ids(explicit):
        ctx.fail(
            "MD HQ status=open does not answer the default queue",
            received=f"no status: ids {_ids(default)}; status=open: {describe(explicit, 160)}",
            documented=f"the same requests in the same order, {DEFAULT}",
            exchange=explicit,
        )


def _filter_values(default: Exchange) -> list[tuple[str, str]]:
    types = sorted({str(e["request_type"]) for e in queue_entries(default) if "request_type" in e})
    return [("request_type", value) for value in [*types, NO_SUCH_TYPE]] + [
        ("status", value) for value in SPEC_STATUSES
    ]


def _narrows(default: Exchange, filtered: Exchange, name: str, value: str) -> bool:
    """Only requests with that value, and every one of the default queue's that has it."""
    entries = queue_entries(filtered)
    wanted = {entry.get("id") for entry in queue_entries(default) if str(entry.get(name)) == value}
    return all(str(entry.get(name)) == value for entry in entries) and wanted <= set(_ids(filtered))


@probe("mdhq")
def mdhq_filters_narrow_the_queue_or_are_ignored(ctx: ProbeContext) -> None:
    default = _listed_queue(ctx, "telling a filtered queue from an unfiltered one")
    patient = ctx.id("pt_id")
    for name, value in _filter_values(default):
        filtered = ctx.get(queue_path(patient), params={name: value})
        ctx.checked(filtered)
        ignored = _ids(filtered) == _ids(default)
        if filtered.status == 200 and (ignored or _narrows(default, filtered, name, value)):
            continue
        if filtered.status >= 500:
            # A crash is MDHQ-SRV-001's (mdhq_answers_no_server_error), not a filter's answer.
            continue
        # A value no request has may be refused as unknown, in the error format.
        if value == NO_SUCH_TYPE and filtered.status == 400 and "error" in body_of(filtered):
            continue
        ctx.fail(
            f"MD HQ {name}={value} neither narrows the queue nor is ignored",
            received=f"{describe(filtered, 160)}; without it: ids {_ids(default)}",
            documented=f"200 with all the {name} {value!r} requests, or (COMING SOON) the whole queue",
            exchange=filtered,
        )


@probe("mdhq")
def mdhq_patient_without_requests_gets_an_empty_queue(ctx: ProbeContext) -> None:
    patient = ctx.id("empty_pt_id")
    listed = ctx.get(queue_path(patient))
    if listed.status == 200 and queue_entries(listed):
        raise Skip(
            f"[ids] empty_pt_id {patient} has {len(queue_entries(listed))} enqueued requests:"
            " set it to a patient of the practice with none"
        )
    ctx.checked(listed)
    body = body_of(listed)
    if listed.status != 200 or body.get("data") != [] or body.get("total", 0) != 0:
        ctx.fail(
            "MD HQ patient without requests not answered with an empty queue",
            received=describe(listed),
            documented='200 {"total": 0, "data": []}: all (none) of the patient\'s enqueued requests',
            exchange=listed,
        )


@probe("mdhq")
def mdhq_ids_beyond_32_bits_get_404_error(ctx: ProbeContext) -> None:
    for patient in BEYOND_32_BITS:
        expect_error(
            ctx,
            ctx.get(queue_path(patient)),
            (404,),
            f"MD HQ pt_id {patient} (beyond 32 bits) not answered 404",
            f"404 in {ERROR_FORMAT}: pt_id is an integer with no maximum, and no such patient exists",
            ERROR_KEYS,
        )


def _refused(ctx: ProbeContext) -> list[Exchange]:
    path = queue_path(ctx.id("pt_id"))
    user = ctx.primary.auth.get("username")
    wrong = "Basic " + base64.b64encode(f"{user}:{WRONG_SECRET}".encode()).decode()
    return [ctx.get(path, anonymous=True), ctx.get(path, authorization=wrong)]


@probe("mdhq")
def mdhq_unauthorized_answers_are_provoked(ctx: ProbeContext) -> None:
    """No credentials, then a wrong secret: the challenge check reads each 401."""
    if not judged_by(ctx, mdhq_unauthorized_names_a_basic_challenge, *_refused(ctx)):
        raise Skip("no request without valid credentials was answered 401 (MDHQ-AUTH-002 reports it)")


@probe("mdhq")
def mdhq_header_forms_are_provoked(ctx: ProbeContext) -> None:
    """A 401 and an OPTIONS answer, whose WWW-Authenticate and Allow the form check reads."""
    answers = [*_refused(ctx), ctx.request("OPTIONS", queue_path(ctx.id("pt_id")))]
    if not judged_by(ctx, mdhq_documented_headers_have_their_form, *answers):
        raise Skip("no 401 or OPTIONS answer carried WWW-Authenticate or Allow (MDHQ-HDR-002/004 report it)")
