"""The portal's response checks: every refusal in RFC 9457 problem details naming its rule."""

from __future__ import annotations

import re

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.shared.checking import response_check
from patientmsg.conformance.shared.readers import describe
from patientmsg.conformance.shared.status import status_code_is_documented

__all__ = ["portal_refusals_are_problem_details", "portal_status_code_is_documented"]

_RULE = re.compile(r"^PORTAL-R\d\d$")
PROBLEM = "application/problem+json {type, title, status (the HTTP status), detail, rule: PORTAL-Rnn}"


@response_check("portal")
def portal_refusals_are_problem_details(ex: Exchange) -> bool | None:
    if ex.status < 400:
        return True
    title = "portal refusal is not a problem details body naming its rule"
    content_type = ex.headers.get("content-type", "").split(";")[0].strip().lower()
    body = ex.json()
    if (
        content_type != "application/problem+json"
        or not isinstance(body, dict)
        or not all(isinstance(body.get(key), str) for key in ("type", "title", "detail"))
        or body.get("status") != ex.status
        or not isinstance(body.get("rule"), str)
        or not _RULE.match(body["rule"])
    ):
        raise ConformanceFailure(
            title, received=f"{content_type or 'no content type'}: {describe(ex, 300)}", documented=PROBLEM
        )
    return None


@response_check("portal")
def portal_status_code_is_documented(ex: Exchange) -> bool | None:
    return status_code_is_documented("portal", ex)
