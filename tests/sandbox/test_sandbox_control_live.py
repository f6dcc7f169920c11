"""The control API against a live `patientmsg serve` on 127.0.0.1 (bounded in count and time)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from control_helpers import live_server
from patientmsg.fixtures import sandbox_config
from sandbox_helpers import SEED

WORLDS = 8
REPLIES = 5


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    apis: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]
    return apis


def _athena(client: httpx.Client, config: dict[str, Any], world: str) -> tuple[dict[str, str], str]:
    oauth = config["athena"]["auth"]["oauth2"]
    token = client.post(
        "/oauth2/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(oauth["client_id"], oauth["client_secret"]),
        headers={"Patientmsg-Sandbox": world},
    )
    assert token.status_code == 200, token.text
    ids = config["athena"]["ids"]
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Patientmsg-Sandbox": world}
    return (
        headers,
        f"/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage/{ids['messagethreadid']}",
    )


def _job(base: str, config: dict[str, Any], world: str) -> list[str]:
    """One CI job: its own world, REPLIES writes, then what its thread holds."""
    with httpx.Client(base_url=base, timeout=30) as client:
        headers, thread = _athena(client, config, world)
        for n in range(REPLIES):
            reply = client.post(f"{thread}/reply", data={"text": f"{world} reply {n}"}, headers=headers)
            assert reply.status_code == 200, reply.text
        texts = [m["text"] for m in client.get(thread, headers=headers).json()["messagelist"]]
    return texts


def test_eight_named_worlds_at_once_see_only_their_own_writes(tmp_path: Path, config: dict[str, Any]) -> None:
    with live_server(tmp_path, "--no-access-log") as (base, _):
        names = [f"job-{n}" for n in range(WORLDS)]
        with ThreadPoolExecutor(max_workers=WORLDS) as pool:
            results = dict(zip(names, pool.map(lambda name: _job(base, config, name), names), strict=True))
        with httpx.Client(base_url=base, timeout=30) as client:
            headers, thread = _athena(client, config, "default")
            default_texts = [m["text"] for m in client.get(thread, headers=headers).json()["messagelist"]]
    for name, texts in results.items():
        written = [t for t in texts if " reply " in t]
        assert written == [f"{name} reply {n}" for n in range(REPLIES)], (
            f"Received: {written} / Documented: only {name}'s"
        )
        assert texts[:-REPLIES] == default_texts
    assert not any(" reply " in t for t in default_texts)


def test_a_drop_fault_closes_the_connection_without_an_answer(tmp_path: Path) -> None:
    with live_server(tmp_path, "--no-access-log") as (base, out):
        with httpx.Client(base_url=base, timeout=10) as client:
            rule = {"match": {"api": "mdhq"}, "effect": {"type": "drop"}, "times": 1}
            assert client.post("/_sandbox/faults", json=rule).status_code == 201
        with pytest.raises(httpx.RemoteProtocolError), httpx.Client(base_url=base, timeout=10) as client:
            client.get("/api/v1/patients/1/portal/enqueued")
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/api/v1/patients/1/portal/enqueued").status_code == 401  # answered again
            entry = client.get("/_sandbox/requests").json()["entries"][0]
        log = out.read_text()
    assert entry["status"] is None and entry["fault"] == "fault-1"
    assert "Traceback" not in log and "ConnectionDropped" not in log


def test_a_rebinding_host_is_refused_live(tmp_path: Path) -> None:
    with live_server(tmp_path, "--no-access-log") as (base, out):
        refused = httpx.get(f"{base}/_sandbox/world", headers={"Host": "rebind.attacker.example"}, timeout=10)
        assert refused.status_code == 403 and "DNS rebinding" in refused.json()["message"]
        assert httpx.get(f"{base}/_sandbox/world", timeout=10).json()["world"] == "default"
    assert "control: http://127.0.0.1:" in out.read_text()


def test_serve_on_a_non_loopback_address_without_a_control_token_refuses_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "patientmsg", "serve", "--host", "0.0.0.0", "--port", "9"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--control-token" in lines[0] and "--no-control" in lines[0], result.stderr
