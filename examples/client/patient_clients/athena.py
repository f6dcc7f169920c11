"""athenahealth Secure Messages: OAuth2 client credentials, lists followed by their `next` links."""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Iterator
from typing import Any

from patient_clients.http import ApiFailure, Http

__all__ = ["AthenaClient"]


class AthenaClient:
    """`base_url` is athena's host (e.g. https://api.preview.platform.athenahealth.com), no prefix."""

    def __init__(
        self, base_url: str, client_id: str, client_secret: str, practice_id: int, http: Http
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.practice_id = practice_id
        self.http = http
        self._basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._token: str | None = None

    def _fetch_token(self) -> str:
        body = self.http.json(
            "POST",
            f"{self.base_url}/oauth2/v1/token",
            headers={"Authorization": f"Basic {self._basic}"},
            form={"grant_type": "client_credentials"},
        )
        return str(body["access_token"])

    def _get(self, path_or_url: str, form: dict[str, str] | None = None) -> Any:
        # A token that expired (401) is fetched again once, as athena's documents advise.
        url = urllib.parse.urljoin(self.base_url + "/", path_or_url)
        method = "GET" if form is None else "POST"
        for fresh in (False, True):
            if self._token is None or fresh:
                self._token = self._fetch_token()
            try:
                return self.http.json(
                    method, url, headers={"Authorization": f"Bearer {self._token}"}, form=form
                )
            except ApiFailure as failure:
                if failure.status != 401 or fresh:
                    raise
        raise AssertionError("unreachable")

    def _patient(self, patient_id: int) -> str:
        return f"/v1/{self.practice_id}/patients/{patient_id}/securemessage"

    def inbox(self, patient_id: int, *, limit: int = 100) -> Iterator[dict[str, Any]]:
        """Every inbox thread, page after page through the `next` links the server gives."""
        page = self._get(f"{self._patient(patient_id)}/inboxmessages?limit={limit}")
        while True:
            yield from page["messages"]
            if not page.get("next"):
                return
            page = self._get(page["next"])

    def thread(self, patient_id: int, thread_id: int) -> dict[str, Any]:
        return dict(self._get(f"{self._patient(patient_id)}/{thread_id}"))

    def reply(self, patient_id: int, thread_id: int, text: str) -> dict[str, Any]:
        return dict(self._get(f"{self._patient(patient_id)}/{thread_id}/reply", form={"text": text}))
