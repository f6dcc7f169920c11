"""Oracle Health Patient Messages: inbox items of a patient, with a bearer token."""

from __future__ import annotations

import urllib.parse
from typing import Any

from patient_clients.http import Http

__all__ = ["OracleClient"]


class OracleClient:
    """`base_url` is the Oracle host; the API's own version path (/20241001) is added here."""

    def __init__(self, base_url: str, token: str, http: Http) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.auth = {"Authorization": f"Bearer {token}"}

    def inbox_items(self, patient_id: str, **filters: str) -> dict[str, Any]:
        query = urllib.parse.urlencode({"patientId": patient_id, **filters})
        url = f"{self.base_url}/20241001/patientMessages/inboxItems?{query}"
        return dict(self.http.json("GET", url, headers=self.auth))
