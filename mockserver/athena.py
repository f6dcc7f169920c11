"""athenahealth Secure Messages: operationId -> handler (the handlers live in athena_*.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patientmsg.mockserver.athena_lists import list_archived_messages, list_inbox_messages, list_sent_messages
from patientmsg.mockserver.athena_mapping import get_departments_mapping
from patientmsg.mockserver.athena_threads import (
    can_patient_reply,
    get_message_thread,
    mark_lab_result_read,
    reply_to_message_thread,
)
from patientmsg.mockserver.athena_token import create_access_token

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
