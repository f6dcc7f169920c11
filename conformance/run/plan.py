"""Which known-good ids generated cases use, per API and per operation."""

from __future__ import annotations

import base64
from typing import Any

from patientmsg.conformance.setup.identity import Identity
from patientmsg.conformance.setup.kit_config import KitConfig
from patientmsg.specs import load_spec, operations

__all__ = ["engine_operations", "engine_parameters"]

ATHENA_LISTS = ("listInboxMessages", "listArchivedMessages", "listSentMessages")


def engine_parameters(config: KitConfig) -> dict[str, Any]:
    """Path and query values fixed for every generated case, so responses carry real data to check.

    A fixed value is never mutated into a negative one; the probes send bad ids on purpose instead.
    """
    ids = config.primary.ids
    if config.api == "athena":
        return {
            "path.practiceid": ids["practiceid"],
            "path.patientid": ids["patientid"],
            "path.messagethreadid": ids["messagethreadid"],
        }
    if config.api == "oracle":
        # The small mailbox: each generated request then validates tens of items, not a thousand.
        return {"query.patientId": str(ids.get("small_patientId", ids["patientId"]))}
    if config.api == "portal":
        return _portal_parameters(ids)
    parameters: dict[str, Any] = {"path.pt_id": ids["pt_id"]}
    if "queue_request_id" in ids:
        parameters["path.queue_request_id"] = ids["queue_request_id"]
    return parameters


# Path parameter -> the configured id generated portal cases use. The administrator's writes go to a
# second patient and the staff user without the messaging right, so they never lock out the run's callers.
_PORTAL_PATH_IDS = {
    "conversationId": "awaiting_conversationId",
    "messageId": "awaiting_messageId",
    "providerId": "provider_openId",
    "patientId": "second_patientId",
    "staffUserId": "no_messaging_staffId",
    "taskId": "taskId",
}
# Generated cases never change these: rights, access and message settings shape every probe's world
# (a generated limit on provider_open would turn the probes' messages into 429s).
PORTAL_SETTINGS_WRITES = (
    "updateStaffUserRights",
    "invitePatientToPortal",
    "removePortalAccess",
    "updatePracticeMessageSettings",
    "updateProviderMessageSettings",
)


def _portal_parameters(ids: dict[str, int | str]) -> dict[str, Any]:
    return {f"path.{name}": ids[key] for name, key in _PORTAL_PATH_IDS.items() if key in ids}


def _portal_operations(primary: Identity) -> dict[str, dict[str, Any]]:
    """Each portal operation with the token of its kind of caller (the spec's security per operation)."""
    roles = {"patientBearer": "patient", "staffBearer": "view_others_staff", "adminBearer": "admin"}
    found: dict[str, dict[str, Any]] = {}
    for _, _, operation in operations(load_spec("portal")):
        schemes = [name for requirement in operation.get("security") or [] for name in requirement]
        role = next((roles[name] for name in schemes if name in roles), None)
        if role == "view_others_staff" and not primary.has_role(role):
            role = "staff"
        if operation["operationId"] in PORTAL_SETTINGS_WRITES:
            found[operation["operationId"]] = {"enabled": False}
        elif role is not None and role != "patient":
            found[operation["operationId"]] = {"headers": {"Authorization": primary.role_authorization(role)}}
    return found


def engine_operations(
    config: KitConfig, primary: Identity, *, allow_writes: bool
) -> dict[str, dict[str, Any]]:
    """Per-operation overrides: list calls on the small mailbox, lab-result calls on a lab result."""
    if config.api == "portal":
        return _portal_operations(primary)
    if config.api != "athena":
        return {}
    ids = config.primary.ids
    operations: dict[str, dict[str, Any]] = {}
    if "small_patientid" in ids:
        for operation_id in ATHENA_LISTS:
            operations[operation_id] = {"parameters": {"path.patientid": ids["small_patientid"]}}
    if "labresult_messagethreadid" in ids:
        operations["markLabResultRead"] = {
            "parameters": {"path.messagethreadid": ids["labresult_messagethreadid"]}
        }
    if allow_writes and primary.auth.kind == "oauth2":
        pair = f"{primary.auth.get('client_id')}:{primary.auth.get('client_secret')}"
        operations["createAccessToken"] = {
            "headers": {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        }
    return operations
