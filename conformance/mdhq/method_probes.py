"""MD HQ read-only probes on methods and path ids: a method no path takes, the Allow it names, and
path ids of the wrong type (generated cases keep the configured ids, so they never send these).
"""

from __future__ import annotations

from patientmsg.conformance.mdhq.probes import queue_path
from patientmsg.conformance.shared.calls import UNKNOWN_ID
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["spec_paths"]


def spec_paths(ctx: ProbeContext) -> dict[str, set[str]]:
    """Each path of the spec with the configured ids, and the methods the spec gives it."""
    patient = ctx.id("pt_id")
    request_id = ctx.optional_id("queue_request_id") or UNKNOWN_ID
    return {
        queue_path(patient): {"GET"},
        f"{queue_path(patient)}/{request_id}": {"DELETE"},
        f"/api/v1/patients/{patient}/portal/invite": {"POST"},
    }


@probe("mdhq")
def mdhq_unsupported_methods_get_405(ctx: ProbeContext) -> None:
    """TRACE, a safe method no path of the spec takes, on every path."""
    for path in spec_paths(ctx):
        answer = ctx.request("TRACE", path)
        ctx.checked(answer)
        if answer.status != 405:
            ctx.fail(
                "MD HQ method the path does not take not answered 405",
                received=f"{describe(answer, 120)} for TRACE {path}",
                documented="405 Method Not Allowed (RFC 9110 15.5.6): the spec gives the path no TRACE",
                exchange=answer,
            )


@probe("mdhq")
def mdhq_405_answers_list_the_path_methods(ctx: ProbeContext) -> None:
    """Every 405 (and a 2xx OPTIONS answer) names in Allow exactly the methods the spec gives the path."""
    for path, methods in spec_paths(ctx).items():
        for method in ("TRACE", "OPTIONS"):
            answer = ctx.request(method, path)
            if answer.status != 405 and not (method == "OPTIONS" and 200 <= answer.status < 300):
                continue  # the status itself is MDHQ-STA-003's
            ctx.checked(answer)
            allow = answer.headers.get("allow", "")
            listed = {part.strip().upper() for part in allow.split(",") if part.strip()}
            # HEAD goes with GET, and OPTIONS may name itself.
            if not methods <= listed or listed - methods - {"HEAD", "OPTIONS"}:
                ctx.fail(
                    "MD HQ Allow header does not list the path's methods",
                    received=f"{answer.status} for {method} {path} with Allow {allow!r}",
                    documented=f"Allow: {', '.join(sorted(methods))} (RFC 9110 15.5.6: a 405 sends Allow)",
                    exchange=answer,
                )


@probe("mdhq")
def mdhq_non_integer_ids_are_rejected(ctx: ProbeContext) -> None:
    """The path ids, fixed for generated cases, sent with values their schema (integer) forbids."""
    for patient in ("abc", "1.5", "true"):
        answer = ctx.get(queue_path(patient))
        ctx.checked(answer)
        if not 400 <= answer.status < 500:
            ctx.fail(
                "MD HQ non-integer pt_id not rejected with a 4xx",
                received=f"{describe(answer, 120)} for pt_id={patient}",
                documented="a 4xx: pt_id is an integer",
                exchange=answer,
            )
