"""The pytest plugin (entry point `pytest11`): `patientmsg_sandbox`, a world of its own per test.

Loaded by every pytest run in an environment with patientmsg installed, so it does nothing at all
until a test asks for the fixture: the sandbox starts on first use, once per session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from patientmsg.testing.client import PatientmsgSandbox, RunningSandbox, world_name

__all__ = ["patientmsg_sandbox", "patientmsg_server", "pytest_addoption"]


def _iso(text: str) -> str:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise pytest.UsageError(
            f"--patientmsg-now {text!r} is not an ISO 8601 time, e.g. 2026-11-21T09:00:00Z"
        ) from None
    return text


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("patientmsg", "patientmsg sandbox (the patientmsg_sandbox fixture)")
    group.addoption("--patientmsg-seed", type=int, default=1, help="The sandbox's seed (default 1).")
    group.addoption("--patientmsg-scenario", default="default", help="A bundled scenario or a YAML file.")
    group.addoption("--patientmsg-now", type=_iso, default=None, help="The sandbox clock (ISO 8601).")


@pytest.fixture(scope="session")
def patientmsg_server(request: pytest.FixtureRequest) -> Iterator[RunningSandbox]:
    """The session's sandbox process on 127.0.0.1 (started by the first test that needs it)."""
    server = RunningSandbox(
        seed=request.config.getoption("patientmsg_seed"),
        scenario=request.config.getoption("patientmsg_scenario"),
        now=request.config.getoption("patientmsg_now"),
    )
    with server:
        yield server


@pytest.fixture
def patientmsg_sandbox(
    patientmsg_server: RunningSandbox, request: pytest.FixtureRequest
) -> Iterator[PatientmsgSandbox]:
    """A world of this test's own on the session's sandbox; send `.headers` with each request."""
    world = patientmsg_server.world(world_name(request.node.nodeid))
    yield world
    world.drop()
