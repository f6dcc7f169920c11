"""The last step of a request: calling the handler, planned once per operation at start-up.

Connexion's AsyncOperation builds its decorator chain again on every request (a new decorator,
`inspect.signature` of the handler, the spec's parameters read again into a new request object),
about a third of a read's time in the profile (README, Performance). For an operation whose
handler takes only path parameters (every read), the call is planned here instead: the handler
gets the values the validator already checked and typed (validation.py), by the same names, and
returns a ready Starlette response. Everything before it (routing, faults, security, validation)
is Connexion's and ours as before. Operations with a body or a security context (writes, tokens)
keep Connexion's own operation, and so does any request the plan cannot serve as Connexion would.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.operations import AbstractOperation
from patientmsg.mockserver.inputs import PARAMS_KEY
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["PlannedApi", "PlannedOperation"]


class PlannedOperation:
    """Calls `fn(**path parameters)` with the validator's typed values; else Connexion's operation."""

    def __init__(self, fn: Callable[..., Any], names: tuple[str, ...], fallback: AsyncOperation) -> None:
        self.fn = fn
        self.names = names
        self.fallback = fallback
        self.operation_id = fallback.operation_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        typed: dict[str, Any] | None = scope.get(PARAMS_KEY)
        if typed is None or not all(name in typed for name in self.names):
            return await self.fallback(scope, receive, send)
        response = await self.fn(**{name: typed[name] for name in self.names})
        if not isinstance(response, Response):  # a handler's contract broken: Connexion's path renders it
            return await self.fallback(scope, receive, send)
        return await response(scope, receive, send)


def _plannable(operation: AbstractOperation) -> tuple[str, ...] | None:
    """The handler's argument names when each is a path parameter of the same name, else None."""
    fn = operation.function
    if not inspect.iscoroutinefunction(getattr(fn, "func", fn)):
        return None
    if operation.request_body:
        return None
    path_names = {p["name"] for p in operation.parameters if p.get("in") == "path"}
    arguments = []
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            return None
        if parameter.name not in path_names:
            return None
        arguments.append(parameter.name)
    return tuple(arguments)


class PlannedApi(AsyncApi):  # type: ignore[misc]
    """Connexion's AsyncApi with planned operations where the plan applies."""

    def make_operation(self, operation: AbstractOperation) -> Any:
        fallback = super().make_operation(operation)
        names = _plannable(operation)
        if names is None:
            return fallback
        return PlannedOperation(operation.function, names, fallback)
