"""One request and its response, in a form both engine checks and probes read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    import requests
    from schemathesis import Case
    from schemathesis import Response as StResponse

__all__ = ["Exchange", "body_bytes", "text_headers"]

_UNPARSED = object()


def body_bytes(body: object) -> bytes | None:
    """A prepared request's body as bytes (requests keeps form bodies as str)."""
    if isinstance(body, str):
        return body.encode()
    return body if isinstance(body, bytes) else None


def text_headers(headers: Mapping[str, str | bytes]) -> dict[str, str]:
    return {
        key: value.decode("latin-1") if isinstance(value, bytes) else value for key, value in headers.items()
    }


@dataclass
class Exchange:
    """What a check needs to judge a response: the request as sent and the answer as received."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    status: int
    # Lower-case names; a repeated header keeps its first value.
    headers: Mapping[str, str]
    body: bytes
    # The spec's label ("GET /v1/{practiceid}/...") when known; probes leave it None.
    operation: str | None = None
    _json: Any = field(default=_UNPARSED, repr=False)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query, keep_blank_values=True)

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def request_header(self, name: str) -> str | None:
        for key, value in self.request_headers.items():
            if key.lower() == name.lower():
                return value
        return None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The parsed body, or None when it is not JSON."""
        if self._json is _UNPARSED:
            try:
                self._json = json.loads(self.body) if self.body else None
            except ValueError:
                self._json = None
        return self._json

    def text_excerpt(self, limit: int = 300) -> str:
        text = self.body.decode("utf-8", "replace")
        return text if len(text) <= limit else text[:limit] + "..."

    @classmethod
    def from_schemathesis(cls, response: StResponse, case: Case[Any]) -> Exchange:
        request = response.request
        return cls(
            method=str(request.method),
            url=str(request.url),
            request_headers=text_headers(request.headers),
            request_body=body_bytes(request.body),
            status=response.status_code,
            headers={key.lower(): values[0] for key, values in response.headers.items() if values},
            body=response.content or b"",
            operation=case.operation.label,
        )

    @classmethod
    def from_requests(cls, response: requests.Response) -> Exchange:
        request = response.request
        return cls(
            method=str(request.method),
            url=str(request.url),
            request_headers=text_headers(request.headers),
            request_body=body_bytes(request.body),
            status=response.status_code,
            headers={key.lower(): value for key, value in response.headers.items()},
            body=response.content or b"",
        )
