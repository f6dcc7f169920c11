"""Instructions per request of a live sandbox, counted by Valgrind: what the developer tools cost, exactly.

Timings on this 2-core machine swing by more than the journal costs; an instruction count does not.
Each variant is a real `patientmsg serve` under `valgrind --tool=cachegrind`, read over one keep-alive
connection from 127.0.0.1, once with SHORT reads and once with LONG; the difference of the two totals,
divided by LONG - SHORT, is one read's instructions with start-up and shutdown cancelled out. Same
hash seed and no address randomisation (servers.py), so a run gives the same figures to within a few
hundred instructions. Caches and the CPU's other costs are not in it: that is what tools.py measures.
Needs Debian's valgrind. Usage: .venv/bin/python bench/instructions.py [--reads inbox,thread]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from servers import NOW, athena_reads, free_port, spawn_prefix

__all__ = ["VARIANTS", "instruction_rows", "print_instructions"]

SHORT, LONG = 200, 2200
WORLD = "bench-job"
# name -> (serve arguments, in a named world with a fault rule that does not match the reads)
VARIANTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "journal off": (("--no-access-log", "--journal-size", "0"), False),
    "journal on": (("--no-access-log",), False),
    "journal on + world + rule": (("--no-access-log",), True),
    "access log on (default serve)": ((), False),
}


def _reads(port: int, path: str, count: int, world: bool, config: dict[str, Any]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    named = {"Patientmsg-Sandbox": WORLD} if world else {}
    oauth = config["apis"]["athena"]["auth"]["oauth2"]
    basic = base64.b64encode(f"{oauth['client_id']}:{oauth['client_secret']}".encode()).decode()
    form = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
    conn.request("POST", oauth["token_url"], body="grant_type=client_credentials", headers={**form, **named})
    token = json.loads(conn.getresponse().read())["access_token"]
    if world:
        rule = {"match": {"api": "oracle"}, "effect": {"type": "status", "status": 503}}
        conn.request(
            "POST",
            "/_sandbox/faults",
            body=json.dumps(rule),
            headers={"Content-Type": "application/json", **named},
        )
        answer = conn.getresponse()
        answer.read()
        if answer.status != 201:
            raise RuntimeError(f"the fault rule was refused: {answer.status}")
    headers = {"Authorization": f"Bearer {token}", **named}
    for _ in range(count):
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{path} answered {answer.status}")
    conn.close()


def _count(args: tuple[str, ...], world: bool, path: str, reads: int, config: dict[str, Any]) -> int:
    """The server's total instructions over start-up, one token, `reads` reads and shutdown."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cachegrind.out"
        cmd = [
            *spawn_prefix(),
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            f"--cachegrind-out-file={out}",
        ]
        cmd += [sys.executable, "-m", "patientmsg", "serve", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--now", NOW, *args]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        try:
            deadline = time.monotonic() + 600  # start-up under Valgrind is slow; bounded all the same
            while True:
                try:
                    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    probe.request("GET", "/health")
                    probe.getresponse().read()
                    probe.close()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("the sandbox under valgrind never answered /health") from None
                    time.sleep(0.5)
            _reads(port, path, reads, world, config)
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=600)
    found = re.search(r"I\s+refs:\s+([\d,]+)", err.decode(errors="replace"))
    if found is None:
        raise RuntimeError("valgrind printed no instruction count")
    return int(found.group(1).replace(",", ""))


def _per_read(args: tuple[str, ...], world: bool, path: str, config: dict[str, Any]) -> float:
    return (_count(args, world, path, LONG, config) - _count(args, world, path, SHORT, config)) / (
        LONG - SHORT
    )


def instruction_rows(config: dict[str, Any], reads: list[str]) -> list[dict[str, Any]]:
    """Per read and variant: instructions per request, and journal off's count divided by it."""
    paths = {name.removeprefix("athena ").split(" ")[0]: path for name, path in athena_reads(config).items()}
    jobs = [(read, name) for read in reads for name in VARIANTS]
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        counts = list(pool.map(lambda job: _per_read(*VARIANTS[job[1]], paths[job[0]], config), jobs))
    found = dict(zip(jobs, counts, strict=True))
    rows = []
    for read, name in jobs:
        base = "journal on" if name.startswith("access log") else "journal off"
        rows.append(
            {
                "request": read,
                "server": name,
                "against": base,
                "instructions": round(found[(read, name)]),
                "ratio": round(found[(read, base)] / found[(read, name)], 3),
            }
        )
    return rows


def print_instructions(rows: list[dict[str, Any]]) -> None:
    print("instructions per request of a live serve (valgrind; ratio: the baseline's count over this one):")
    for row in rows:
        print(
            f"  {row['request']:<7} {row['server']:<30} {row['instructions']:>9,} instructions  "
            f"({row['ratio']:.3f} against {row['against']})"
        )


def main() -> None:
    from patientmsg.fixtures import sandbox_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", default="inbox,thread", help="athena reads, comma-separated: inbox,thread")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    rows = instruction_rows(sandbox_config("default", seed=1), args.reads.split(","))
    print_instructions(rows)


if __name__ == "__main__":
    main()
