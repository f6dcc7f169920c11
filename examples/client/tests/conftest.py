"""The clients, pointed at the sandbox's root as at a vendor's host, in this test's own world."""

from __future__ import annotations

from typing import Any

import pytest
from patient_clients import AthenaClient, Http, MdhqClient, OracleClient
from patientmsg.testing import PatientmsgSandbox


@pytest.fixture
def waits() -> list[float]:
    """The Retry-After waits a client took (recorded, not slept: the tests stay fast)."""
    return []


@pytest.fixture
def http(patientmsg_sandbox: PatientmsgSandbox, waits: list[float]) -> Http:
    # The only sandbox-specific line: the header that keeps this test's requests in its world.
    return Http(patientmsg_sandbox.headers, sleep=waits.append)


@pytest.fixture
def athena(patientmsg_sandbox: PatientmsgSandbox, http: Http) -> AthenaClient:
    oauth = patientmsg_sandbox.credentials("athena")["auth"]["oauth2"]
    practice = patientmsg_sandbox.ids("athena")["practiceid"]
    return AthenaClient(
        patientmsg_sandbox.root_url, oauth["client_id"], oauth["client_secret"], practice, http
    )


@pytest.fixture
def oracle(patientmsg_sandbox: PatientmsgSandbox, http: Http) -> OracleClient:
    return OracleClient(patientmsg_sandbox.root_url, patientmsg_sandbox.token("oracle"), http)


@pytest.fixture
def mdhq(patientmsg_sandbox: PatientmsgSandbox, http: Http) -> MdhqClient:
    basic = patientmsg_sandbox.credentials("mdhq")["auth"]["basic"]
    return MdhqClient(patientmsg_sandbox.root_url, basic["username"], basic["password"], http)


@pytest.fixture
def athena_ids(patientmsg_sandbox: PatientmsgSandbox) -> dict[str, Any]:
    return patientmsg_sandbox.ids("athena")
