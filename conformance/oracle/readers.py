"""Readers of Oracle's bodies, shared by Oracle's checks and probes."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.run.exchange import Exchange

__all__ = [
    "oracle_items",
]


def oracle_items(ex: Exchange) -> list[dict[str, Any]] | None:
    """The item objects of a successful inboxItems response, else None."""
    body = ex.json()
    if ex.status != 200 or not ex.path.endswith("/patientMessages/inboxItems") or not isinstance(body, dict):
        return None
    items = body.get("items")
    if not isinstance(items, list):
        return None
    return [item for item in items if isinstance(item, dict)]
