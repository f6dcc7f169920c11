"""Same seed, scenario and clock: byte-identical responses for the same requests, world rebuilt."""

from __future__ import annotations

import sqlite3

import httpx
from patientmsg.fixtures import Clock, open_store, sandbox_config
from patientmsg.mockserver import create_app
from sandbox_helpers import NOW, SEED, make_api
from starlette.testclient import TestClient


def session(conn: sqlite3.Connection) -> list[httpx.Response]:
    """A client's session across the three APIs, writes included."""
    config = sandbox_config("default", seed=SEED)["apis"]
    with TestClient(create_app(conn, Clock(NOW), seed=SEED)) as client:
        athena, oracle, mdhq = (make_api(name, client, config) for name in ("athena", "oracle", "mdhq"))
        base = f"/v1/{athena.ids['practiceid']}/patients/{athena.ids['patientid']}/securemessage"
        return [
            athena.post(f"{base}/{athena.ids['messagethreadid']}/reply", data={"text": "On my way."}),
            athena.get(f"{base}/inboxmessages?limit=20&showplaintext=Y"),
            athena.get(f"{base}/sentmessages?limit=5"),
            athena.get(f"{base}/{athena.ids['messagethreadid']}"),
            oracle.get(f"/20241001/patientMessages/inboxItems?patientId={oracle.ids['patientId']}"),
            oracle.get(
                f"/20241001/patientMessages/inboxItems?patientId={oracle.ids['small_patientId']}&sortBy=priority"
            ),
            mdhq.delete(
                f"/api/v1/patients/{mdhq.ids['pt_id']}/portal/enqueued/{mdhq.ids['queue_request_id']}"
            ),
            mdhq.post(f"/api/v1/patients/{mdhq.ids['pt_id']}/portal/invite"),
            mdhq.get(f"/api/v1/patients/{mdhq.ids['pt_id']}/portal/enqueued"),
        ]


def test_same_inputs_give_the_same_bytes() -> None:
    first = session(open_store("default", seed=SEED, now=NOW))
    second = session(open_store("default", seed=SEED, now=NOW))
    assert [r.status_code for r in first] == [200] * len(first)
    for one, two in zip(first, second, strict=True):
        assert one.content == two.content
        assert one.headers.get("opc-request-id") == two.headers.get("opc-request-id")
