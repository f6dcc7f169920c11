"""error-body: every 4xx and 5xx is in the vendor's own error format, as JSON."""

from __future__ import annotations

from patientmsg.conformance.checks.helpers import describe
from patientmsg.conformance.checks.registry import response_check
from patientmsg.conformance.exchange import Exchange
from patientmsg.conformance.failures import ConformanceFailure

__all__ = ["athena_errors_carry_error_key", "mdhq_errors_use_error_envelope", "oracle_errors_are_api_errors"]


def _json_object(ex: Exchange, documented: str, title: str) -> dict[str, object]:
    body = ex.json()
    if ex.content_type != "application/json" or not isinstance(body, dict):
        raise ConformanceFailure(title, received=describe(ex), documented=documented)
    return body


@response_check("athena")
def athena_errors_carry_error_key(ex: Exchange) -> bool | None:
    if ex.status < 400:
        return True
    documented = 'application/json {"error": "<string>", "detailedmessage": "<string>" (optional)}'
    title = "athena error body is not in athena's error format"
    body = _json_object(ex, documented, title)
    detailed = body.get("detailedmessage")
    if not isinstance(body.get("error"), str) or (detailed is not None and not isinstance(detailed, str)):
        raise ConformanceFailure(title, received=describe(ex), documented=documented)
    return None


@response_check("oracle")
def oracle_errors_are_api_errors(ex: Exchange) -> bool | None:
    if ex.status < 400:
        return True
    documented = (
        'application/json ApiError {"code": "<string>", "message": "<string>", "details": [...] (optional)}'
    )
    title = "Oracle error body is not an ApiError"
    body = _json_object(ex, documented, title)
    details = body.get("details")
    valid_details = details is None or (
        isinstance(details, list) and all(isinstance(item, dict) for item in details)
    )
    if not isinstance(body.get("code"), str) or not isinstance(body.get("message"), str) or not valid_details:
        raise ConformanceFailure(title, received=describe(ex), documented=documented)
    return None


@response_check("mdhq")
def mdhq_errors_use_error_envelope(ex: Exchange) -> bool | None:
    if ex.status < 400:
        return True
    documented = 'application/json {"success": false, "error": "<short_code>", "message": "<string>"}'
    title = "MD HQ error body is not in the spec's error format"
    body = _json_object(ex, documented, title)
    if (
        body.get("success") is not False
        or not isinstance(body.get("error"), str)
        or not isinstance(body.get("message"), str)
    ):
        raise ConformanceFailure(title, received=describe(ex), documented=documented)
    return None
