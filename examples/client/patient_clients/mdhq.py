"""MD HQ (Cerbo) portal endpoints: enqueued portal requests, HTTP basic auth."""

from __future__ import annotations

import base64
from typing import Any

from patient_clients.http import Http

__all__ = ["MdhqClient"]


class MdhqClient:
    def __init__(self, base_url: str, username: str, password: str, http: Http) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.auth = {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}

    def _url(self, pt_id: int) -> str:
        return f"{self.base_url}/api/v1/patients/{pt_id}/portal/enqueued"

    def enqueued(self, pt_id: int) -> list[dict[str, Any]]:
        return list(self.http.json("GET", self._url(pt_id), headers=self.auth)["data"])

    def delete(self, pt_id: int, request_id: int) -> dict[str, Any]:
        return dict(self.http.json("DELETE", f"{self._url(pt_id)}/{request_id}", headers=self.auth))
