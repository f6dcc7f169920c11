"""headers: Oracle's opc-request-id, on every response and echoed when the client sent one."""

from __future__ import annotations

import re

from patientmsg.conformance.checks.helpers import describe
from patientmsg.conformance.checks.registry import response_check
from patientmsg.conformance.exchange import Exchange
from patientmsg.conformance.failures import ConformanceFailure

__all__ = ["oracle_echoes_opc_request_id", "oracle_every_response_has_opc_request_id"]

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
