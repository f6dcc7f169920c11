"""CORS: pages from the developer's own machine may call the sandbox; other origins only when allowed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from patientmsg.fixtures import Clock
from patientmsg.mockserver import create_app
from sandbox_helpers import NOW, SEED, copy_store
from starlette.testclient import TestClient

LOOPBACK = [
    "http://localhost:3000",
    "http://127.0.0.1:8080",
    "http://[::1]:5173",
    "http://localhost",
    "https://localhost:8443",
]
FOREIGN = ["http://evil.example", "http://localhost.evil.example", "http://127.0.0.1.evil.example", "null"]


def _preflight(client: TestClient, origin: str) -> tuple[int, str | None, str]:
    response = client.options("/health", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    return response.status_code, response.headers.get("access-control-allow-origin"), response.text


@pytest.fixture
def open_client(template: sqlite3.Connection) -> Iterator[TestClient]:
    conn = copy_store(template)
    app = create_app(conn, Clock(NOW), seed=SEED, cors_origins=["https://app.example"])
    with TestClient(app) as client:
        yield client
    conn.close()


@pytest.mark.parametrize("origin", LOOPBACK)
def test_a_loopback_origin_is_allowed_by_default(shared_client: TestClient, origin: str) -> None:
    assert _preflight(shared_client, origin)[:2] == (200, origin)
    assert (
        shared_client.get("/health", headers={"Origin": origin}).headers["access-control-allow-origin"]
        == origin
    )


@pytest.mark.parametrize("origin", FOREIGN)
def test_another_origin_is_refused_by_default_in_json(shared_client: TestClient, origin: str) -> None:
    status, allowed, text = _preflight(shared_client, origin)
    assert status == 400 and allowed is None
    assert "Disallowed CORS origin" in text and text.startswith("{")
    assert (
        "access-control-allow-origin" not in shared_client.get("/health", headers={"Origin": origin}).headers
    )


def test_cors_origin_adds_an_origin(open_client: TestClient) -> None:
    assert _preflight(open_client, "https://app.example")[:2] == (200, "https://app.example")
    assert _preflight(open_client, "http://localhost:3000")[:2] == (200, "http://localhost:3000")
    assert _preflight(open_client, "http://evil.example")[0] == 400


def test_cors_origin_star_allows_any(template: sqlite3.Connection) -> None:
    conn = copy_store(template)
    try:
        with TestClient(create_app(conn, Clock(NOW), seed=SEED, cors_origins=["*"])) as client:
            assert _preflight(client, "http://evil.example")[:2] == (200, "*")
    finally:
        conn.close()
