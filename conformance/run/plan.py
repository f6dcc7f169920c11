"""Which known-good ids generated cases use, per API and per operation."""

from __future__ import annotations

import base64
from typing import Any

from patientmsg.conformance.setup.identity import Identity
from patientmsg.conformance.setup.kit_config import KitConfig

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
    parameters: dict[str, Any] = {"path.pt_id": ids["pt_id"]}
    if "queue_request_id" in ids:
        parameters["path.queue_request_id"] = ids["queue_request_id"]
    return parameters


def engine_operations(
    config: KitConfig, primary: Identity, *, allow_writes: bool
) -> dict[str, dict[str, Any]]:
    """Per-operation overrides: list calls on the small mailbox, lab-result calls on a lab result."""
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
