"""The first Oracle probe: note the mailbox as it is before the run reads it (at_end.py compares)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from patientmsg.conformance.oracle.probes.queries import ALL_TYPES, mailbox, patient_key
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe

__all__ = ["FIRST_LOOK", "Look", "look"]

FIRST_LOOK = "oracle_first_look"


@dataclass(frozen=True)
class Look:
    # Requests the run had sent when the look was taken.
    at: int
    # id -> (status, notificationVersion, recipientNotificationVersion)
    items: dict[str, tuple[Any, Any, Any]]


def look(ctx: ProbeContext) -> Look:
    """The small mailbox's items since the epoch, in every status and type."""
    page = mailbox(ctx, patient_key(ctx, "small_patientId"), types=list(ALL_TYPES))
    ctx.checked(page.exchange)
    items = {
        ident: (
            (item.get("notificationStatus") or {}).get("value"),
            item.get("notificationVersion"),
            item.get("recipientNotificationVersion"),
        )
        for ident, item in zip(page.ids, page.items, strict=True)
    }
    return Look(at=ctx.sent, items=items)


@probe("oracle")
def oracle_statuses_noted_at_start(ctx: ProbeContext) -> None:
    """Reads the mailbox once; the run's last probe must find it as it was."""
    ctx.memo(FIRST_LOOK, lambda: look(ctx))
