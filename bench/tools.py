"""What the developer tools cost the vendor endpoints: journal off, on, and on with a world and a rule.

Three sandboxes (`serve --no-access-log`, one worker each) on 127.0.0.1, and a fourth like the first
whose ratio shows the noise floor, all started alike (servers.py: one hash seed, no address
randomisation). The tools cost a few µs of a ~120 µs read, less than this 2-core machine's drift
over a few seconds, so the sandboxes are measured in one-second wrk slices interleaved, the order
rotating each slice. A slice group is one slice of each; in each group every variant's req/s is
divided by the first variant's, a round's ratio is the median of its groups', and the figure
printed is the median of the rounds'. With two or more CPUs each sandbox is pinned to CPU 0 and
wrk (one thread) to CPU 1, so neither waits for the other's scheduling. Besides req/s, each slice
reads the sandbox's own CPU time per request (/proc), compared in the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import urllib.request
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from load import Load, run_wrk
from servers import Server, athena_reads, athena_token, first_200, free_port, sandbox

__all__ = [
    "ACCESS_LOG",
    "DEFAULT_SERVE",
    "RING_SIZES",
    "TOGGLED",
    "WORLD",
    "print_sliced",
    "sliced_rows",
    "toggled_rows",
    "tools_rows",
]

WORLD = "bench-job"
# Each comparison's last variant is its first again: how far two identical sandboxes differ here,
# the noise floor of the ratios.
VARIANTS: dict[str, tuple[str, ...]] = {
    "journal off": ("--no-access-log", "--journal-size", "0"),
    "journal on": ("--no-access-log",),
    "journal on + world + rule": ("--no-access-log",),
    "journal off, again": ("--no-access-log", "--journal-size", "0"),
}
# The journal in `make sandbox`'s own configuration: there the access log already wraps send when
# the journal is off, and the journal's exchange writes the log's line when it is on.
DEFAULT_SERVE: dict[str, tuple[str, ...]] = {
    "journal off, access log on": ("--journal-size", "0"),
    "journal on, access log on": (),
    "journal off again, access log on": ("--journal-size", "0"),
}
# Where the journal's cost lies: the same code keeping 1, 100 or 1,000 entries (the default).
RING_SIZES: dict[str, tuple[str, ...]] = {
    "journal off": ("--no-access-log", "--journal-size", "0"),
    "journal of 1 entry": ("--no-access-log", "--journal-size", "1"),
    "journal of 100 entries": ("--no-access-log", "--journal-size", "100"),
    "journal of 1,000 entries": ("--no-access-log", "--journal-size", "1000"),
    "journal off, again": ("--no-access-log", "--journal-size", "0"),
}
# The journal paused and resumed in one sandbox (toggled_rows); the last is the first again, the
# noise floor of one process.
TOGGLED = ("journal paused", "journal on", "journal paused, again")
ACCESS_LOG: dict[str, tuple[str, ...]] = {
    "--no-access-log": ("--no-access-log",),
    "access log on": (),
    "--no-access-log, again": ("--no-access-log",),
}


def _pinning() -> tuple[int, int] | None:
    """(server CPU, wrk CPU), or None where there is no second CPU or no taskset."""
    if (os.cpu_count() or 1) < 2 or shutil.which("taskset") is None:
        return None
    return (0, 1)


def _send(url: str, method: str, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        loaded: dict[str, Any] = json.loads(response.read())
        return loaded


def _prepare(server: Server, name: str, config: dict[str, Any]) -> dict[str, str]:
    """The headers of this variant's reads: a token (in its world), and for the last a fault rule."""
    world = {"Patientmsg-Sandbox": WORLD} if "world" in name else {}
    token = athena_token(server, config, world)
    if "rule" in name:  # a rule that never matches these reads: the matching cost only
        rule = {"match": {"api": "oracle"}, "effect": {"type": "status", "status": 503}}
        _send(server.root + "/_sandbox/faults", "POST", rule, world)
    return {"Authorization": f"Bearer {token}", **world}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tools_rows(
    config: dict[str, Any], seconds: int, rounds: int, *, log: bool = False
) -> list[dict[str, Any]]:
    """Journal off, on, and on with a named world and a fault rule."""
    return sliced_rows(VARIANTS, config, seconds, rounds, log=log)


def sliced_rows(
    variants: dict[str, tuple[str, ...]],
    config: dict[str, Any],
    seconds: int,
    rounds: int,
    *,
    log: bool = False,
    envs: dict[str, dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Each variant's sandbox (`serve` with its arguments, and its `envs` entry added to its
    environment), every ratio against the first variant."""
    with ExitStack() as stack:
        servers: dict[str, Server] = {}
        for name, extra in variants.items():
            env = (envs or {}).get(name)
            server = stack.enter_context(sandbox(free_port(), None, *extra, env=env))
            servers[name] = server
        _start(servers.values())
        headers = {name: _prepare(server, name, config) for name, server in servers.items()}
        return _slices(servers, headers, config, seconds, rounds, log=log)


def toggled_rows(
    extra: tuple[str, ...], config: dict[str, Any], seconds: int, rounds: int, *, log: bool = False
) -> list[dict[str, Any]]:
    """One sandbox (`serve` with `extra`), its journal paused and resumed between slices
    (PATCH /_sandbox/requests): journal on against paused in the same process, so that where the
    process's memory landed is the same for both. A paused journal costs a request what
    `--journal-size 0` does; the ring stays full, so an "on" slice evicts an entry per request."""
    with sandbox(free_port(), None, *extra) as server:
        _start([server])
        recording = {name: name.startswith("journal on") for name in TOGGLED}
        servers = dict.fromkeys(TOGGLED, server)
        headers = {name: _prepare(server, name, config) for name in TOGGLED}

        def switch(name: str) -> None:
            _send(server.root + "/_sandbox/requests", "PATCH", {"recording": recording[name]})

        switch("journal on")  # and the ring filled before the first slice
        first = next(iter(athena_reads(config).values()))
        run_wrk(server.root + first, headers["journal on"], threads=1, conns=4, seconds=1, post=False)
        return _slices(servers, headers, config, seconds, rounds, log=log, before=switch)


def _start(servers: Iterable[Server]) -> None:
    pinning = _pinning()
    for server in servers:
        first_200(server.root + "/health", {}, server=server)
        if pinning is not None:
            subprocess.run(
                ["taskset", "-pc", str(pinning[0]), str(server.proc.pid)], check=True, capture_output=True
            )


def _slices(
    servers: dict[str, Server],
    headers: dict[str, dict[str, str]],
    config: dict[str, Any],
    seconds: int,
    rounds: int,
    *,
    log: bool,
    before: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Interleaved one-second slices of each named server (`before(name)` runs ahead of its slice)."""
    pinning = _pinning()
    rows = []
    names = list(servers)
    for read, path in athena_reads(config).items():
        per_round: dict[str, list[dict[str, float]]] = {name: [] for name in names}
        for n in range(rounds):
            loads: dict[str, list[Load]] = {name: [] for name in names}
            cpu: dict[str, list[float]] = {name: [] for name in names}
            for k in range(max(1, seconds)):
                shift = (n * seconds + k) % len(names)
                for name in names[shift:] + names[:shift]:
                    server = servers[name]
                    if before is not None:
                        before(name)
                    started = _cpu_seconds(server.proc.pid)
                    load = run_wrk(
                        server.root + path,
                        headers[name],
                        threads=1 if pinning else 2,
                        conns=16,
                        seconds=1,
                        post=False,
                        cpu=pinning[1] if pinning else None,
                    )
                    cpu[name].append((_cpu_seconds(server.proc.pid) - started) / max(load.requests, 1))
                    if load.non_2xx:
                        raise RuntimeError(f"{name}: {load.non_2xx} non-2xx answers to {read}")
                    loads[name].append(load)
            first = names[0]
            for name in names:
                # Each slice is compared with the first variant's slice of the same group, a few
                # seconds apart: the machine's drift over a round cancels, and the median of the
                # group ratios leaves out the slice a neighbour's burst landed on.
                pairs = zip(loads[name], loads[first], strict=True)
                cpu_pairs = zip(cpu[name], cpu[first], strict=True)
                requests = sum(load.requests for load in loads[name])
                figures = {
                    "rps": requests / len(loads[name]),
                    "p99_ms": statistics.median(load.p99_ms for load in loads[name]),
                    "cpu_us": statistics.median(cpu[name]) * 1e6,
                    "ratio": statistics.median(mine.requests / theirs.requests for mine, theirs in pairs),
                    "cpu_ratio": statistics.median(theirs / mine for mine, theirs in cpu_pairs),
                }
                per_round[name].append(figures)
                if log:
                    print(
                        f"round {n + 1} {read:<22} {name:<26} {figures['rps']:8.0f} req/s "
                        f"({figures['ratio']:.3f})  p99 {figures['p99_ms']:5.1f} ms  "
                        f"{figures['cpu_us']:6.1f} µs CPU/request ({figures['cpu_ratio']:.3f})",
                        flush=True,
                    )
        for name in names:
            rows.append(
                {
                    "request": read,
                    "server": name,
                    "rps": round(statistics.median(r["rps"] for r in per_round[name]), 1),
                    "p99_ms": round(statistics.median(r["p99_ms"] for r in per_round[name]), 2),
                    "cpu_us": round(statistics.median(r["cpu_us"] for r in per_round[name]), 1),
                    "ratio": round(statistics.median(r["ratio"] for r in per_round[name]), 3),
                    "cpu_ratio": round(statistics.median(r["cpu_ratio"] for r in per_round[name]), 3),
                    "rounds": [round(r["ratio"], 3) for r in per_round[name]],
                    "pinned": pinning is not None,
                    "load_1m": round(os.getloadavg()[0], 1),
                }
            )
    return rows


def print_sliced(title: str, rows: list[dict[str, Any]]) -> None:
    pinned = rows[0]["pinned"] if rows else False
    print(
        f"{title} ({'pinned sandbox/wrk, ' if pinned else ''}one-second slices; ratio: median of the "
        "rounds' paired ratios, each round's shown after it):"
    )
    for row in rows:
        rounds = " ".join(f"{ratio:.3f}" for ratio in row["rounds"])
        print(
            f"  {row['request']:<22} {row['server']:<33} {row['rps']:>8.0f} req/s ({row['ratio']:.3f}; "
            f"{rounds})  p99 {row['p99_ms']:>5.1f} ms  {row['cpu_us']:>6.1f} µs CPU/request "
            f"({row['cpu_ratio']:.3f})  (load {row['load_1m']:.1f})"
        )
