"""Error handling, driven by the sandbox's fault rules: the client's retry policy on a 429."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from patient_clients import ApiFailure, AthenaClient, MdhqClient, OracleClient
from patientmsg.testing import PatientmsgSandbox

CALLS: dict[str, tuple[str, Callable[[Any, dict[str, Any]], object]]] = {
    "athena": ("getMessageThread", lambda c, ids: c.thread(ids["patientid"], ids["messagethreadid"])),
    "oracle": ("listInboxItems", lambda c, ids: c.inbox_items(ids["small_patientId"])),
    "mdhq": ("listEnqueuedPortalRequests", lambda c, ids: c.enqueued(ids["pt_id"])),
}


@pytest.fixture
def clients(athena: AthenaClient, oracle: OracleClient, mdhq: MdhqClient) -> dict[str, Any]:
    return {"athena": athena, "oracle": oracle, "mdhq": mdhq}


@pytest.mark.parametrize("api", sorted(CALLS))
def test_one_429_is_retried_after_its_retry_after(
    api: str, clients: dict[str, Any], waits: list[float], patientmsg_sandbox: PatientmsgSandbox
) -> None:
    operation, call = CALLS[api]
    patientmsg_sandbox.fault("rate_limit", api=api, operation_id=operation, times=1, retry_after=7)
    call(clients[api], patientmsg_sandbox.ids(api))
    statuses = [entry["status"] for entry in patientmsg_sandbox.journal(api=api, operation_id=operation)]
    assert (statuses, waits) == ([429, 200], [7.0])


@pytest.mark.parametrize("api", sorted(CALLS))
def test_a_lasting_429_ends_in_the_vendors_error(
    api: str, clients: dict[str, Any], waits: list[float], patientmsg_sandbox: PatientmsgSandbox
) -> None:
    operation, call = CALLS[api]
    patientmsg_sandbox.fault("rate_limit", api=api, operation_id=operation, retry_after=2)
    with pytest.raises(ApiFailure) as failure:
        call(clients[api], patientmsg_sandbox.ids(api))
    assert failure.value.status == 429
    assert waits == [2.0, 2.0, 2.0], "three retries, then the client gives up"
    assert "Too many requests" in str(failure.value.body)


def test_a_503_is_retried_too(
    athena: AthenaClient, waits: list[float], patientmsg_sandbox: PatientmsgSandbox
) -> None:
    patientmsg_sandbox.fault("status", api="athena", operation_id="getMessageThread", status=503, times=2)
    ids = patientmsg_sandbox.ids("athena")
    assert (
        athena.thread(ids["patientid"], ids["messagethreadid"])["messagethreadid"] == ids["messagethreadid"]
    )
    assert len(waits) == 2
