"""Response checks: one function per property, run on every engine response and every probe response."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import schemathesis
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["RESPONSE_CHECKS", "CoreCheck", "ResponseCheck", "response_check"]

# Returns True when the property does not apply to this exchange (nothing was checked).
CoreCheck = Callable[[Exchange], bool | None]


@dataclass(frozen=True)
class ResponseCheck:
    name: str
    api: str
    func: CoreCheck


# Filled per API as each unit of `registry.py` is imported.
RESPONSE_CHECKS: dict[str, list[ResponseCheck]] = {}


def _engine_adapter(func: CoreCheck) -> Callable[[CheckContext, Response, Case[Any]], bool | None]:
    def adapter(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        try:
            return func(Exchange.from_schemathesis(response, case))
        except ConformanceFailure as failure:
            failure.operation = case.operation.label
            failure.case_id = case.id
            raise

    adapter.__name__ = func.__name__
    adapter.__qualname__ = func.__qualname__
    adapter.__module__ = func.__module__
    adapter.__doc__ = func.__doc__
    return adapter


def response_check(api: str) -> Callable[[CoreCheck], CoreCheck]:
    """Register a property of one API's responses, with schemathesis too (`@schemathesis.check`)."""

    def register(func: CoreCheck) -> CoreCheck:
        RESPONSE_CHECKS.setdefault(api, []).append(ResponseCheck(name=func.__name__, api=api, func=func))
        schemathesis.check(_engine_adapter(func))
        return func

    return register
