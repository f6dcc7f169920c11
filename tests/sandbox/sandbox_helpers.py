"""Helpers shared by the sandbox tests: the world's constants, authenticated calls, error shapes."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.testclient import TestClient

NOW = dt.datetime(2026, 11, 21, 9, 0, 0, tzinfo=dt.UTC)
NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")  # the store's and MD HQ's form
SEED = 1
APIS = ("athena", "oracle", "mdhq")
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]+")


def copy_store(template: sqlite3.Connection) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    template.backup(conn)
    conn.row_factory = template.row_factory
    conn.isolation_level = template.isolation_level
    return conn


def athena_token(client: httpx.Client, oauth: dict[str, str]) -> str:
    """A bearer token from the sandbox `client` talks to (a TestClient, or a live server's client)."""
    response = client.post(
        "/athena" + oauth["token_url"],
        data={"grant_type": "client_credentials"},
        auth=(oauth["client_id"], oauth["client_secret"]),
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@dataclass
class Api:
    """One API of the sandbox, called with its credentials unless told otherwise."""

    name: str
    client: TestClient
    credentials: dict[str, Any]
    ids: dict[str, Any]

    def call(self, method: str, path: str, *, authed: bool = True, **kwargs: Any) -> httpx.Response:
        if authed:
            for key, value in self.credentials.items():
                kwargs[key] = {**kwargs.get(key, {}), **value} if key == "headers" else value
        return self.client.request(method, f"/{self.name}{path}", **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("DELETE", path, **kwargs)


def make_api(name: str, client: TestClient, config: dict[str, Any]) -> Api:
    auth = config[name]["auth"]
    if name == "athena":
        credentials: dict[str, Any] = {
            "headers": {"Authorization": f"Bearer {athena_token(client, auth['oauth2'])}"}
        }
    elif name == "oracle":
        credentials = {"headers": {"Authorization": f"Bearer {auth['bearer_token']}"}}
    else:
        credentials = {"auth": (auth["basic"]["username"], auth["basic"]["password"])}
    return Api(name, client, credentials, config[name]["ids"])


def vendor_error(api: str, response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert `response` is a `status` error in `api`'s own format; return its body."""
    assert response.status_code == status, response.text
    problem = api == "portal"  # the portal answers RFC 9457 problem details, naming its rule
    assert response.headers["content-type"] == ("application/problem+json" if problem else "application/json")
    body: dict[str, Any] = response.json()
    assert "Traceback" not in response.text
    if problem:
        assert {"type", "title", "status", "detail", "rule"} <= set(body), body
        assert body["status"] == status and re.fullmatch(r"PORTAL-R\d+", body["rule"]), body
    elif api == "athena":
        assert set(body) <= {"error", "detailedmessage"}
        assert isinstance(body["error"], str) and body["error"]
    elif api == "oracle":
        assert set(body) <= {"code", "message", "details"}
        assert isinstance(body["code"], str) and body["code"]
        assert isinstance(body["message"], str) and body["message"]
        for detail in body.get("details", []):
            assert set(detail) <= {"detail", "source"}
            assert set(detail.get("source", {})) <= {"parameters", "headers", "pointers"}
        assert REQUEST_ID.fullmatch(response.headers["opc-request-id"])
    else:
        assert set(body) == {"success", "error", "message"}
        assert body["success"] is False and body["error"] and body["message"]
    return body


def message_of(api: str, body: dict[str, Any]) -> str:
    """All the human-readable text of an error body."""
    if api == "athena":
        return f"{body['error']} {body.get('detailedmessage', '')}"
    if api == "portal":
        return f"{body['title']} {body['detail']} {body.get('errors', '')}"
    if api == "oracle":
        return " ".join([body["message"], *(d.get("detail", "") for d in body.get("details", []))])
    return str(body["message"])


def athena_time(text: str) -> dt.datetime:
    """athena's MM/DD/YYYY HH:MM:SS."""
    return dt.datetime.strptime(text, "%m/%d/%Y %H:%M:%S")


def base(api: Api, patient: str = "patientid") -> str:
    """An athena patient's path prefix, from the documented ids."""
    return f"/v1/{api.ids['practiceid']}/patients/{api.ids[patient]}"


def listing(api: Api, name: str, query: str = "", patient: str = "patientid") -> dict[str, Any]:
    """One page of an athena list, asserted 200."""
    response = api.get(f"{base(api, patient)}/securemessage/{name}{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
