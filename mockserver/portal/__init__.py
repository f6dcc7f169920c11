"""patientmsg's portal reference API (seeds 002 and 004), the sandbox's unit: operationId -> handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patientmsg.mockserver.portal import admin, patient, staff
from patientmsg.mockserver.portal.access import create_token

__all__ = ["HANDLERS"]

HANDLERS: dict[str, Callable[..., Any]] = {
    "createToken": create_token,
    "listPatientConversations": patient.list_patient_conversations,
    "sendPatientMessage": patient.send_patient_message,
    "getPatientConversation": patient.get_patient_conversation,
    "archiveConversation": patient.archive_conversation,
    "reopenConversation": patient.reopen_conversation,
    "getPatientMessage": patient.get_patient_message,
    "cancelMessage": patient.cancel_message,
    "sendFollowUp": patient.send_follow_up,
    "replyToMessage": patient.reply_to_message,
    "listMessageProviders": patient.list_message_providers,
    "getMessageProvider": patient.get_message_provider,
    "listStaffMembers": patient.list_staff_members,
    "listResponseMethods": patient.list_response_methods,
    "listStaffConversations": staff.list_staff_conversations,
    "getStaffConversation": staff.get_staff_conversation,
    "markConversationRead": staff.mark_conversation_read,
    "markConversationUnread": staff.mark_conversation_unread,
    "copyConversation": staff.copy_conversation,
    "reassignConversation": staff.reassign_conversation,
    "sendStaffMessage": staff.send_staff_message,
    "listInternalNotes": staff.list_internal_notes,
    "addInternalNote": staff.add_internal_note,
    "createTask": staff.create_task,
    "getTask": staff.get_task,
    "listPatientConversationsForStaff": staff.list_patient_conversations_for_staff,
    "startPatientConversation": staff.start_patient_conversation,
    "getPortalAccess": staff.get_portal_access,
    "listStaffUsers": admin.list_staff_users,
    "updateStaffUserRights": admin.update_staff_user_rights,
    "invitePatientToPortal": admin.invite_patient_to_portal,
    "removePortalAccess": admin.remove_portal_access,
    "getPracticeMessageSettings": admin.get_practice_message_settings,
    "updatePracticeMessageSettings": admin.update_practice_message_settings,
    "getProviderMessageSettings": admin.get_provider_message_settings,
    "updateProviderMessageSettings": admin.update_provider_message_settings,
    "listOutbox": admin.list_outbox,
}
