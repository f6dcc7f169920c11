"""JSON over HTTP with the one policy every client here shares: retry 429 and 503 after Retry-After."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Answer", "ApiFailure", "Http"]

RETRIED = frozenset({429, 503})


class ApiFailure(Exception):
    """An answer the client does not accept: its status and the vendor's error body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: Any


def retry_delay(value: str | None, *, default: float = 1.0) -> float:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return default
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class Http:
    def __init__(
        self,
        headers: Mapping[str, str] | None = None,
        *,
        retries: int = 3,
        sleep: Callable[[float], object] = time.sleep,
        max_wait: float = 30.0,
    ) -> None:
        self.headers = dict(headers or {})
        self.retries = retries
        self.sleep = sleep
        self.max_wait = max_wait

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> Answer:
        """One request, retried up to `retries` times on 429/503; any other status is returned."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        all_headers = {**self.headers, **(headers or {}), "Accept": "application/json"}
        if data is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(self.retries + 1):
            answer = self._once(method, url, all_headers, data)
            if answer.status not in RETRIED or attempt == self.retries:
                return answer
            self.sleep(min(retry_delay(answer.headers.get("retry-after")), self.max_wait))
        raise AssertionError("unreachable: the loop returns on its last attempt")

    def _once(self, method: str, url: str, headers: dict[str, str], data: bytes | None) -> Answer:
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return _answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return _answer(error.code, error.headers, error.read())

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The body of a 2xx answer; anything else raises ApiFailure with the vendor's body."""
        answer = self.send(method, url, **kwargs)
        if not 200 <= answer.status < 300:
            raise ApiFailure(answer.status, answer.body)
        return answer.body


def _answer(status: int, headers: Any, raw: bytes) -> Answer:
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return Answer(status, lowered, body)
