"""Helpers for the portal's sandbox tests: logins by role from `sandbox_config`, calls, problem bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.testclient import TestClient

PROBLEM = "application/problem+json"


def portal_token(client: TestClient, login: dict[str, str]) -> str:
    response = client.post("/portal/token", data={"grant_type": "password", **login})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@dataclass
class Portal:
    """The portal API of one app, called as one of the documented logins (`as_` names it)."""

    client: TestClient
    logins: dict[str, dict[str, str]]
    ids: dict[str, Any]
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, role: str) -> str:
        if role not in self._tokens:
            self._tokens[role] = portal_token(self.client, self.logins[role])
        return self._tokens[role]

    def forget_tokens(self) -> None:
        """After the clock moved past a token's hour: log in again on the next call."""
        self._tokens.clear()

    def call(self, method: str, path: str, as_: str | None = "patient", **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.token(as_)}"
        response: httpx.Response = self.client.request(method, f"/portal{path}", headers=headers, **kwargs)
        return response

    def get(self, path: str, as_: str | None = "patient", **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, as_, **kwargs)

    def post(self, path: str, as_: str | None = "patient", **kwargs: Any) -> httpx.Response:
        return self.call("POST", path, as_, **kwargs)

    def put(self, path: str, as_: str | None = "patient", **kwargs: Any) -> httpx.Response:
        return self.call("PUT", path, as_, **kwargs)

    def delete(self, path: str, as_: str | None = "patient", **kwargs: Any) -> httpx.Response:
        return self.call("DELETE", path, as_, **kwargs)

    def ok(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, f"Received: {response.status_code} {response.text}"
        return response.json() if response.content and status != 204 else None

    def send(self, provider: str, text: str = "A question for you.", **fields: Any) -> dict[str, Any]:
        """A new conversation from the patient, asserted 201."""
        body = {"providerId": self.ids[provider], "subject": "A question", "text": text, **fields}
        created: dict[str, Any] = self.ok(self.post("/patient/conversations", json=body), 201)
        return created


def problem(response: httpx.Response, status: int, rule: str) -> dict[str, Any]:
    """Assert `response` is a `status` problem+json naming `rule`; return its body."""
    assert response.status_code == status, (
        f"Received: {response.status_code} {response.text} / Documented: {status}"
    )
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "rule"} <= set(body), body
    assert body["status"] == status and body["rule"] == rule, f"Received: {body['rule']} / Documented: {rule}"
    assert "Traceback" not in response.text
    return body


def walk(node: Any) -> list[Any]:
    """Every value of a JSON document, nested ones included."""
    if isinstance(node, dict):
        return [node, *(x for v in node.values() for x in walk(v))]
    if isinstance(node, list):
        return [node, *(x for v in node for x in walk(v))]
    return [node]
