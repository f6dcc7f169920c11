"""MD HQ (Cerbo) patient portal, the sandbox's unit: operationId -> handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patientmsg.mockserver.mdhq.queue import delete_enqueued, invite_patient, list_enqueued

__all__ = ["HANDLERS"]

HANDLERS: dict[str, Callable[..., Any]] = {
    "listEnqueuedPortalRequests": list_enqueued,
    "deleteEnqueuedPortalRequest": delete_enqueued,
    "invitePatientToPortal": invite_patient,
}
