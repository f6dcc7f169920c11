"""Helpers for the control API tests: an app that believes it is bound to 127.0.0.1:8000, and calls."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from patientmsg.fixtures import Clock
from patientmsg.mockserver import ServeSettings, create_app
from sandbox_helpers import NOW, SEED, copy_store
from starlette.testclient import TestClient

LOCAL = "http://127.0.0.1:8000"


@contextmanager
def local_client(template: sqlite3.Connection, **settings: Any) -> Iterator[TestClient]:
    """A fresh world, an app with `settings` (bound to 127.0.0.1:8000), and a client with that Host."""
    conn = copy_store(template)
    app = create_app(conn, Clock(NOW), seed=SEED, settings=ServeSettings(**settings))
    try:
        with TestClient(app, base_url=LOCAL) as client:
            yield client
    finally:
        conn.close()


def athena_token(
    client: TestClient, config: dict[str, Any], world: str | None = None, prefix: str = ""
) -> str:
    oauth = config["athena"]["auth"]["oauth2"]
    headers = {"Patientmsg-Sandbox": world} if world else {}
    response = client.post(
        f"{prefix}/oauth2/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(oauth["client_id"], oauth["client_secret"]),
        headers=headers,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def athena_path(config: dict[str, Any], rest: str = "") -> str:
    ids = config["athena"]["ids"]
    return f"/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage{rest}"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"Received: {response.status_code} {response.text} / Documented: {status}"
    )
    return response.json()


def control_error(response: httpx.Response, status: int) -> str:
    """Assert a control API refusal: `status`, {"error", "message"}, no traceback; return the message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message"} and body["message"], body
    assert "Traceback" not in response.text
    message: str = body["message"]
    return message


READY_WITHIN = 60.0  # seconds to give up waiting for a live server (a bound, not an assertion)


@contextmanager
def live_server(tmp_path: Path, *args: str) -> Iterator[tuple[str, Path]]:
    """`patientmsg serve` on a free 127.0.0.1 port; yields (base URL, its output file)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / f"serve-{port}.out"
    command = [sys.executable, "-m", "patientmsg", "serve", "--port", str(port), "--seed", str(SEED), *args]
    with out.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while time.monotonic() - started < READY_WITHIN and process.poll() is None:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise AssertionError(f"the server did not answer: {out.read_text()}")
        yield base, out
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
