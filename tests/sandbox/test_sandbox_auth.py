"""Auth: athena's client credentials and practice-bound, expiring tokens; Oracle bearer; MD HQ basic."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from patientmsg.fixtures import Clock
from patientmsg.mockserver import create_app
from sandbox_helpers import SEED, athena_token, vendor_error
from starlette.testclient import TestClient


def inbox(ids: dict[str, Any]) -> str:
    return f"/athena/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage/inboxmessages?limit=1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_endpoint_issues_a_bearer_token(client: TestClient, config: dict[str, Any]) -> None:
    oauth = config["athena"]["auth"]["oauth2"]
    response = client.post(
        "/athena/oauth2/v1/token",
        data={"grant_type": "client_credentials", "scope": "anything"},
        auth=(oauth["client_id"], oauth["client_secret"]),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"]
    ids = config["athena"]["ids"]
    assert client.get(inbox(ids), headers=bearer(body["access_token"])).status_code == 200


@pytest.mark.parametrize(
    ("auth", "data", "status", "error"),
    [
        (None, {"grant_type": "client_credentials"}, 401, "Unauthorized."),
        ("wrong secret", {"grant_type": "client_credentials"}, 401, "invalid_client"),
        ("client", {}, 400, "grant_type is required."),
        ("client", {"grant_type": "password"}, 400, "grant_type must be one of client_credentials."),
    ],
)
def test_token_endpoint_refusals(
    client: TestClient, config: dict[str, Any], auth: Any, data: dict[str, str], status: int, error: str
) -> None:
    oauth = config["athena"]["auth"]["oauth2"]
    if auth == "client":
        auth = (oauth["client_id"], oauth["client_secret"])
    elif auth == "wrong secret":
        auth = (oauth["client_id"], oauth["client_secret"] + "-wrong")
    response = client.post("/athena/oauth2/v1/token", data=data, auth=auth)
    assert vendor_error("athena", response, status)["error"] == error
    if status == 401:
        assert response.headers["www-authenticate"] == 'Basic realm="athena"'


def test_tokens_are_deterministic_and_distinct(template: sqlite3.Connection, config: dict[str, Any]) -> None:
    from sandbox_helpers import NOW, copy_store

    oauth = config["athena"]["auth"]["oauth2"]
    issued = []
    for _ in range(2):
        with TestClient(create_app(copy_store(template), Clock(NOW), seed=SEED)) as client:
            issued.append([athena_token(client, oauth) for _ in range(2)])
    assert issued[0] == issued[1], "same seed, same requests: same tokens"
    assert issued[0][0] != issued[0][1], "each token is new"


def test_tokens_expire_by_the_injected_clock(
    client: TestClient, clock: Clock, config: dict[str, Any]
) -> None:
    token = athena_token(client, config["athena"]["auth"]["oauth2"])
    ids = config["athena"]["ids"]
    clock.advance(3599)
    assert client.get(inbox(ids), headers=bearer(token)).status_code == 200
    clock.advance(1)
    response = client.get(inbox(ids), headers=bearer(token))
    assert "expired" in vendor_error("athena", response, 401)["error"].lower()
    assert response.headers["www-authenticate"] == 'Bearer realm="athena"'


def test_tokens_are_bound_to_their_clients_practices(client: TestClient, config: dict[str, Any]) -> None:
    first, second = config["athena"], config["athena"]["second"]
    first_token = athena_token(client, first["auth"]["oauth2"])
    second_token = athena_token(client, second["auth"]["oauth2"])
    assert client.get(inbox(first["ids"]), headers=bearer(first_token)).status_code == 200
    assert client.get(inbox(second["ids"]), headers=bearer(second_token)).status_code == 200
    forbidden = client.get(inbox(second["ids"]), headers=bearer(first_token))
    assert vendor_error("athena", forbidden, 403)["error"] == "Forbidden."
    vendor_error("athena", client.get(inbox(first["ids"]), headers=bearer(second_token)), 403)


def test_an_unknown_practice_is_404(
    client: TestClient, store: sqlite3.Connection, config: dict[str, Any]
) -> None:
    token = athena_token(client, config["athena"]["auth"]["oauth2"])
    unknown = store.execute("SELECT MAX(practiceid) + 1 FROM athena_practice").fetchone()[0]
    response = client.get(inbox({**config["athena"]["ids"], "practiceid": unknown}), headers=bearer(token))
    assert vendor_error("athena", response, 404) == {
        "error": "Invalid practice.",
        "detailedmessage": "The practice ID does not exist.",
    }


def test_a_client_secret_is_not_a_bearer_token(client: TestClient, config: dict[str, Any]) -> None:
    oauth = config["athena"]["auth"]["oauth2"]
    response = client.get(inbox(config["athena"]["ids"]), headers=bearer(oauth["client_secret"]))
    vendor_error("athena", response, 401)


def test_oracle_takes_its_bearer_token_only(client: TestClient, config: dict[str, Any]) -> None:
    path = (
        f"/oracle/20241001/patientMessages/inboxItems?patientId={config['oracle']['ids']['small_patientId']}"
    )
    assert client.get(path, headers=bearer(config["oracle"]["auth"]["bearer_token"])).status_code == 200
    athena = athena_token(client, config["athena"]["auth"]["oauth2"])
    response = client.get(path, headers=bearer(athena))
    assert vendor_error("oracle", response, 401)["code"] == "NotAuthenticated"
    assert response.headers["www-authenticate"] == 'Bearer realm="oracle"'


def test_mdhq_takes_basic_auth(client: TestClient, config: dict[str, Any]) -> None:
    basic = config["mdhq"]["auth"]["basic"]
    path = f"/mdhq/api/v1/patients/{config['mdhq']['ids']['pt_id']}/portal/enqueued"
    assert client.get(path, auth=(basic["username"], basic["password"])).status_code == 200
    response = client.get(path, auth=(basic["username"], basic["password"] + "x"))
    assert vendor_error("mdhq", response, 401)["error"] == "unauthorized"
    assert response.headers["www-authenticate"] == 'Basic realm="mdhq"'
