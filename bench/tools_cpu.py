"""CPU per request of the developer tools, in process (no sockets, so less noise than wrk on a busy box).

Drives the ASGI app directly with the same athena reads, alternating variants per round: journal off,
journal on, journal on with a named world and a non-matching fault rule. Prints µs per request and the
ratio of throughput to journal off. Excluding uvicorn's HTTP work makes the ratio pessimistic.
Usage: .venv/bin/python bench/tools_cpu.py [rounds] [requests]
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import statistics
import sys
import time
import warnings
from typing import Any

from patientmsg.fixtures import Clock, open_store, sandbox_config

NOW = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
WORLD = b"bench-job"


def http_scope(
    method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> dict[str, Any]:
    """The ASGI scope of one request from 127.0.0.1, as uvicorn would build it."""
    raw_path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-length", str(len(body)).encode()), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(
    app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> tuple[int, bytes]:
    scope = http_scope(method, path, headers, body)
    sent = False
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        else:
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return out["status"], out["body"]


def sandbox_app(journal: bool) -> Any:
    """The sandbox's ASGI app over a fresh default store, its journal on or off."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from patientmsg.mockserver import ServeSettings, create_app
    return create_app(
        open_store("default", seed=1, now=NOW),
        Clock(NOW),
        seed=1,
        settings=ServeSettings(journal_size=1000 if journal else 0),
    )


async def _variant(journal: bool, world: bool) -> tuple[Any, list[tuple[bytes, bytes]]]:
    app = sandbox_app(journal)
    extra = [(b"patientmsg-sandbox", WORLD)] if world else []
    oauth = sandbox_config("default", seed=1)["apis"]["athena"]["auth"]["oauth2"]
    basic = base64.b64encode(f"{oauth['client_id']}:{oauth['client_secret']}".encode())
    status, body = await _call(
        app,
        "POST",
        "/oauth2/v1/token",
        [
            (b"authorization", b"Basic " + basic),
            (b"content-type", b"application/x-www-form-urlencoded"),
            *extra,
        ],
        b"grant_type=client_credentials",
    )
    assert status == 200, body
    token = json.loads(body)["access_token"].encode()
    if world:
        rule = json.dumps({"match": {"api": "oracle"}, "effect": {"type": "status", "status": 503}}).encode()
        status, _ = await _call(
            app, "POST", "/_sandbox/faults", [(b"content-type", b"application/json"), *extra], rule
        )
        assert status == 201
    return app, [(b"authorization", b"Bearer " + token), *extra]


async def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    ids = sandbox_config("default", seed=1)["apis"]["athena"]["ids"]
    base = f"/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage"
    reads = {"inbox limit=50": f"{base}/inboxmessages?limit=50", "thread": f"{base}/{ids['messagethreadid']}"}
    variants = {
        "journal off": (False, False),
        "journal on": (True, False),
        "journal on + world + rule": (True, True),
    }
    apps = {name: await _variant(*flags) for name, flags in variants.items()}
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for read, path in reads.items():
            for name, (app, headers) in apps.items():
                for _ in range(50):  # warm
                    await _call(app, "GET", path, headers)
                started = time.process_time()
                for _ in range(count):
                    status, _ = await _call(app, "GET", path, headers)
                    assert status == 200
                times.setdefault((read, name), []).append((time.process_time() - started) / count * 1e6)
    for read in reads:
        off = statistics.median(times[(read, "journal off")])
        for name in variants:
            us = statistics.median(times[(read, name)])
            print(f"{read:<15} {name:<26} {us:7.1f} µs/request  throughput ratio {off / us:5.3f}")


if __name__ == "__main__":
    asyncio.run(main())
