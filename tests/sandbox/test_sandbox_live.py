"""The real server: `patientmsg serve` under uvicorn on a port it binds itself (bounded in time)."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from typing import Any

import httpx
from live_server import serving
from patientmsg.fixtures import sandbox_config
from sandbox_helpers import NOW_TEXT, SEED


def test_serve_answers_and_prints_the_credentials(tmp_path: Path) -> None:
    config: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]
    basic = config["mdhq"]["auth"]["basic"]
    with serving(tmp_path, "--now", NOW_TEXT) as (base, out, _):
        patient = config["mdhq"]["ids"]["pt_id"]
        auth = (basic["username"], basic["password"])
        listing = httpx.get(f"{base}/mdhq/api/v1/patients/{patient}/portal/enqueued", auth=auth, timeout=30)
        assert listing.status_code == 200 and listing.json()["total"] > 0
        assert httpx.get(f"{base}/athena/ui/", timeout=30).status_code == 200
    banner = out.read_text()
    oauth = config["athena"]["auth"]["oauth2"]
    for expected in (
        oauth["client_id"], oauth["client_secret"], config["oracle"]["auth"]["bearer_token"],
        basic["username"], basic["password"], f"{base}/athena/ui/", f"{base}/oracle/ui/", f"{base}/mdhq/ui/",
        f"{base}/athena/oauth2/v1/token",
    ):  # fmt: skip
        assert expected in banner


def test_an_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    config: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]
    store = tmp_path / "world.sqlite"
    athena = config["athena"]
    with serving(tmp_path, "--store", str(store)) as (base, _, process):
        oauth = athena["auth"]["oauth2"]
        grant = {"grant_type": "client_credentials"}
        issued = httpx.post(
            f"{base}/athena/oauth2/v1/token",
            data=grant,
            auth=(oauth["client_id"], oauth["client_secret"]),
            timeout=30,
        )
        token = issued.json()["access_token"]
        ids = athena["ids"]
        patient = f"/athena/v1/{ids['practiceid']}/patients/{ids['patientid']}"
        path = f"{patient}/securemessage/{ids['messagethreadid']}/reply"
        reply = httpx.post(
            f"{base}{path}",
            data={"text": "durable?"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert reply.status_code == 200
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    conn = sqlite3.connect(store)
    try:
        row = conn.execute(
            "SELECT text_html FROM athena_message WHERE messageid = ?",
            (reply.json()["message"]["messageid"],),
        ).fetchone()
    finally:
        conn.close()
    assert row == ("durable?",)
