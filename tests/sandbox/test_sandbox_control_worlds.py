"""Named worlds (`Patientmsg-Sandbox: <name>[;seed=N]`): isolated copies, bounded, per-world control."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from control_helpers import athena_path, athena_token, control_error, local_client, ok
from patientmsg.fixtures import Clock, open_store
from patientmsg.mockserver import ServeSettings, create_app
from sandbox_helpers import NOW, SEED, vendor_error
from starlette.testclient import TestClient


@pytest.fixture
def local(template: sqlite3.Connection) -> Iterator[TestClient]:
    with local_client(template) as client:
        yield client


def _texts(client: TestClient, config: dict[str, Any], world: str | None) -> list[str]:
    token = athena_token(client, config, world)
    headers = {"Authorization": f"Bearer {token}", **({"Patientmsg-Sandbox": world} if world else {})}
    threadid = config["athena"]["ids"]["messagethreadid"]
    body = ok(client.get(athena_path(config, f"/{threadid}"), headers=headers))
    return [m["text"] for m in body["messagelist"]]


def _reply(client: TestClient, config: dict[str, Any], world: str | None, text: str) -> None:
    token = athena_token(client, config, world)
    headers = {"Authorization": f"Bearer {token}", **({"Patientmsg-Sandbox": world} if world else {})}
    threadid = config["athena"]["ids"]["messagethreadid"]
    ok(client.post(athena_path(config, f"/{threadid}/reply"), data={"text": text}, headers=headers))


def test_a_named_world_starts_as_the_default_and_keeps_its_writes_to_itself(
    local: TestClient, config: dict[str, Any]
) -> None:
    start = _texts(local, config, None)
    assert _texts(local, config, "job-a") == start
    _reply(local, config, "job-a", "only in job-a")
    _reply(local, config, None, "only in default")
    assert _texts(local, config, "job-a") == [*start, "only in job-a"]
    assert _texts(local, config, None) == [*start, "only in default"]
    assert _texts(local, config, "job-b") == start


def test_a_token_belongs_to_its_world(local: TestClient, config: dict[str, Any]) -> None:
    token = athena_token(local, config, "job-a")
    path = athena_path(config, "/inboxmessages?limit=1")
    assert (
        local.get(
            path, headers={"Authorization": f"Bearer {token}", "Patientmsg-Sandbox": "job-a"}
        ).status_code
        == 200
    )
    other = local.get(path, headers={"Authorization": f"Bearer {token}", "Patientmsg-Sandbox": "job-b"})
    vendor_error("athena", other, 401)


def test_a_seeded_world_has_other_content_and_the_same_ids(local: TestClient, config: dict[str, Any]) -> None:
    assert _texts(local, config, "seeded;seed=9") != _texts(local, config, None)
    assert ok(local.get("/_sandbox/world", headers={"Patientmsg-Sandbox": "seeded"}))["seed"] == 9
    message = control_error(
        local.get("/_sandbox/world", headers={"Patientmsg-Sandbox": "seeded;seed=10"}), 400
    )
    assert "seed 9" in message


def test_control_operations_act_on_the_named_world(local: TestClient, config: dict[str, Any]) -> None:
    world = {"Patientmsg-Sandbox": "job-a"}
    ok(local.post("/_sandbox/faults", json={"effect": {"type": "status", "status": 503}}, headers=world), 201)
    token = athena_token(local, config)  # default world: no fault
    path = athena_path(config, "/inboxmessages?limit=1")
    assert local.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    vendor_error("athena", local.get(path, headers=world), 503)
    assert ok(local.get("/_sandbox/faults"))["faults"] == []
    assert [e["status"] for e in ok(local.get("/_sandbox/requests", headers=world))["entries"]] == [503]
    ok(local.post("/_sandbox/clock", json={"advance_seconds": 3600}, headers=world))
    assert ok(local.get("/_sandbox/clock", headers=world))["now"] == "2026-11-21T10:00:00Z"
    assert ok(local.get("/_sandbox/clock"))["now"] == "2026-11-21T09:00:00Z"


def test_reset_of_a_named_world_leaves_the_others(local: TestClient, config: dict[str, Any]) -> None:
    start = _texts(local, config, None)
    _reply(local, config, "job-a", "a")
    _reply(local, config, None, "default")
    assert ok(local.post("/_sandbox/reset", headers={"Patientmsg-Sandbox": "job-a"}))["world"] == "job-a"
    assert _texts(local, config, "job-a") == start
    assert _texts(local, config, None) == [*start, "default"]


def test_a_malformed_world_header_is_a_400_in_the_vendors_body(local: TestClient) -> None:
    response = local.get(
        "/20241001/patientMessages/inboxItems", headers={"Patientmsg-Sandbox": "no spaces;seed=x"}
    )
    body = vendor_error("oracle", response, 400)
    assert "Patientmsg-Sandbox" in body["message"]


def test_when_no_world_is_idle_a_new_name_is_refused_in_one_line(template: sqlite3.Connection) -> None:
    with local_client(template, max_worlds=2, world_idle_seconds=3600) as client:
        for name in ("one", "two"):
            assert client.get("/v1/x", headers={"Patientmsg-Sandbox": name}).status_code == 404
        response = client.get("/api/v1/patients/1/portal/enqueued", headers={"Patientmsg-Sandbox": "three"})
        body = vendor_error("mdhq", response, 429)
        assert "\n" not in body["message"] and "--max-worlds" in body["message"]
        assert 1 <= int(response.headers["Retry-After"]) <= 3600
        control_error(client.get("/_sandbox/world", headers={"Patientmsg-Sandbox": "three"}), 429)
        assert ok(client.delete("/_sandbox/world", headers={"Patientmsg-Sandbox": "one"})) == {"cleared": 1}
        assert ok(client.get("/_sandbox/world", headers={"Patientmsg-Sandbox": "three"}))["world"] == "three"


def test_an_idle_world_makes_room_for_a_new_name(
    template: sqlite3.Connection, config: dict[str, Any]
) -> None:
    with local_client(template, max_worlds=1, world_idle_seconds=0) as client:
        _reply(client, config, "old", "written in old")
        assert ok(client.get("/_sandbox/world", headers={"Patientmsg-Sandbox": "new"}))["world"] == "new"
        assert "written in old" not in _texts(client, config, "old")  # dropped, then made afresh


def test_with_a_store_a_named_world_copies_the_store_at_first_use(
    tmp_path: Path, config: dict[str, Any]
) -> None:
    path = tmp_path / "world.sqlite"
    conn = open_store("default", seed=SEED, now=NOW, path=path)
    app = create_app(conn, Clock(NOW), seed=SEED, settings=ServeSettings(store_backed=True))
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            _reply(client, config, None, "in the store before the world")
            assert _texts(client, config, "late")[-1] == "in the store before the world"
            _reply(client, config, "late", "only in the copy")
            assert "only in the copy" not in _texts(client, config, None)
            ok(client.post("/_sandbox/reset"))  # the store itself back to the scenario's start
            assert "in the store before the world" not in _texts(client, config, None)
    finally:
        conn.close()
    reopened = sqlite3.connect(path)
    try:
        texts = [row[0] for row in reopened.execute("SELECT text_html FROM athena_message")]
    finally:
        reopened.close()
    assert "in the store before the world" not in texts, "reset rewrote the store file"
