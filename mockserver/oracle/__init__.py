"""Oracle Health Patient Messages, the sandbox's unit: operationId -> handler, and its edge middleware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patientmsg.mockserver.oracle.edge import OracleEdge
from patientmsg.mockserver.oracle.items import list_inbox_items

__all__ = ["HANDLERS", "OracleEdge"]

HANDLERS: dict[str, Callable[..., Any]] = {"listInboxItems": list_inbox_items}
