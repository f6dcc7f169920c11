"""Oracle's checks on response headers that the spec's schemas cannot state."""

from __future__ import annotations

import re

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.shared.checking import response_check

__all__ = ["oracle_assigned_request_ids_use_valid_characters"]

# The document states this for the request header; an id the server assigns is the one a client is
# told to "provide" back to Oracle, so it should be valid as a request id too (our inference).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@response_check("oracle")
def oracle_assigned_request_ids_use_valid_characters(ex: Exchange) -> bool | None:
    if ex.request_header("opc-request-id") is not None:
        return True  # an echoed id is the client's: ORA-HDR-001 judges the echo
    assigned = ex.headers.get("opc-request-id")
    if assigned is None:
        return True  # a missing header is ORA-HDR-002's
    if not _REQUEST_ID.match(assigned):
        raise ConformanceFailure(
            "Oracle assigned an opc-request-id with characters a request id may not carry",
            received=f"opc-request-id: {assigned[:80]!r}",
            documented="letters, numbers, underscore, and dash",
        )
    return None
