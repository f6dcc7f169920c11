"""Fixtures for the sandbox tests: a fresh default world per test, an app over it, authenticated calls.

The world is built once per session and copied per test (SQLite backup), so every test starts from
the same bytes and may write freely. Ids and credentials come from `sandbox_config`, never literals.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from patientmsg.fixtures import Clock, open_store, sandbox_config
from patientmsg.mockserver import create_app
from portal_helpers import Portal
from sandbox_helpers import APIS, NOW, SEED, Api, copy_store, make_api
from starlette.testclient import TestClient


def pytest_configure(config: pytest.Config) -> None:
    # Connexion 3.3 imports starlette.testclient, which warns (a UserWarning) that it runs on httpx
    # rather than httpx2. Third-party noise, filtered by its message for this folder only.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`:UserWarning")


@pytest.fixture(scope="session")
def template() -> Iterator[sqlite3.Connection]:
    conn = open_store("default", seed=SEED, now=NOW)
    yield conn
    conn.close()


@pytest.fixture
def store(template: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn = copy_store(template)
    yield conn
    conn.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(store: sqlite3.Connection, clock: Clock) -> Any:
    return create_app(store, clock, seed=SEED)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def config() -> dict[str, Any]:
    """The `apis` part of `patientmsg fixtures show --json` for the default world."""
    apis: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]
    return apis


@pytest.fixture
def athena(client: TestClient, config: dict[str, Any]) -> Api:
    return make_api("athena", client, config)


@pytest.fixture
def oracle(client: TestClient, config: dict[str, Any]) -> Api:
    return make_api("oracle", client, config)


@pytest.fixture
def mdhq(client: TestClient, config: dict[str, Any]) -> Api:
    return make_api("mdhq", client, config)


@pytest.fixture(scope="module")
def shared_client(template: sqlite3.Connection) -> Iterator[TestClient]:
    """One app per module for tests that only read (the `*_ro` fixtures): building an app costs ~0.2 s."""
    conn = copy_store(template)
    with TestClient(create_app(conn, Clock(NOW), seed=SEED)) as test_client:
        yield test_client
    conn.close()


@pytest.fixture(scope="module")
def athena_ro(shared_client: TestClient, config: dict[str, Any]) -> Api:
    return make_api("athena", shared_client, config)


@pytest.fixture(scope="module")
def oracle_ro(shared_client: TestClient, config: dict[str, Any]) -> Api:
    return make_api("oracle", shared_client, config)


@pytest.fixture(scope="module", params=APIS)
def api_ro(request: pytest.FixtureRequest, shared_client: TestClient, config: dict[str, Any]) -> Api:
    """Each API in turn over the module's shared app: for read-only tests."""
    return make_api(request.param, shared_client, config)


@pytest.fixture(params=APIS)
def api(request: pytest.FixtureRequest, client: TestClient, config: dict[str, Any]) -> Api:
    """Each API in turn, for properties every API must have."""
    return make_api(request.param, client, config)


@pytest.fixture
def portal(client: TestClient, config: dict[str, Any]) -> Portal:
    """The portal API over a fresh world, called by the documented logins."""
    return Portal(client, config["portal"]["auth"]["logins"], config["portal"]["ids"])


@pytest.fixture(scope="module")
def portal_ro(shared_client: TestClient, config: dict[str, Any]) -> Portal:
    """The portal over the module's shared app: for tests that only read."""
    return Portal(shared_client, config["portal"]["auth"]["logins"], config["portal"]["ids"])
