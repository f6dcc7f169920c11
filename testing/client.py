"""The sandbox process and a per-test world on it, driven through the control API (/_sandbox/)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import IO, Any

__all__ = ["PatientmsgSandbox", "RunningSandbox", "SandboxControlError"]

WORLD_HEADER = "Patientmsg-Sandbox"
_START_SECONDS = 120.0  # the world is built and Connexion imported before the port is announced
_STOP_SECONDS = 10.0
_EFFECTS = ("status", "latency", "rate_limit", "drop")


class SandboxControlError(RuntimeError):
    """The control API refused a call: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _request(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code), bytes(error.read())


class RunningSandbox:
    """A `patientmsg` sandbox in a child process on 127.0.0.1, on a port the kernel chose."""

    def __init__(self, *, seed: int = 1, scenario: str = "default", now: str | None = None) -> None:
        self.seed = seed
        self.scenario = scenario
        self.now = now
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RunningSandbox:
        command = [sys.executable, "-m", "patientmsg.testing.launch", "--seed", str(self.seed)]
        command += ["--scenario", self.scenario] + (["--now", self.now] if self.now else [])
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the process's life; stop() closes it)
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL, env=os.environ.copy()
        )
        assert self._process.stdout is not None
        try:
            self.port = self._read_port(self._process.stdout)
        except BaseException:
            self.stop()
            raise
        finally:
            self._process.stdout.close()
        return self

    def _read_port(self, stdout: IO[bytes]) -> int:
        deadline = time.monotonic() + _START_SECONDS
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"the sandbox did not start within {_START_SECONDS:.0f} s{self._tail()}")
            ready, _, _ = select.select([stdout], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(stdout.fileno(), 64)
                if not chunk:
                    raise RuntimeError(f"the sandbox exited before it served{self._tail()}")
                line += chunk
        match = re.fullmatch(rb"port=(\d+)\n", line)
        if match is None:
            raise RuntimeError(f"the sandbox announced {line!r}, not its port{self._tail()}")
        return int(match.group(1))

    def _tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip().splitlines()[-12:]
        return (":\n" + "\n".join(text)) if text else ""

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(_STOP_SECONDS)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> RunningSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def world(self, name: str) -> PatientmsgSandbox:
        return PatientmsgSandbox(self, name)


def world_name(test_id: str) -> str:
    """A valid, distinct world name for a test id: a readable tail and a hash of the whole id."""
    digest = hashlib.sha256(test_id.encode("utf-8")).hexdigest()[:12]
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", test_id.rsplit("::", 1)[-1]).strip("-")[-40:]
    return f"t-{digest}-{tail}" if tail else f"t-{digest}"


def _time_text(value: str | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


class PatientmsgSandbox:
    """One named world of a running sandbox: send `headers` with every request to stay in it."""

    def __init__(self, server: RunningSandbox, world: str) -> None:
        self.server = server
        self.world = world
        self._info: dict[str, Any] | None = None

    @property
    def root_url(self) -> str:
        """The sandbox's root: vendor paths are served there too (athena /v1/..., Oracle, MD HQ)."""
        return self.server.root_url

    @property
    def headers(self) -> dict[str, str]:
        """The header that keeps a request in this world."""
        return {WORLD_HEADER: self.world}

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One control API call in this world; a refusal raises SandboxControlError."""
        headers = {**self.headers, "Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode("utf-8")
        status, answer = _request(
            f"{self.root_url}/_sandbox{path}", method=method, headers=headers, body=data
        )
        try:
            payload = json.loads(answer) if answer else None
        except ValueError:  # not the control API answering (e.g. another server on the port)
            payload = None
        if status >= 400:
            message = (
                payload.get("message", answer.decode()) if isinstance(payload, dict) else answer.decode()
            )
            raise SandboxControlError(status, message)
        return payload

    def info(self) -> dict[str, Any]:
        """GET /_sandbox/world: seed, scenario, credentials and ids per API, counts, mounts."""
        if self._info is None:
            self._info = dict(self.control("GET", "/world"))
        return self._info

    def _api(self, api: str) -> dict[str, Any]:
        mounts = self.info()["mounts"]
        if api not in mounts:
            raise ValueError(f"no API {api!r} in this sandbox; it serves {', '.join(mounts)}")
        return dict(mounts[api])

    def url(self, api: str) -> str:
        """The API's base URL under its mount, e.g. http://127.0.0.1:PORT/athena."""
        return self.root_url + str(self._api(api)["prefix"])

    def credentials(self, api: str) -> dict[str, Any]:
        """The API's `auth` and `ids`, as `patientmsg fixtures show --json` prints them."""
        self._api(api)
        return dict(self.info()["apis"][api])

    def ids(self, api: str) -> dict[str, Any]:
        return dict(self.credentials(api)["ids"])

    def token(self, api: str) -> str:
        """A bearer token: athena's issued now by its token endpoint (in this world), Oracle's fixed one."""
        auth = self.credentials(api)["auth"]
        if "oauth2" in auth:
            oauth = auth["oauth2"]
            basic = base64.b64encode(f"{oauth['client_id']}:{oauth['client_secret']}".encode()).decode()
            status, answer = _request(
                self.url(api) + oauth["token_url"],
                method="POST",
                headers={
                    **self.headers,
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                body=b"grant_type=client_credentials",
            )
            if status != 200:
                raise SandboxControlError(status, f"the token endpoint answered {answer[:300]!r}")
            return str(json.loads(answer)["access_token"])
        if "bearer_token" in auth:
            return str(auth["bearer_token"])
        raise ValueError(f"{api} has no token: it takes HTTP Basic; use auth_header({api!r})")

    def auth_header(self, api: str) -> str:
        """The Authorization header value for the API: Bearer for athena and Oracle, Basic for MD HQ."""
        auth = self.credentials(api)["auth"]
        if "basic" in auth:
            pair = f"{auth['basic']['username']}:{auth['basic']['password']}".encode()
            return "Basic " + base64.b64encode(pair).decode()
        return "Bearer " + self.token(api)

    def journal(
        self,
        *,
        api: str | None = None,
        operation_id: str | None = None,
        method: str | None = None,
        status: int | None = None,
        since: str | dt.datetime | None = None,
    ) -> list[dict[str, Any]]:
        """This world's recorded exchanges, oldest first, filtered (all given must match)."""
        query = {"api": api, "operationId": operation_id, "method": method, "status": status}
        query["since"] = _time_text(since) if since is not None else None
        text = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        return list(self.control("GET", "/requests" + (f"?{text}" if text else ""))["entries"])

    def clear_journal(self) -> int:
        return int(self.control("DELETE", "/requests")["cleared"])

    def fault(
        self,
        effect: str,
        *,
        api: str | None = None,
        operation_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        ms: int | None = None,
        min_ms: int | None = None,
        max_ms: int | None = None,
        retry_after: int | None = None,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
    ) -> dict[str, Any]:
        """Adds a fault rule to this world: `fault("rate_limit", api="athena", times=1)`.

        effect: "status" (with `status`), "latency" (`ms`, or `min_ms` and `max_ms`),
        "rate_limit" (429 with Retry-After, `retry_after` seconds) or "drop".
        """
        if effect not in _EFFECTS:
            raise ValueError(f"effect must be one of {', '.join(_EFFECTS)}, not {effect!r}")
        match = {"api": api, "operationId": operation_id, "method": method, "path": path}
        shape = {"status": status, "ms": ms, "min_ms": min_ms, "max_ms": max_ms, "retry_after": retry_after}
        rule: dict[str, Any] = {
            "match": {k: v for k, v in match.items() if v is not None},
            "effect": {"type": effect, **{k: v for k, v in shape.items() if v is not None}},
        }
        extra = {"times": times, "probability": probability, "seed": seed}
        rule.update({k: v for k, v in extra.items() if v is not None})
        return dict(self.control("POST", "/faults", rule))

    def faults(self) -> list[dict[str, Any]]:
        return list(self.control("GET", "/faults")["faults"])

    def clear_faults(self) -> int:
        return int(self.control("DELETE", "/faults")["cleared"])

    def clock(
        self, now: str | dt.datetime | None = None, *, advance: float | dt.timedelta | None = None
    ) -> dt.datetime:
        """The world's clock; with `now` set to that time, with `advance` moved by seconds."""
        if now is not None and advance is not None:
            raise ValueError("give now or advance, not both")
        if now is None and advance is None:
            answer = self.control("GET", "/clock")
        elif now is not None:
            answer = self.control("POST", "/clock", {"now": _time_text(now)})
        else:
            seconds = advance.total_seconds() if isinstance(advance, dt.timedelta) else advance
            answer = self.control("POST", "/clock", {"advance_seconds": seconds})
        return dt.datetime.fromisoformat(str(answer["now"]).replace("Z", "+00:00"))

    def reset(
        self, *, seed: int | None = None, now: str | dt.datetime | None = None, scenario: str | None = None
    ) -> dict[str, Any]:
        """Back to the scenario's start (data, tokens, caches); journal and faults are kept."""
        body: dict[str, Any] = {"seed": seed, "scenario": scenario}
        body["now"] = _time_text(now) if now is not None else None
        self._info = None
        return dict(self.control("POST", "/reset", {k: v for k, v in body.items() if v is not None}))

    def drop(self) -> None:
        """Frees this world's slot on the server (the fixture does it after each test)."""
        self.control("DELETE", "/world")
