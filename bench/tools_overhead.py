"""What the developer tools cost the vendor endpoints: journal off, on, and on with a world and a rule.

Three sandboxes (`serve --no-access-log`, one worker each) on 127.0.0.1, alternated per round on the
same athena reads with wrk; prints the median of the rounds and the ratio to journal-off. A script,
not a test (timing never belongs in the tests). Usage: .venv/bin/python bench/tools_overhead.py [rounds]
"""

from __future__ import annotations

import base64
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack

from load import run_wrk
from patientmsg.fixtures import sandbox_config
from servers import NOW, free_port

VARIANTS = {
    "journal off": ["--journal-size", "0"],
    "journal on": [],
    "journal on + world + rule": [],
}
WORLD = "bench-job"


def _start(port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "patientmsg",
        "serve",
        "--port",
        str(port),
        "--now",
        NOW,
        "--no-access-log",
        *extra,
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"sandbox on {port} did not start")


def _call(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> dict[str, object]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=10) as response:
        loaded: dict[str, object] = json.loads(response.read())
        return loaded


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    athena = sandbox_config("default", seed=1)["apis"]["athena"]
    oauth, ids = athena["auth"]["oauth2"], athena["ids"]
    basic = base64.b64encode(f"{oauth['client_id']}:{oauth['client_secret']}".encode()).decode()
    base_path = f"/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage"
    reads = {
        "inbox limit=50": f"{base_path}/inboxmessages?limit=50",
        "thread": f"{base_path}/{ids['messagethreadid']}",
    }
    results: dict[tuple[str, str], list[float]] = {}
    p99: dict[tuple[str, str], list[float]] = {}
    with ExitStack() as stack:
        servers: dict[str, tuple[int, dict[str, str]]] = {}
        for name, extra in VARIANTS.items():
            port = free_port()
            process = _start(port, extra)
            stack.callback(process.wait, 10)
            stack.callback(process.terminate)
            headers = {"Patientmsg-Sandbox": WORLD} if "world" in name else {}
            token = _call(
                f"http://127.0.0.1:{port}/oauth2/v1/token",
                data=b"grant_type=client_credentials",
                headers={
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    **headers,
                },
            )["access_token"]
            if "rule" in name:  # a rule that never matches these reads: the matching cost only
                rule = {"match": {"api": "oracle"}, "effect": {"type": "status", "status": 503}}
                _call(
                    f"http://127.0.0.1:{port}/_sandbox/faults",
                    data=json.dumps(rule).encode(),
                    headers={"Content-Type": "application/json", **headers},
                )
            servers[name] = (port, {"Authorization": f"Bearer {token}", **headers})
        for n in range(rounds):
            for read, path in reads.items():
                # The order rotates each round, so no variant always runs right after another.
                names = list(servers)
                for name in names[n % len(names) :] + names[: n % len(names)]:
                    port, headers = servers[name]
                    load = run_wrk(
                        f"http://127.0.0.1:{port}{path}", headers, threads=2, conns=16, seconds=8, post=False
                    )
                    assert load.non_2xx == 0, (name, read)
                    results.setdefault((read, name), []).append(load.rps)
                    p99.setdefault((read, name), []).append(load.p99_ms)
                    print(
                        f"round {n + 1} {read:<15} {name:<26} {load.rps:8.0f} req/s"
                        f"  p99 {load.p99_ms:6.1f} ms",
                        flush=True,
                    )
    print()
    for read in reads:
        off = statistics.median(results[(read, "journal off")])
        for name in VARIANTS:
            median = statistics.median(results[(read, name)])
            tail = statistics.median(p99[(read, name)])
            print(
                f"{read:<15} {name:<26} median {median:8.0f} req/s  p99 {tail:6.1f} ms"
                f"  ratio {median / off:5.3f}"
            )


if __name__ == "__main__":
    main()
