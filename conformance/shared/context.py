"""What a probe works with: the target, its ids, an HTTP client whose every response is checked."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests
from patientmsg.conformance.run.curl import curl_line
from patientmsg.conformance.run.exchange import Exchange, body_bytes
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.run.pacing import Pacer
from patientmsg.conformance.setup.identity import Identity, Redactor
from patientmsg.conformance.setup.kit_config import KNOWN_IDS, KitConfig
from patientmsg.conformance.setup.usage import KitBug

__all__ = ["ProbeContext"]

T = TypeVar("T")
TIMEOUT = 30.0


class ProbeContext:
    """One run's probing state; `observe` judges each response with the kit's response checks."""

    def __init__(
        self,
        config: KitConfig,
        primary: Identity,
        second: Identity | None,
        redactor: Redactor,
        observe: Callable[[Exchange], None],
        *,
        seed: int,
        pacer: Pacer | None = None,
    ) -> None:
        self.config = config
        self.primary = primary
        self.second = second
        self.redactor = redactor
        self.seed = seed
        self.pacer = pacer or Pacer()
        self._observe = observe
        self._session = requests.Session()
        self._memo: dict[str, Any] = {}
        self._count = 0
        # Requests sent, for the report's total.
        self.sent = 0
        self.last: Exchange | None = None
        self.failures: list[tuple[str, Exchange | None]] = []
        # The exchanges the running probe asserted something about (by identity; kept alive here).
        self._checked: dict[int, Exchange] = {}

    # -- ids -------------------------------------------------------------------------------
    def id(self, name: str, *, second: bool = False) -> int | str:
        self._known(name)
        identity = self.config.second if second else self.config.primary
        if identity is None or name not in identity.ids:
            raise Skip(f"no {'[second.ids]' if second else '[ids]'} {name} in the config")
        return identity.ids[name]

    def optional_id(self, name: str) -> int | str | None:
        self._known(name)
        return self.config.primary.ids.get(name)

    def _known(self, name: str) -> None:
        if name not in KNOWN_IDS[self.config.api]:
            raise KitBug(f"a probe asks for id {name!r}, which is not in KNOWN_IDS[{self.config.api!r}]")

    # -- HTTP ------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | list[str]] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        identity: Identity | None = None,
        authorization: str | None = None,
        anonymous: bool = False,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        sent: dict[str, str] = {"Accept": "application/json"}
        if not anonymous:
            sent["Authorization"] = authorization or (identity or self.primary).authorization()
        if self.config.api == "oracle":
            # Deterministic ids, so the echo check has something to compare and reports replay exactly.
            self._count += 1
            sent["opc-request-id"] = f"pmcheck-{self._count:04d}"
        sent.update(headers or {})
        target = url or self.config.base_url + path
        try:
            response = self._send(method, target, params=params, data=data, json=json, headers=sent)
        except requests.RequestException as exc:
            prepared = requests.Request(
                method, target, params=params, data=data, json=json, headers=sent
            ).prepare()
            body = body_bytes(prepared.body)
            self.last = Exchange(str(prepared.method), str(prepared.url), sent, body, 0, {}, b"")
            raise ConformanceFailure(
                "request failed",
                received=f"{type(exc).__name__} for {method} {target}",
                documented="an HTTP response",
            ) from None
        exchange = Exchange.from_requests(response)
        self.last = exchange
        self._observe(exchange)
        return exchange

    def _send(self, method: str, target: str, **kwargs: Any) -> requests.Response:
        """One request, paced; a 429 with a short Retry-After is waited out and sent again."""
        attempt = 0
        while True:
            self.pacer.wait_turn()
            self.sent += 1
            response = self._session.request(method, target, timeout=TIMEOUT, allow_redirects=False, **kwargs)
            wait = self.pacer.retry_wait(response.status_code, response.headers.get("retry-after"), attempt)
            if wait is None:
                return response
            time.sleep(wait)
            attempt += 1

    def get(self, path: str, **kwargs: Any) -> Exchange:
        return self.request("GET", path, **kwargs)

    def curl(self, exchange: Exchange | None) -> str:
        if exchange is None:
            return ""
        return curl_line(
            exchange.method, exchange.url, exchange.request_headers, exchange.request_body, self.redactor
        )

    # -- outcomes --------------------------------------------------------------------------
    def start_probe(self) -> None:
        """A new probe begins: no failures, nothing checked yet."""
        self.failures = []
        self._checked = {}
        # A failure without its own exchange shows this probe's last request, never a previous probe's.
        self.last = None

    def checked(self, *exchanges: Exchange | None) -> None:
        """Say that the probe asserted something about these exchanges (pass or fail).

        A probe that ends without calling this (or `fail`, `expect_status`, or a shared step that
        asserts) checked nothing: its requirement is skipped, never passed.
        """
        for exchange in exchanges:
            if exchange is not None:
                self._checked.setdefault(id(exchange), exchange)

    @property
    def checked_count(self) -> int:
        return len(self._checked)

    def fail(self, title: str, *, received: str, documented: str, exchange: Exchange | None = None) -> None:
        """Record a failure and carry on (a probe may find several); the exchange counts as checked."""
        failure = ConformanceFailure(title, received=received, documented=documented)
        shown = exchange or self.last
        self.checked(shown)
        self.failures.append((f"{failure}", shown))

    def expect_status(
        self, exchange: Exchange, allowed: tuple[int, ...], title: str, documented: str
    ) -> bool:
        self.checked(exchange)
        if exchange.status in allowed:
            return True
        received = f"{exchange.status} for {exchange.method} {exchange.path}"
        self.fail(title, received=received, documented=documented, exchange=exchange)
        return False

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute once per run; several probes assert different properties of one sequence of calls."""
        if key not in self._memo:
            try:
                self._memo[key] = compute()
            except (ConformanceFailure, Skip) as exc:
                self._memo[key] = exc
        value = self._memo[key]
        if isinstance(value, ConformanceFailure | Skip):
            raise value
        result: T = value
        return result

    @staticmethod
    def deadline(seconds: float) -> Callable[[], bool]:
        end = time.monotonic() + seconds
        return lambda: time.monotonic() > end
