"""The journal's cost per read, in process and deterministic: Valgrind's cache and branch model.

Timed runs on this shared 2-core machine swing by more than the journal costs (two identical
sandboxes 0.95-1.18 apart per round on 2026-12-03), and an instruction count (instructions.py)
leaves out what the journal costs most: cache misses and mispredicted branches. This runs the ASGI
app in process under `valgrind --tool=callgrind --cache-sim=yes --branch-sim=yes`, counting only
inside `functools.reduce` (each variant's batch of reads runs there, one dump per batch). Every read
completes without suspending (no socket), so it is driven by `coroutine.send`. Each variant reads
`--warm` times first: 1,100 fills the journal's ring of 1,000, so what the ring keeps is in the
figures. The estimate printed is Ir + 10 x (L1 misses) + 100 x (last-level misses) + 15 x
(mispredicted branches), per read; the ratio is journal off's estimate over the variant's.
Needs Debian's valgrind; ~12 min. Not run by `make bench`.
Usage: .venv/bin/python bench/cycles.py [--reads 100] [--warm 1100]
"""

from __future__ import annotations

import argparse
import base64
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from servers import spawn_prefix
from tools_cpu import http_scope, sandbox_app

__all__ = ["VARIANTS", "estimate"]

WORLD = b"bench-job"
# name -> (journal on, in a named world with a fault rule that does not match the reads)
VARIANTS: dict[str, tuple[bool, bool]] = {
    "journal off": (False, False),
    "journal on": (True, False),
    "journal on + world + rule": (True, True),
}


def _done(coroutine: Coroutine[Any, Any, Any]) -> Any:
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("a read suspended: it cannot be driven in process")


async def _call(
    app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> Any:
    scope = http_scope(method, path, headers, body)
    out: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        out.append(message)

    await app(scope, receive, send)
    return out


def _variant(journal: bool, world: bool) -> tuple[Any, list[tuple[bytes, bytes]]]:
    from patientmsg.fixtures import sandbox_config

    app = sandbox_app(journal)
    extra = [(b"patientmsg-sandbox", WORLD)] if world else []
    oauth = sandbox_config("default", seed=1)["apis"]["athena"]["auth"]["oauth2"]
    basic = base64.b64encode(f"{oauth['client_id']}:{oauth['client_secret']}".encode())
    form = [(b"authorization", b"Basic " + basic), (b"content-type", b"application/x-www-form-urlencoded")]
    answer = _done(_call(app, "POST", "/oauth2/v1/token", [*form, *extra], b"grant_type=client_credentials"))
    token = json.loads(answer[1]["body"])["access_token"].encode()
    if world:
        rule = json.dumps({"match": {"api": "oracle"}, "effect": {"type": "status", "status": 503}}).encode()
        answer = _done(
            _call(app, "POST", "/_sandbox/faults", [(b"content-type", b"application/json"), *extra], rule)
        )
        assert answer[0]["status"] == 201, answer
    return app, [(b"authorization", b"Bearer " + token), (b"accept", b"*/*"), *extra]


def _child(reads: int, warm: int) -> None:
    """Under Valgrind: every variant's batches, announced on stdout in the order they are dumped."""
    from patientmsg.fixtures import sandbox_config

    ids = sandbox_config("default", seed=1)["apis"]["athena"]["ids"]
    base = f"/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage"
    paths = {"inbox": f"{base}/inboxmessages?limit=50", "thread": f"{base}/{ids['messagethreadid']}"}
    apps = {name: _variant(*flags) for name, flags in VARIANTS.items()}
    for read, path in paths.items():
        for name, (app, headers) in apps.items():
            for _ in range(warm):
                assert _done(_call(app, "GET", path, headers))[0]["status"] == 200
            print(f"{read}\t{name}", flush=True)
            functools.reduce(lambda _, __: _done(_call(app, "GET", path, headers)), range(reads), None)


def estimate(events: dict[str, float]) -> float:
    misses = events["I1mr"] + events["D1mr"] + events["D1mw"]
    last_level = events["ILmr"] + events["DLmr"] + events["DLmw"]
    return events["Ir"] + 10 * misses + 100 * last_level + 15 * (events["Bcm"] + events["Bim"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=100)
    parser.add_argument("--warm", type=int, default=1100)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.reads, args.warm)
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = [
            *spawn_prefix(),
            "valgrind",
            "--tool=callgrind",
            "--cache-sim=yes",
            "--branch-sim=yes",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            "--dump-after=functools_reduce",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-W",
            "ignore",
            __file__,
            "--child",
            f"--reads={args.reads}",
            f"--warm={args.warm}",
        ]
        done = subprocess.run(
            cmd, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"}
        )
        batches = [line.split("\t") for line in done.stdout.splitlines() if "\t" in line]
        dumps = sorted(Path(tmp).glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
        if len(dumps) != len(batches):
            raise RuntimeError(f"{len(dumps)} dumps for {len(batches)} batches")
        first: dict[str, float] = {}
        for (read, name), dump in zip(batches, dumps, strict=True):
            text = dump.read_text()
            names = re.search(r"^events: (.*)$", text, re.M)
            totals = re.search(r"^(?:summary|totals): (.*)$", text, re.M)
            assert names and totals
            events = {
                k: int(v) / args.reads for k, v in zip(names[1].split(), totals[1].split(), strict=True)
            }
            cycles = estimate(events)
            first.setdefault(read, cycles)
            print(
                f"{read:<7} {name:<26} {events['Ir']:>9,.0f} instructions  {cycles:>10,.0f} estimated cycles"
                f"  ratio {first[read] / cycles:.3f}"
            )


if __name__ == "__main__":
    main()
