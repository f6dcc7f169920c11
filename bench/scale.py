"""`make bench`'s rows beyond the Prism table: 1 against 2 workers, RSS over 100k requests.

(Access log on/off is measured as the developer tools are, in tools.py: its cost is within noise
of whole-round figures.)

Each comparison alternates its servers round by round (median of the rounds, as the main table).
Loopback only; every run is bounded by wrk's duration or request count and a timeout.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from load import Load, run_wrk
from servers import Server, athena_reads, athena_token, first_200, free_port, rss_mib, sandbox

__all__ = ["print_scale", "rss_growth", "worker_rows"]


def _alternate(
    servers: dict[str, Server], config: dict[str, Any], seconds: int, rounds: int
) -> list[dict[str, Any]]:
    """Per read, each server's median round by req/s; the first server's ratio against the others."""
    auth = {name: {"Authorization": f"Bearer {athena_token(s, config)}"} for name, s in servers.items()}
    rows = []
    for read, path in athena_reads(config).items():
        runs: dict[str, list[Load]] = {name: [] for name in servers}
        for _ in range(rounds):
            for name, server in servers.items():
                load = run_wrk(
                    server.url("athena", path), auth[name], threads=2, conns=16, seconds=seconds, post=False
                )
                runs[name].append(load)
        for name in servers:
            median = sorted(runs[name], key=lambda load: load.rps)[rounds // 2]
            rows.append(
                {"request": read, "server": name, **median.as_dict(), "load_1m": round(os.getloadavg()[0], 1)}
            )
    return rows


def worker_rows(config: dict[str, Any], seconds: int, rounds: int) -> list[dict[str, Any]]:
    """One worker against two over a store file each (2 cores shared with wrk: CPU-bound, no target)."""
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp, ExitStack() as stack:
        servers = {}
        for count in (1, 2):
            store = Path(tmp) / f"w{count}.sqlite"
            args = ("--workers", str(count), "--no-access-log")
            servers[f"{count} worker{'s' if count > 1 else ''}"] = stack.enter_context(
                sandbox(free_port(), store, *args)
            )
        for server in servers.values():
            first_200(server.root + "/health", {}, server=server)
        return _alternate(servers, config, seconds, rounds)


def _advance_clock(server: Server, seconds: int) -> None:
    request = urllib.request.Request(
        server.root + "/_sandbox/clock",
        data=json.dumps({"advance_seconds": seconds}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def _mixed_cycle(config: dict[str, Any], token: str) -> list[bytes]:
    """One cycle of the mixed load: reads of every API, token requests and one reply in 61 requests."""
    athena = config["apis"]["athena"]
    oauth = athena["auth"]["oauth2"]
    basic = base64.b64encode(f"{oauth['client_id']}:{oauth['client_secret']}".encode()).decode()
    ids = athena["ids"]
    patient = f"/athena/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage"
    oracle = config["apis"]["oracle"]
    mdhq = config["apis"]["mdhq"]
    login = mdhq["auth"]["basic"]
    mdhq_basic = base64.b64encode(f"{login['username']}:{login['password']}".encode()).decode()
    bearer = f"Bearer {token}"
    small = int(oracle["ids"]["patientId"]) + 1  # the small patient: the large one's list is 1 MB
    oracle_bearer = f"Bearer {oracle['auth']['bearer_token']}"

    def get(path: str, auth: str) -> bytes:
        return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n\r\n".encode()

    def post(path: str, auth: str, form: str) -> bytes:
        return (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(form)}\r\n\r\n{form}"
        ).encode()

    cycle = []
    for page in range(10):
        cycle += [
            get(f"{patient}/inboxmessages?limit=50", bearer),
            get(f"{patient}/{ids['messagethreadid']}", bearer),
            get(f"{patient}/sentmessages?limit=10&offset={page * 10}", bearer),
            get(f"/oracle/20241001/patientMessages/inboxItems?patientId={small}", oracle_bearer),
            get(f"/mdhq/api/v1/patients/{mdhq['ids']['pt_id']}/portal/enqueued", f"Basic {mdhq_basic}"),
            post(f"/athena{oauth['token_url']}", f"Basic {basic}", "grant_type=client_credentials"),
        ]
    # One reply per cycle: the thread grows slowly, as a real one would.
    cycle.append(post(f"{patient}/{ids['messagethreadid']}/reply", bearer, "text=bench+reply"))
    return cycle


async def _one_connection(port: int, cycle: list[bytes], start: int, count: int, statuses: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for n in range(start, start + count):
            writer.write(cycle[n % len(cycle)])
            head = await reader.readuntil(b"\r\n\r\n")
            statuses.append(int(head[9:12]))
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
    finally:
        writer.close()


def _mixed(server: Server, config: dict[str, Any], count: int, token: str, conns: int = 8) -> list[int]:
    """`count` requests over `conns` keep-alive connections; the status of each."""
    port = int(server.root.rsplit(":", 1)[1])
    cycle = _mixed_cycle(config, token)
    statuses: list[int] = []
    share = count // conns

    async def run() -> None:
        await asyncio.wait_for(
            asyncio.gather(*(_one_connection(port, cycle, i * 7, share, statuses) for i in range(conns))),
            timeout=600,
        )

    asyncio.run(run())
    return statuses


def rss_growth(config: dict[str, Any], *, total: int = 100_000, warmup: int = 10_000) -> dict[str, Any]:
    """RSS of a `--store FILE` sandbox after warm-up and after `total` mixed requests, tokens included.

    The sandbox clock moves on two hours between batches (control API), so expired tokens are due for
    the purge; each batch starts with a fresh token.
    """
    batches = 10
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        store = Path(tmp) / "rss.sqlite"
        with sandbox(free_port(), store, "--no-access-log") as server:
            first_200(server.root + "/health", {}, server=server)
            statuses = _mixed(server, config, warmup, athena_token(server, config))
            before = rss_mib(server)
            size_before = store.stat().st_size
            started = time.monotonic()
            for _ in range(batches):
                _advance_clock(server, 7200)
                statuses += _mixed(server, config, total // batches, athena_token(server, config))
            seconds = time.monotonic() - started
            after = rss_mib(server)
            tokens = _count_tokens(store)
            size_after = store.stat().st_size
    return {
        "requests": len(statuses),
        "statuses": {str(code): statuses.count(code) for code in sorted(set(statuses))},
        "warmup": warmup,
        "rss_after_warmup_mib": round(before, 1),
        "rss_after_mib": round(after, 1),
        "growth_mib": round(after - before, 1),
        "tokens_in_store": tokens,
        "store_mib_before_after": [round(size_before / 2**20, 1), round(size_after / 2**20, 1)],
        "seconds": round(seconds, 1),
        "load_1m": round(os.getloadavg()[0], 1),
    }


def _count_tokens(store: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(store)
    try:
        (count,) = conn.execute("SELECT COUNT(*) FROM athena_token").fetchone()
        return int(count)
    finally:
        conn.close()


def print_scale(title: str, rows: list[dict[str, Any]]) -> None:
    print(title)
    for read in dict.fromkeys(row["request"] for row in rows):
        mine = [row for row in rows if row["request"] == read]
        first = mine[0]
        for row in mine:
            ratio = f"{row['rps'] / first['rps']:.2f}x" if first["rps"] else ""
            print(
                f"  {read:<24} {row['server']:<16} {row['rps']:>8.0f} req/s  p50 {row['p50_ms']:>6.1f} ms  "
                f"p99 {row['p99_ms']:>6.1f} ms  {ratio:>6} of {first['server']}  (load {row['load_1m']:.1f})"
            )
