"""The control API (/_sandbox/): reset, journal, clock, world, its guard, and its answers to bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import sqlite3
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from control_helpers import athena_path, athena_token, control_error, local_client, ok
from patientmsg.fixtures import counts, load_scenario, sandbox_config
from sandbox_helpers import NOW, NOW_TEXT, SEED
from starlette.testclient import TestClient


@pytest.fixture
def local(template: sqlite3.Connection) -> Iterator[TestClient]:
    with local_client(template) as client:
        yield client


def _thread(client: TestClient, config: dict[str, Any], token: str, **kw: Any) -> dict[str, Any]:
    threadid = config["athena"]["ids"]["messagethreadid"]
    body: dict[str, Any] = ok(
        client.get(athena_path(config, f"/{threadid}"), headers={"Authorization": f"Bearer {token}"}, **kw)
    )
    return body


def _reply(client: TestClient, config: dict[str, Any], token: str, text: str, **headers: str) -> Any:
    threadid = config["athena"]["ids"]["messagethreadid"]
    return ok(
        client.post(
            athena_path(config, f"/{threadid}/reply"),
            data={"text": text},
            headers={"Authorization": f"Bearer {token}", **headers},
        )
    )


# reset


def test_reset_restores_the_data_and_drops_issued_tokens(local: TestClient, config: dict[str, Any]) -> None:
    token = athena_token(local, config)
    before = _thread(local, config, token)
    _reply(local, config, token, "written before the reset")
    result = ok(local.post("/_sandbox/reset"))
    assert result == {"world": "default", "scenario": "default", "seed": SEED, "now": NOW_TEXT}
    refused = local.get(athena_path(config, "/inboxmessages"), headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401, "a token issued before the reset must be refused"
    assert _thread(local, config, athena_token(local, config)) == before


def test_reset_with_a_seed_changes_content_not_ids_and_keeps_journal_and_faults(
    local: TestClient, config: dict[str, Any]
) -> None:
    before = _thread(local, config, athena_token(local, config))
    ok(
        local.post(
            "/_sandbox/faults",
            json={"match": {"operationId": "listSentMessages"}, "effect": {"type": "drop"}},
        ),
        201,
    )
    journaled = len(ok(local.get("/_sandbox/requests"))["entries"])
    assert ok(local.post("/_sandbox/reset", json={"seed": 7}))["seed"] == 7
    after = _thread(local, config, athena_token(local, config))
    assert after["messagethreadid"] == before["messagethreadid"] and after != before
    assert len(ok(local.get("/_sandbox/faults"))["faults"]) == 1
    assert len(ok(local.get("/_sandbox/requests"))["entries"]) >= journaled
    assert ok(local.get("/_sandbox/world"))["seed"] == 7


def test_reset_with_now_rebuilds_the_world_anchored_there_and_sets_the_clock(local: TestClient) -> None:
    later = "2027-03-01T12:00:00Z"
    assert ok(local.post("/_sandbox/reset", json={"now": later}))["now"] == later
    assert ok(local.get("/_sandbox/clock"))["now"] == later
    assert ok(local.get("/health"))["now"] == later


# journal


def test_the_journal_records_each_vendor_exchange_with_its_operation(
    local: TestClient, config: dict[str, Any]
) -> None:
    token = athena_token(local, config)
    local.get(athena_path(config, "/inboxmessages?limit=2"), headers={"Authorization": f"Bearer {token}"})
    entries = ok(local.get("/_sandbox/requests"))["entries"]
    assert [e["operationId"] for e in entries] == ["createAccessToken", "listInboxMessages"]
    listing = entries[1]
    assert listing["method"] == "GET" and listing["api"] == "athena" and listing["status"] == 200
    assert listing["path"] == athena_path(config, "/inboxmessages") and listing["query"] == "limit=2"
    assert listing["time"] == NOW_TEXT and listing["latency_ms"] >= 0
    assert listing["response_body"].startswith('{"totalcount":')
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)


def test_the_journal_redacts_authorization_and_secrets(local: TestClient, config: dict[str, Any]) -> None:
    token = athena_token(local, config)
    secret = config["athena"]["auth"]["oauth2"]["client_secret"]
    local.post("/athena/oauth2/v1/token", data={"grant_type": "client_credentials", "client_secret": secret})
    text = local.get("/_sandbox/requests").text
    assert token not in text and secret not in text
    entries = ok(local.get("/_sandbox/requests"))["entries"]
    assert entries[0]["request_headers"]["authorization"] == "[redacted]"
    assert '"access_token":"[redacted]"' in entries[0]["response_body"]
    assert "client_secret=[redacted]" in entries[1]["request_body"]


def test_journaled_bodies_are_cut_to_a_size(local: TestClient, config: dict[str, Any]) -> None:
    from patientmsg.mockserver.journal import RESPONSE_BODY_LIMIT

    token = athena_token(local, config)
    page = local.get(
        athena_path(config, "/inboxmessages?limit=50"), headers={"Authorization": f"Bearer {token}"}
    )
    assert len(page.content) > RESPONSE_BODY_LIMIT
    entry = ok(local.get("/_sandbox/requests", params={"operationId": "listInboxMessages"}))["entries"][0]
    assert entry["truncated"] is True
    assert entry["response_body"] == page.content[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_body_sent_in_chunks_is_journaled_to_the_limit(template: sqlite3.Connection, method: str) -> None:
    """Through the edge: a read no rule touches (GET) and a request with a body (POST) are kept alike."""
    from patientmsg.fixtures import Clock
    from patientmsg.mockserver.journal import RESPONSE_BODY_LIMIT
    from patientmsg.mockserver.sandbox_edge import SandboxEdge
    from patientmsg.mockserver.state import Sandbox
    from patientmsg.mockserver.worlds import Worlds
    from sandbox_helpers import copy_store

    worlds = Worlds(
        Sandbox.load(copy_store(template), Clock(NOW), seed=SEED),
        scenario="default",
        start=NOW,
        store_backed=False,
        journal_size=2,
        max_worlds=1,
        idle_seconds=60,
    )
    delivered: list[dict[str, Any]] = []

    async def chunked(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for piece in (b"a" * 600, b"b" * 600, b"c" * 600):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def server_send(message: Any) -> None:
        delivered.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"text=hi", "more_body": False}

    scope = {
        "type": "http",
        "method": method,
        "path": "/athena/v1/x",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"content-length", b"7")],
    }
    asyncio.run(SandboxEdge(chunked, worlds=worlds, control=chunked)(scope, receive, server_send))
    (entry,) = worlds.default.journal.select()
    assert len(delivered) == 5  # every message reaches the server, unchanged
    assert entry["method"] == method and entry["status"] == 200 and entry["truncated"] is True
    assert entry["response_body"] == "a" * 600 + "b" * (RESPONSE_BODY_LIMIT - 600)
    assert entry["request_body"] == ("text=hi" if method == "POST" else "")


def test_a_journaled_request_is_freed_without_the_cycle_collector(template: sqlite3.Connection) -> None:
    """As under uvicorn: the app's send is a bound method of the request's cycle, which holds the scope.

    Nothing of a journaled request may still point back at that cycle once it is answered, or every
    request (and the page it sent) stays in memory until Python's cycle collector runs."""
    from patientmsg.fixtures import Clock
    from patientmsg.mockserver import create_app
    from sandbox_helpers import copy_store

    conn = copy_store(template)
    app = create_app(conn, Clock(NOW), seed=SEED)

    class Cycle:
        def __init__(self) -> None:
            self.statuses: list[int] = []
            self.scope: dict[str, Any] = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "GET",
                "scheme": "http",
                "path": "/v1/nothing",
                "raw_path": b"/v1/nothing",
                "query_string": b"",
                "root_path": "",
                "headers": [(b"host", b"127.0.0.1:8000")],
                "client": ("127.0.0.1", 5000),
                "server": ("127.0.0.1", 8000),
            }

        async def receive(self) -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(self, message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.statuses.append(message["status"])

    async def answered() -> tuple[weakref.ref[Cycle], list[int]]:
        cycle = Cycle()
        await app(cycle.scope, cycle.receive, cycle.send)
        return weakref.ref(cycle), cycle.statuses

    gc.collect()
    gc.disable()
    try:
        freed, statuses = asyncio.run(answered())
        alive = freed() is not None
    finally:
        gc.enable()
        conn.close()
    assert statuses == [404]
    assert not alive, (
        "Received: the request's cycle kept alive by a reference cycle / Documented: freed at once"
    )


def test_the_journal_is_a_ring_of_the_last_n(template: sqlite3.Connection) -> None:
    with local_client(template, journal_size=3) as client:
        for n in range(5):
            client.get(f"/v1/nothing-{n}")
        entries = ok(client.get("/_sandbox/requests"))["entries"]
    assert [e["path"] for e in entries] == ["/v1/nothing-2", "/v1/nothing-3", "/v1/nothing-4"]


def test_journal_filters_combine(local: TestClient, config: dict[str, Any]) -> None:
    token = athena_token(local, config)
    headers = {"Authorization": f"Bearer {token}"}
    local.get(athena_path(config, "/inboxmessages"), headers=headers)
    local.get(athena_path(config, "/inboxmessages"))  # 401
    local.get("/mdhq/api/v1/patients/1/portal/enqueued")  # 401
    local.post("/_sandbox/clock", json={"advance_seconds": 60})
    local.get(athena_path(config, "/sentmessages"), headers=headers)

    def ids(**query: Any) -> list[str]:
        return [e["operationId"] for e in ok(local.get("/_sandbox/requests", params=query))["entries"]]

    assert ids(api="mdhq") == ["listEnqueuedPortalRequests"]
    assert ids(operationId="listInboxMessages") == ["listInboxMessages", "listInboxMessages"]
    assert ids(api="athena", status=401) == ["listInboxMessages"]
    assert ids(method="post") == ["createAccessToken"]
    assert ids(since="2026-11-21T09:01:00Z") == ["listSentMessages"]
    assert ids(limit=2) == ["listEnqueuedPortalRequests", "listSentMessages"]
    first = ok(local.get("/_sandbox/requests"))["entries"][0]["id"]
    assert len(ids(after=first)) == 4


def test_control_requests_never_appear_in_the_journal(local: TestClient) -> None:
    for _ in range(3):
        local.get("/_sandbox/world")
        local.get("/_sandbox/clock")
    local.get("/_sandbox/ui/")
    assert ok(local.get("/_sandbox/requests"))["entries"] == []


def test_delete_requests_empties_the_journal(local: TestClient) -> None:
    local.get("/v1/nothing")
    assert ok(local.delete("/_sandbox/requests")) == {"cleared": 1}
    assert ok(local.get("/_sandbox/requests"))["entries"] == []


def test_journal_size_0_records_nothing(template: sqlite3.Connection) -> None:
    with local_client(template, journal_size=0) as client:
        client.get("/v1/nothing")
        page = ok(client.get("/_sandbox/requests"))
    assert page["entries"] == [] and page["capacity"] == 0


def test_a_paused_journal_keeps_its_entries_and_records_nothing_until_resumed(local: TestClient) -> None:
    local.get("/v1/nothing-1")
    paused = ok(local.patch("/_sandbox/requests", json={"recording": False}))
    assert paused == {"world": "default", "capacity": 1000, "recording": False, "kept": 1}
    local.get("/v1/nothing-2")
    local.post("/_sandbox/reset")  # reset leaves the journal as it is, paused included
    page = ok(local.get("/_sandbox/requests"))
    assert page["recording"] is False and [e["path"] for e in page["entries"]] == ["/v1/nothing-1"]
    assert ok(local.patch("/_sandbox/requests", json={"recording": True}))["recording"] is True
    local.get("/v1/nothing-3")
    entries = ok(local.get("/_sandbox/requests"))["entries"]
    assert [(e["id"], e["path"]) for e in entries] == [(1, "/v1/nothing-1"), (2, "/v1/nothing-3")]


def test_pausing_one_worlds_journal_leaves_the_others_recording(local: TestClient) -> None:
    job = {"Patientmsg-Sandbox": "job-a"}
    ok(local.patch("/_sandbox/requests", json={"recording": False}, headers=job))
    local.get("/v1/nothing", headers=job)
    local.get("/v1/nothing")
    assert ok(local.get("/_sandbox/requests", headers=job))["entries"] == []
    assert len(ok(local.get("/_sandbox/requests"))["entries"]) == 1


# clock


def test_advancing_the_clock_expires_a_token(local: TestClient, config: dict[str, Any]) -> None:
    token = athena_token(local, config)
    assert ok(local.post("/_sandbox/clock", json={"advance_seconds": 3601}))["now"] == "2026-11-21T10:00:01Z"
    response = local.get(athena_path(config, "/inboxmessages"), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "xpired" in response.text


def test_setting_the_clock_moves_new_writes_not_stored_data(
    local: TestClient, config: dict[str, Any]
) -> None:
    token = athena_token(local, config)
    before = _thread(local, config, token)
    assert (
        ok(local.post("/_sandbox/clock", json={"now": "2026-11-21T09:30:00Z"}))["now"]
        == "2026-11-21T09:30:00Z"
    )
    assert ok(local.get("/_sandbox/clock")) == {
        "world": "default",
        "now": "2026-11-21T09:30:00Z",
        "fixed": True,
    }
    result = _reply(local, config, token, "after the clock moved")
    assert result["message"]["createddatetime"] == "11/21/2026 09:30:00"
    after = _thread(local, config, token)
    assert after["messagelist"][:-1] == before["messagelist"]


# world


def test_world_is_what_fixtures_show_prints_plus_counts(local: TestClient) -> None:
    world = ok(local.get("/_sandbox/world"))
    shown = sandbox_config("default", seed=SEED)
    assert {key: world[key] for key in shown} == shown
    expected = counts(load_scenario("default"))
    assert {table: world["counts"][table] for table in ("athena_thread", "oracle_item")} == {
        table: expected[table] for table in ("athena_thread", "oracle_item")
    }
    assert world["world"] == "default" and world["now"] == NOW_TEXT
    assert world["mounts"]["athena"] == {"prefix": "/athena", "root": True}


def test_world_counts_follow_writes(local: TestClient, config: dict[str, Any]) -> None:
    before = ok(local.get("/_sandbox/world"))["counts"]["athena_message"]
    _reply(local, config, athena_token(local, config), "one more")
    assert ok(local.get("/_sandbox/world"))["counts"]["athena_message"] == before + 1


# the guard


def test_a_foreign_host_header_is_refused(local: TestClient) -> None:
    message = control_error(local.get("/_sandbox/world", headers={"Host": "attacker.example:8000"}), 403)
    assert "DNS rebinding" in message
    assert ok(local.get("/_sandbox/world", headers={"Host": "localhost:8000"}))["world"] == "default"


def test_a_foreign_origin_is_refused_without_cors_headers(local: TestClient) -> None:
    evil = {"Origin": "http://attacker.example"}
    for response in (
        local.post("/_sandbox/reset", headers=evil),
        local.options("/_sandbox/faults", headers={**evil, "Access-Control-Request-Method": "POST"}),
    ):
        control_error(response, 403)
        assert not any(name.lower().startswith("access-control-") for name in response.headers)
    same = ok(local.get("/_sandbox/clock", headers={"Origin": "http://127.0.0.1:8000"}))
    assert same["world"] == "default"
    assert not any(
        name.lower().startswith("access-control-") for name in local.get("/_sandbox/clock").headers
    )


def test_a_control_token_when_set_is_required(template: sqlite3.Connection) -> None:
    with local_client(template, control_token="s3cret") as client:
        refused = client.get("/_sandbox/world")
        control_error(refused, 401)
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        control_error(client.get("/_sandbox/world", headers={"Authorization": "Bearer wrong"}), 401)
        assert (
            ok(client.get("/_sandbox/world", headers={"Authorization": "Bearer s3cret"}))["world"]
            == "default"
        )
        assert client.get("/_sandbox/ui/").status_code == 200  # the documentation needs no token


def test_no_control_turns_it_off(template: sqlite3.Connection) -> None:
    with local_client(template, control=False) as client:
        assert "off" in control_error(client.post("/_sandbox/reset"), 404)


def test_the_control_api_has_its_own_swagger_ui_and_spec(local: TestClient) -> None:
    page = local.get("/_sandbox/ui/")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    spec = ok(local.get("/_sandbox/openapi.json"))
    assert "/reset" in spec["paths"] and spec["info"]["title"].startswith("patientmsg sandbox control")


# bad input


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "explode"}}}, 400),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "status"}}}, 400),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "status", "status": 200}}}, 400),
        (
            "POST",
            "/_sandbox/faults",
            {"json": {"effect": {"type": "latency", "min_ms": 9, "max_ms": 1}}},
            400,
        ),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "drop"}, "times": 0}}, 400),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "drop"}, "probability": 2}}, 400),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "drop"}, "match": {"api": "nope"}}}, 400),
        (
            "POST",
            "/_sandbox/faults",
            {"json": {"effect": {"type": "drop"}, "match": {"operationId": "x"}}},
            400,
        ),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "drop"}, "extra": 1}}, 400),
        (
            "POST",
            "/_sandbox/faults",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("POST", "/_sandbox/faults", {"json": []}, 400),
        ("POST", "/_sandbox/faults", {"content": b"a=b", "headers": {"Content-Type": "text/plain"}}, 415),
        ("POST", "/_sandbox/clock", {"json": {}}, 400),
        ("POST", "/_sandbox/clock", {"json": {"now": "2026-11-21T09:00:00Z", "advance_seconds": 1}}, 400),
        ("POST", "/_sandbox/clock", {"json": {"now": "yesterday"}}, 400),
        ("POST", "/_sandbox/clock", {"json": {"advance_seconds": "ten"}}, 400),
        ("POST", "/_sandbox/clock", {"json": {"now": "9999-12-31T23:59:59Z"}}, 400),
        ("POST", "/_sandbox/clock", {"json": {"advance_seconds": 1e300}}, 400),
        ("POST", "/_sandbox/clock", {"json": {"advance_seconds": -9e10}}, 400),
        ("POST", "/_sandbox/reset", {"json": {"now": "0001-01-01T00:00:00Z"}}, 400),
        ("POST", "/_sandbox/reset", {"json": {"seed": 10**30}}, 400),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "drop"}, "seed": 10**30}}, 400),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "drop"}, "match": {"api": 5}}}, 400),
        ("POST", "/_sandbox/faults", {"json": {"effect": {"type": "latency", "ms": 10**9}}}, 400),
        ("POST", "/_sandbox/reset", {"json": {"scenario": "no-such-scenario"}}, 400),
        ("POST", "/_sandbox/reset", {"json": {"scenario": "../../etc/passwd"}}, 400),
        ("POST", "/_sandbox/reset", {"json": {"seed": "one"}}, 400),
        ("POST", "/_sandbox/reset", {"json": {"now": "2026-13-45T99:00:00Z"}}, 400),
        ("PATCH", "/_sandbox/requests", {"json": {}}, 400),
        ("PATCH", "/_sandbox/requests", {"json": {"recording": "no"}}, 400),
        ("PATCH", "/_sandbox/requests", {"json": {"recording": False, "capacity": 5}}, 400),
        (
            "PATCH",
            "/_sandbox/requests",
            {"content": b"{", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("GET", "/_sandbox/requests", {"params": {"status": "abc"}}, 400),
        ("GET", "/_sandbox/requests", {"params": {"since": "noon"}}, 400),
        ("GET", "/_sandbox/requests", {"params": {"limit": "0"}}, 400),
        ("GET", "/_sandbox/requests", {"headers": {"Patientmsg-Sandbox": "bad name!"}}, 400),
        ("DELETE", "/_sandbox/faults/fault-999", {}, 404),
        ("GET", "/_sandbox/nothing", {}, 404),
        ("PUT", "/_sandbox/reset", {}, 405),
        ("DELETE", "/_sandbox/world", {}, 400),
    ],
)
def test_bad_control_input_is_a_clear_4xx(
    local: TestClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    control_error(local.request(method, path, **kwargs), status)


def test_the_clock_never_moves_when_refused(local: TestClient) -> None:
    local.post("/_sandbox/clock", json={"now": "soon"})
    assert ok(local.get("/_sandbox/clock"))["now"] == NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert dt.datetime.fromisoformat(ok(local.get("/health"))["now"].replace("Z", "+00:00")) == NOW


# Swagger UI pages show the credentials


@pytest.mark.parametrize("api", ["athena", "oracle", "mdhq"])
def test_each_served_spec_shows_the_sandbox_credentials(
    local: TestClient, config: dict[str, Any], api: str
) -> None:
    description = ok(local.get(f"/{api}/openapi.json"))["info"]["description"]
    auth = config[api]["auth"]
    secrets = (
        [auth["oauth2"]["client_id"], auth["oauth2"]["client_secret"]]
        if "oauth2" in auth
        else [auth["bearer_token"]]
        if "bearer_token" in auth
        else [auth["basic"]["username"], auth["basic"]["password"]]
    )
    assert all(secret in description for secret in secrets), description


# Schemathesis against the control spec: whatever it sends, a documented 4xx, never a 5xx


def test_schemathesis_finds_no_server_error_in_the_control_api(template: sqlite3.Connection) -> None:
    import schemathesis
    from patientmsg.fixtures import Clock
    from patientmsg.mockserver import ServeSettings, create_app
    from sandbox_helpers import copy_store
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import Status, events, from_schema

    conn = copy_store(template)
    app = create_app(conn, Clock(NOW), seed=SEED, settings=ServeSettings(host="localhost"))
    checks = (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
    settings = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "base-url": "http://localhost:8000/_sandbox",
            "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
            "generation": {"mode": "all", "max-examples": 20, "database": "none", "deterministic": True},
        }
    )
    with TestClient(app, base_url="http://localhost") as client:
        document = client.get("/_sandbox/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document, config=settings)
    schema.app = app
    failures: list[str] = []
    seen: set[int] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, results in event.recorder.checks.items():
                for check in results:
                    if check.status == Status.FAILURE:
                        interaction = event.recorder.interactions.get(case_id)
                        response = interaction.response if interaction else None
                        got = (
                            f"{response.status_code} {response.content[:200]!r}" if response else "no answer"
                        )
                        failures.append(f"{event.recorder.label}: {check.name} -> {got}")
            seen |= {i.response.status_code for i in event.recorder.interactions.values() if i.response}
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(repr(event))
    conn.close()
    assert not failures, "\n".join(failures[:20])
    assert 200 in seen and 400 in seen, seen
