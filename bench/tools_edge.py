"""The developer tools' own cost per request, isolated: the edge and fault gate around a trivial app.

On a busy machine whole-request figures (wrk, bench/tools_overhead.py) swing by more than the tools
cost; this times only what the tools add, to compare with a whole request (~250-400 µs here):
the edge with the journal off, on, and on with a named world and a non-matching rule, plus the
WorldSwitch's attribute reads (every handler reads the sandbox through it).
Usage: .venv/bin/python bench/tools_edge.py
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import time
import timeit
from typing import Any

from patientmsg.fixtures import Clock, open_store
from patientmsg.mockserver.sandbox_edge import FaultGate, SandboxEdge
from patientmsg.mockserver.state import Sandbox
from patientmsg.mockserver.worlds import Worlds, WorldSwitch

NOW = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
BODY = b"x" * 45_000  # an athena inbox page at limit=50
COUNT = 20_000
PATH = "/v1/195900/patients/1/securemessage/inboxmessages"


async def _inner(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": BODY})


async def _send(message: Any) -> None:
    return None


async def _receive() -> Any:
    return {"type": "http.request", "body": b"", "more_body": False}


def _edge(journal: int, rule: bool) -> SandboxEdge:
    sandbox = Sandbox.load(open_store("default", seed=1, now=NOW), Clock(NOW), seed=1)
    worlds = Worlds(
        sandbox,
        scenario="default",
        start=NOW,
        store_backed=False,
        journal_size=journal,
        max_worlds=4,
        idle_seconds=600,
    )
    if rule:
        for world in (worlds.default, worlds.select("bench-job")):
            assert world is not None
            world.faults.add({"match": {"api": "oracle"}, "effect": {"type": "status", "status": 503}})
    gate = FaultGate(_inner, worlds=worlds, documented={})
    return SandboxEdge(gate, worlds=worlds, control=_inner)


async def _time(app: Any, headers: list[tuple[bytes, bytes]]) -> float:
    scope = {"type": "http", "method": "GET", "path": PATH, "query_string": b"limit=50", "headers": headers}
    started = time.perf_counter()
    for _ in range(COUNT):
        await app(dict(scope), _receive, _send)
    return (time.perf_counter() - started) / COUNT * 1e6


async def main() -> None:
    base = [(b"host", b"127.0.0.1:8000"), (b"authorization", b"Bearer x"), (b"user-agent", b"wrk")]
    variants = {
        "no edge (the app alone)": (_inner, base),
        "journal off": (_edge(0, False), base),
        "journal on": (_edge(1000, False), base),
        "journal on + world + rule": (_edge(1000, True), [*base, (b"patientmsg-sandbox", b"bench-job")]),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(5):
        for name, (app, headers) in variants.items():
            times[name].append(await _time(app, headers))
    bare = statistics.median(times["no edge (the app alone)"])
    for name, runs in times.items():
        print(
            f"{name:<28} {statistics.median(runs):6.2f} µs/request  (+{statistics.median(runs) - bare:5.2f})"
        )
    sandbox = Sandbox.load(open_store("default", seed=1, now=NOW), Clock(NOW), seed=1)
    switch = WorldSwitch(
        Worlds(
            sandbox,
            scenario="default",
            start=NOW,
            store_backed=True,
            journal_size=0,
            max_worlds=1,
            idle_seconds=1,
        )
    )
    direct = min(timeit.repeat(lambda: sandbox.conn, number=200_000, repeat=5)) / 200_000 * 1e9
    through = min(timeit.repeat(lambda: switch.conn, number=200_000, repeat=5)) / 200_000 * 1e9
    print(f"a sandbox attribute read: {direct:.0f} ns direct, {through:.0f} ns through the WorldSwitch")


if __name__ == "__main__":
    asyncio.run(main())
