"""athenahealth Secure Messages, the sandbox's unit: operationId -> handler (handlers in this package)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patientmsg.mockserver.athena.lists import list_archived_messages, list_inbox_messages, list_sent_messages
from patientmsg.mockserver.athena.mapping import get_departments_mapping
from patientmsg.mockserver.athena.oauth import create_access_token
from patientmsg.mockserver.athena.threads import (
    can_patient_reply,
    get_message_thread,
    mark_lab_result_read,
    reply_to_message_thread,
)

__all__ = ["HANDLERS"]

HANDLERS: dict[str, Callable[..., Any]] = {
    "createAccessToken": create_access_token,
    "getMessageThread": get_message_thread,
    "canPatientReplyToMessage": can_patient_reply,
    "replyToMessageThread": reply_to_message_thread,
    "listArchivedMessages": list_archived_messages,
    "listInboxMessages": list_inbox_messages,
    "listSentMessages": list_sent_messages,
    "getDepartmentsMapping": get_departments_mapping,
    "markLabResultRead": mark_lab_result_read,
}
