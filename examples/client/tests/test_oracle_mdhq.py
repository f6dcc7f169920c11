from __future__ import annotations

import pytest
from patient_clients import ApiFailure, MdhqClient, OracleClient
from patientmsg.testing import PatientmsgSandbox


def test_oracle_items_belong_to_the_patient_asked(
    oracle: OracleClient, patientmsg_sandbox: PatientmsgSandbox
) -> None:
    patient = patientmsg_sandbox.ids("oracle")["small_patientId"]
    page = oracle.inbox_items(patient)
    assert page["items"], "the small mailbox has items"
    assert {item["patient"]["id"] for item in page["items"]} == {patient}


def test_mdhq_deleted_request_leaves_the_queue(
    mdhq: MdhqClient, patientmsg_sandbox: PatientmsgSandbox
) -> None:
    ids = patientmsg_sandbox.ids("mdhq")
    mdhq.delete(ids["pt_id"], ids["queue_request_id"])
    assert ids["queue_request_id"] not in [item["id"] for item in mdhq.enqueued(ids["pt_id"])]
    with pytest.raises(ApiFailure) as second:
        mdhq.delete(ids["pt_id"], ids["queue_request_id"])
    assert second.value.status == 404
