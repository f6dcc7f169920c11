"""The sandbox's registry: API name -> its unit (handlers by operationId, mount prefix, edge middleware).

Adding an API: a new `mockserver/<api>/` package exporting HANDLERS, and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from patientmsg.mockserver import athena, mdhq, oracle, portal
from patientmsg.mockserver.mounts import MOUNTS

__all__ = ["UNITS", "ApiUnit"]


@dataclass(frozen=True)
class ApiUnit:
    handlers: Mapping[str, Callable[..., Any]]  # operationId -> handler(sandbox, **params)
    prefix: str  # where the API is mounted
    # ASGI middleware class taking (app, sandbox=...), wrapped outside Connexion's error handling.
    edge: Callable[..., Any] | None = None


UNITS: dict[str, ApiUnit] = {
    "athena": ApiUnit(athena.HANDLERS, MOUNTS["athena"]),
    "oracle": ApiUnit(oracle.HANDLERS, MOUNTS["oracle"], edge=oracle.OracleEdge),
    "mdhq": ApiUnit(mdhq.HANDLERS, MOUNTS["mdhq"]),
    "portal": ApiUnit(portal.HANDLERS, MOUNTS["portal"]),
}
