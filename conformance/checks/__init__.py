"""The kit's own response checks, registered per API (and with schemathesis) on import."""

from __future__ import annotations

from patientmsg.conformance.checks import errors, fields, filters, headers, order, pagination, status
from patientmsg.conformance.checks.registry import RESPONSE_CHECKS, CoreCheck, ResponseCheck, response_check

__all__ = [
    "RESPONSE_CHECKS",
    "CoreCheck",
    "ResponseCheck",
    "errors",
    "fields",
    "filters",
    "headers",
    "order",
    "pagination",
    "response_check",
    "status",
]
