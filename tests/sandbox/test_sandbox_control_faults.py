"""Fault rules and `Prefer`: vendor error bodies, 429 with Retry-After, latency, seeded probability."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from control_helpers import athena_path, athena_token, local_client, ok
from patientmsg.mockserver import sandbox_edge
from sandbox_helpers import vendor_error
from starlette.testclient import TestClient


@pytest.fixture
def local(template: sqlite3.Connection) -> Iterator[TestClient]:
    with local_client(template) as client:
        yield client


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the gate asks for, in ms (recorded, not slept: tests never time the clock)."""
    asked: list[float] = []

    async def record(ms: float) -> None:
        if ms > 0:
            asked.append(ms)

    monkeypatch.setattr(sandbox_edge, "_sleep", record)
    return asked


def _calls(config: dict[str, Any], token: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Per API: (method, path, request kwargs) of one authenticated read."""
    basic = config["mdhq"]["auth"]["basic"]
    return {
        "athena": (
            "GET",
            athena_path(config, "/inboxmessages?limit=1"),
            {"headers": {"Authorization": f"Bearer {token}"}},
        ),
        "oracle": (
            "GET",
            f"/20241001/patientMessages/inboxItems?patientId={config['oracle']['ids']['patientId']}",
            {"headers": {"Authorization": f"Bearer {config['oracle']['auth']['bearer_token']}"}},
        ),
        "mdhq": (
            "GET",
            f"/api/v1/patients/{config['mdhq']['ids']['pt_id']}/portal/enqueued",
            {"auth": (basic["username"], basic["password"])},
        ),
    }


def _add(client: TestClient, rule: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = ok(client.post("/_sandbox/faults", json=rule), 201)
    return body


@pytest.mark.parametrize("api", ["athena", "oracle", "mdhq"])
def test_a_status_fault_answers_with_the_vendors_error_body(
    local: TestClient, config: dict[str, Any], api: str
) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))[api]
    rule = _add(local, {"match": {"api": api}, "effect": {"type": "status", "status": 503}})
    vendor_error(api, local.request(method, path, **kwargs), 503)
    vendor_error(api, local.request(method, f"/{api}{path}", **kwargs), 503)  # under the mount too
    listed = ok(local.get("/_sandbox/faults"))["faults"]
    assert [(r["id"], r["fired"], r["matched"]) for r in listed] == [(rule["id"], 2, 2)]


@pytest.mark.parametrize("api", ["athena", "oracle", "mdhq"])
def test_a_rate_limit_fault_is_a_429_with_retry_after(
    local: TestClient, config: dict[str, Any], api: str
) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))[api]
    _add(local, {"match": {"api": api}, "effect": {"type": "rate_limit", "retry_after": 7}})
    response = local.request(method, path, **kwargs)
    vendor_error(api, response, 429)
    assert response.headers["Retry-After"] == "7"


def test_times_fires_for_the_next_n_matches_then_the_rule_is_gone(
    local: TestClient, config: dict[str, Any]
) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))["athena"]
    _add(
        local,
        {
            "match": {"operationId": "listInboxMessages"},
            "effect": {"type": "status", "status": 500},
            "times": 2,
        },
    )
    statuses = [local.request(method, path, **kwargs).status_code for _ in range(4)]
    assert statuses == [500, 500, 200, 200]
    assert ok(local.get("/_sandbox/faults"))["faults"] == []


def test_a_rule_matches_by_method_and_path_pattern(local: TestClient, config: dict[str, Any]) -> None:
    token = athena_token(local, config)
    headers = {"Authorization": f"Bearer {token}"}
    _add(
        local,
        {
            "match": {"method": "get", "path": "/v1/*/patients/*/securemessage/sentmessages"},
            "effect": {"type": "status", "status": 502},
        },
    )
    assert local.get(athena_path(config, "/sentmessages"), headers=headers).status_code == 502
    assert local.get(athena_path(config, "/inboxmessages"), headers=headers).status_code == 200


def test_a_rule_for_another_operation_leaves_a_request_alone(
    local: TestClient, config: dict[str, Any]
) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))["athena"]
    rule = _add(
        local, {"match": {"operationId": "listSentMessages"}, "effect": {"type": "status", "status": 500}}
    )
    assert local.request(method, path, **kwargs).status_code == 200
    assert ok(local.get("/_sandbox/faults"))["faults"][0]["matched"] == 0
    entry = ok(local.get("/_sandbox/requests", params={"operationId": "listInboxMessages"}))["entries"][-1]
    assert entry["fault"] is None
    assert ok(local.delete(f"/_sandbox/faults/{rule['id']}")) == {"cleared": 1}


def test_a_rule_added_after_its_operation_was_served_fires_at_once(
    local: TestClient, config: dict[str, Any]
) -> None:
    """Which rules an operation could meet is kept between requests; adding or removing a rule renews it."""
    method, path, kwargs = _calls(config, athena_token(local, config))["athena"]
    _add(local, {"match": {"api": "oracle"}, "effect": {"type": "status", "status": 503}})
    assert local.request(method, path, **kwargs).status_code == 200
    rule = _add(
        local, {"match": {"operationId": "listInboxMessages"}, "effect": {"type": "status", "status": 502}}
    )
    assert local.request(method, path, **kwargs).status_code == 502
    assert ok(local.delete(f"/_sandbox/faults/{rule['id']}")) == {"cleared": 1}
    assert local.request(method, path, **kwargs).status_code == 200


def test_control_requests_never_count_against_faults(local: TestClient) -> None:
    rule = _add(local, {"effect": {"type": "status", "status": 500}})  # matches every vendor request
    for _ in range(3):
        assert local.get("/_sandbox/faults").status_code == 200
        assert local.get("/_sandbox/world").status_code == 200
    assert ok(local.get("/_sandbox/faults"))["faults"][0]["matched"] == 0
    assert ok(local.delete(f"/_sandbox/faults/{rule['id']}")) == {"cleared": 1}


def test_a_fixed_latency_fault_delays_by_its_ms(
    local: TestClient, config: dict[str, Any], delays: list[float]
) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))["oracle"]
    rule = _add(local, {"match": {"api": "oracle"}, "effect": {"type": "latency", "ms": 250}})
    assert local.request(method, path, **kwargs).status_code == 200
    assert delays == [250]
    entry = ok(local.get("/_sandbox/requests", params={"api": "oracle"}))["entries"][-1]
    assert entry["fault"] == rule["id"] and entry["status"] == 200


def _uniform_delays(
    template: sqlite3.Connection, config: dict[str, Any], delays: list[float], seed: int
) -> list[float]:
    delays.clear()
    with local_client(template) as client:
        method, path, kwargs = _calls(config, athena_token(client, config))["mdhq"]
        _add(
            client,
            {
                "match": {"api": "mdhq"},
                "effect": {"type": "latency", "min_ms": 10, "max_ms": 90},
                "seed": seed,
            },
        )
        for _ in range(6):
            client.request(method, path, **kwargs)
    return list(delays)


def test_uniform_latency_is_within_bounds_and_the_same_for_the_same_seed(
    template: sqlite3.Connection, config: dict[str, Any], delays: list[float]
) -> None:
    first = _uniform_delays(template, config, delays, seed=3)
    assert len(first) == 6 and all(10 <= d <= 90 for d in first) and len(set(first)) > 1
    assert _uniform_delays(template, config, delays, seed=3) == first
    assert _uniform_delays(template, config, delays, seed=4) != first


def _probable_statuses(template: sqlite3.Connection, config: dict[str, Any], seed: int) -> list[int]:
    with local_client(template) as client:
        method, path, kwargs = _calls(config, athena_token(client, config))["oracle"]
        _add(
            client,
            {
                "match": {"api": "oracle"},
                "effect": {"type": "status", "status": 503},
                "probability": 0.5,
                "seed": seed,
            },
        )
        return [client.request(method, path, **kwargs).status_code for _ in range(24)]


def test_a_seeded_probability_gives_the_same_faults_to_the_same_sequence(
    template: sqlite3.Connection, config: dict[str, Any]
) -> None:
    first = _probable_statuses(template, config, seed=11)
    assert set(first) == {200, 503}
    assert _probable_statuses(template, config, seed=11) == first
    assert _probable_statuses(template, config, seed=12) != first


def test_clear_faults_removes_every_rule(local: TestClient) -> None:
    for status in (500, 503):
        _add(local, {"effect": {"type": "status", "status": status}})
    assert ok(local.delete("/_sandbox/faults")) == {"cleared": 2}
    assert ok(local.get("/_sandbox/faults"))["faults"] == []


# Prefer


@pytest.mark.parametrize("api", ["athena", "oracle", "mdhq"])
@pytest.mark.parametrize("code", [429, 500, 503])
def test_prefer_code_gives_429_500_503_on_every_operation(
    local: TestClient, config: dict[str, Any], api: str, code: int
) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))[api]
    kwargs = {**kwargs, "headers": {**kwargs.get("headers", {}), "Prefer": f"code={code}"}}
    response = local.request(method, path, **kwargs)
    vendor_error(api, response, code)
    assert response.headers["Preference-Applied"] == f"code={code}"
    if code == 429:
        assert response.headers["Retry-After"].isdigit()


def test_prefer_code_is_one_shot(local: TestClient, config: dict[str, Any]) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))["athena"]
    headers = kwargs["headers"]
    assert (
        local.request(method, path, headers={**headers, "Prefer": "code=404"}).status_code == 404
    )  # documented
    assert local.request(method, path, headers=headers).status_code == 200


def test_prefer_code_not_documented_for_the_operation_is_ignored(
    local: TestClient, config: dict[str, Any]
) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))["athena"]
    headers = kwargs["headers"]
    for prefer in ("code=418", "code=200", "code=abc", "respond-async, wait=5", "return=minimal"):
        response = local.request(method, path, headers={**headers, "Prefer": prefer})
        assert response.status_code == 200, prefer
        assert "Preference-Applied" not in response.headers


def test_prefer_delay_delays_once(local: TestClient, config: dict[str, Any], delays: list[float]) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))["mdhq"]
    response = local.request(method, path, headers={"Prefer": "delay=300"}, auth=kwargs["auth"])
    assert response.status_code == 200 and response.headers["Preference-Applied"] == "delay=300"
    local.request(method, path, auth=kwargs["auth"])
    assert delays == [300]


def test_prefer_is_noted_in_the_journal(local: TestClient, config: dict[str, Any]) -> None:
    method, path, kwargs = _calls(config, athena_token(local, config))["athena"]
    local.request(method, path, headers={**kwargs["headers"], "Prefer": "code=503"})
    entry = ok(local.get("/_sandbox/requests", params={"status": 503}))["entries"][0]
    assert entry["fault"] == "prefer" and entry["operationId"] == "listInboxMessages"
