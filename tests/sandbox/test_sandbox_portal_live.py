"""The portal on a real server (127.0.0.1): an acknowledged portal write survives kill -9 with --store."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from typing import Any

import httpx
from patientmsg.fixtures import sandbox_config
from sandbox_helpers import SEED
from test_sandbox_live import serving


def test_an_acknowledged_portal_message_survives_kill_9(tmp_path: Path) -> None:
    portal: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]["portal"]
    store = tmp_path / "world.sqlite"
    with serving(tmp_path, "--store", str(store)) as (base, _, _, process):
        login = {"grant_type": "password", **portal["auth"]["logins"]["patient"]}
        token = httpx.post(f"{base}/portal/token", data=login, timeout=5).json()["access_token"]
        body = {"providerId": portal["ids"]["provider_openId"], "subject": "Durable?", "text": "durable?"}
        sent = httpx.post(
            f"{base}/portal/patient/conversations",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert sent.status_code == 201, sent.text
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    conn = sqlite3.connect(store)
    try:
        row = conn.execute(
            "SELECT c.subject, m.text FROM portal_conversation c"
            " JOIN portal_message m ON m.conversation_id = c.id"
            " WHERE c.id = ?",
            (sent.json()["id"],),
        ).fetchone()
        (tokens,) = conn.execute("SELECT COUNT(*) FROM portal_token WHERE token = ?", (token,)).fetchone()
    finally:
        conn.close()
    assert row == ("Durable?", "durable?") and tokens == 1
