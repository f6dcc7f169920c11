"""`make bench`: the sandbox side by side with Stoplight Prism, on the same requests.

Installs what it needs (wrk from Debian, Prism from npm into bench/node_modules), starts the sandbox
(one worker) and Prism (dynamic and static) on the same spec, alternates them on each request, and
prints req/s, p50, p99, bytes per response, RSS and the sandbox/Prism ratio. Also: start-up time to
the first 200 (default world and the prebuilt `large` store) and `patientmsg check` wall time per API.
Writes bench/results/latest.json. A script, not a test: CI does not run it. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from importlib.resources import files
from pathlib import Path
from typing import Any

from load import Load, run_wrk
from patientmsg.fixtures import sandbox_config
from patientmsg.specs import APIS
from scale import print_scale, rss_growth, worker_rows
from servers import (
    BENCH,
    NOW,
    PRISM_BIN,
    Server,
    athena_token,
    first_200,
    free_port,
    prism,
    rss_mib,
    sandbox,
)
from tools import ACCESS_LOG, DEFAULT_SERVE, print_sliced, sliced_rows, toggled_rows, tools_rows

PRISM_VERSION = "5.14.2"
SPECS = Path(str(files("patientmsg.specs")))
LARGE_STORE = BENCH / ".cache" / "large-seed1.sqlite"


def ensure_tools() -> None:
    if shutil.which("wrk") is None:
        print("installing wrk (Debian) ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    if not PRISM_BIN.exists():
        print(
            f"installing @stoplight/prism-cli@{PRISM_VERSION} (npm, into bench/node_modules) ...", flush=True
        )
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(BENCH),
                "--no-audit",
                "--no-fund",
                "--silent",
                f"@stoplight/prism-cli@{PRISM_VERSION}",
            ],
            check=True,
        )


def ensure_large_store() -> None:
    if LARGE_STORE.exists():
        return
    LARGE_STORE.parent.mkdir(parents=True, exist_ok=True)
    print("building the large store once (bench/.cache) ...", flush=True)
    start = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "patientmsg",
            "fixtures",
            "build",
            "--scenario",
            "large",
            "--seed",
            "1",
            "--now",
            NOW,
            "--store",
            str(LARGE_STORE),
        ],
        check=True,
    )
    print(f"  built in {time.monotonic() - start:.0f}s", flush=True)


def requests_under_test(config: dict[str, Any]) -> list[dict[str, Any]]:
    athena, oracle = config["apis"]["athena"]["ids"], config["apis"]["oracle"]["ids"]
    patient = f"/v1/{athena['practiceid']}/patients/{athena['patientid']}/securemessage"
    return [
        {
            "name": "athena inbox limit=50",
            "api": "athena",
            "path": f"{patient}/inboxmessages?limit=50",
            "prism": True,
            "target": True,
        },
        {
            "name": "athena thread",
            "api": "athena",
            "path": f"{patient}/{athena['messagethreadid']}",
            "prism": True,
            "target": True,
        },
        {
            "name": "oracle inboxItems",
            "api": "oracle",
            "path": f"/20241001/patientMessages/inboxItems?patientId={oracle['patientId']}",
            "prism": True,
        },
        {
            "name": "athena limit=10000 (large, 1 conn)",
            "api": "athena",
            "large": True,
            "path": f"{patient}/inboxmessages?limit=10000",
            "prism": True,
            "conns": 1,
        },
        {
            "name": "athena reply (write)",
            "api": "athena",
            "post": True,
            "path": f"{patient}/{athena['messagethreadid']}/reply",
            "prism": False,
        },
    ]


def measure(server: Server, req: dict[str, Any], headers: dict[str, str], seconds: int) -> Load:
    conns = req.get("conns", 16)
    return run_wrk(
        server.url(req["api"], req["path"]),
        headers,
        threads=min(2, conns),
        conns=conns,
        seconds=seconds,
        post=req.get("post", False),
    )


def run_request(
    req: dict[str, Any], servers: list[Server], headers: dict[str, dict[str, str]], seconds: int, rounds: int
) -> list[dict[str, Any]]:
    """Alternate the servers on one request; keep each server's median round by req/s."""
    runs: dict[str, list[Load]] = {s.name: [] for s in servers}
    for _ in range(rounds):
        for server in servers:
            runs[server.name].append(measure(server, req, headers[server.name], seconds))
    rows = []
    for server in servers:
        loads = sorted(runs[server.name], key=lambda load: load.rps)
        row = {
            "request": req["name"],
            "server": server.name,
            **loads[len(loads) // 2].as_dict(),
            "rss_mib": round(rss_mib(server), 1),
            "load_1m": round(os.getloadavg()[0], 1),  # the machine's load when the rounds ended
        }
        rows.append(row)
    sandbox_rps = rows[0]["rps"]
    for row in rows[1:]:
        rows[0][f"ratio_vs_{row['server']}"] = round(sandbox_rps / row["rps"], 2) if row["rps"] else None
    return rows


def startup_times(config: dict[str, Any]) -> dict[str, float]:
    oracle = config["apis"]["oracle"]
    path = f"/oracle/20241001/patientMessages/inboxItems?patientId={oracle['ids']['patientId']}"
    auth = {"Authorization": f"Bearer {oracle['auth']['bearer_token']}"}
    times = {}
    for label, store in (("default (in memory)", None), ("large (prebuilt store)", LARGE_STORE)):
        port = free_port()
        with sandbox(port, store) as server:
            times[label] = round(first_200(f"http://127.0.0.1:{port}{path}", auth, server=server), 2)
    return times


def check_times() -> dict[str, dict[str, float]]:
    """Per API: a default `patientmsg check` against a fresh local sandbox; wall and the kit's CPU seconds."""
    times = {}
    for api in APIS:
        port = free_port()
        with sandbox(port) as server:
            first_200(f"http://127.0.0.1:{port}/health", {}, server=server)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.monotonic()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "patientmsg",
                    "check",
                    "--api",
                    api,
                    "--base-url",
                    server.url(api, ""),
                ],
                capture_output=True,
                text=True,
                timeout=600,
            )
            wall = time.monotonic() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            # The report's summary line: "...; 1175 requests in 15.8 s".
            sent = re.findall(r"(\d+) requests in", done.stdout)
            requests = int(sent[-1]) if sent else 0
            times[api] = {"wall_s": round(wall, 1), "kit_cpu_s": round(cpu, 1), "requests": requests}
            if done.returncode != 0:
                print(f"  note: check --api {api} exited {done.returncode}", flush=True)
    return times


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'request':<36} {'server':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'B/resp':>9} "
        f"{'RSS MiB':>8} {'vs dyn':>7} {'vs static':>9} {'load':>5}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        dyn, static = r.get("ratio_vs_prism-dynamic"), r.get("ratio_vs_prism-static")
        print(
            f"{r['request']:<36} {r['server']:<14} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['bytes_per_response']:>9.0f} {r['rss_mib']:>8.1f} "
            f"{(f'{dyn:.2f}x' if dyn else ''):>7} {(f'{static:.2f}x' if static else ''):>9} "
            f"{r['load_1m']:>5.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per request (median)")
    parser.add_argument("--skip-check", action="store_true", help="skip the patientmsg check timings")
    parser.add_argument("--only-check", action="store_true", help="only the patientmsg check timings")
    parser.add_argument(
        "--skip-scale", action="store_true", help="skip access log on/off, 1 vs 2 workers and RSS"
    )
    parser.add_argument(
        "--skip-tools", action="store_true", help="skip the developer tools' cost (journal on/off, worlds)"
    )
    args = parser.parse_args()
    if args.only_check:
        checks = check_times()
        print_checks(checks)
        _write_result({"check": checks})
        return
    ensure_tools()
    ensure_large_store()
    config = sandbox_config("default", seed=1)
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        ours = stack.enter_context(sandbox(free_port()))
        large = stack.enter_context(sandbox(free_port(), LARGE_STORE))
        prisms = {
            (api, dynamic): stack.enter_context(prism(SPECS / APIS[api], free_port(), dynamic=dynamic))
            for api in ("athena", "oracle")
            for dynamic in (True, False)
        }
        for server in (ours, large):
            first_200(server.root + "/health", {}, server=server)
        for server in prisms.values():
            _wait_prism(server)
        oracle_auth = f"Bearer {config['apis']['oracle']['auth']['bearer_token']}"
        auth = {
            id(ours): {"athena": f"Bearer {athena_token(ours, config)}", "oracle": oracle_auth},
            id(large): {"athena": f"Bearer {athena_token(large, config)}", "oracle": oracle_auth},
        }
        for req in requests_under_test(config):
            api = req["api"]
            mine = large if req.get("large") else ours
            servers = [mine] + ([prisms[(api, True)], prisms[(api, False)]] if req["prism"] else [])
            # Prism checks only that a bearer token is present; it gets the sandbox's.
            headers = {s.name: {"Authorization": auth[id(mine)][api]} for s in servers}
            print(f"measuring {req['name']} ...", flush=True)
            rows += run_request(req, servers, headers, args.seconds, args.rounds)
    scale: dict[str, Any] = {}
    if not args.skip_scale:
        print("measuring access log on/off, 1 vs 2 workers, RSS over 100k requests ...", flush=True)
        scale["access_log"] = sliced_rows(ACCESS_LOG, config, args.seconds, args.rounds)
        scale["workers"] = worker_rows(config, args.seconds, args.rounds)
        scale["rss"] = rss_growth(config)
    tools: list[dict[str, Any]] = []
    tools_default: list[dict[str, Any]] = []
    tools_one: list[dict[str, Any]] = []
    tools_one_default: list[dict[str, Any]] = []
    if not args.skip_tools:
        print(
            "measuring the developer tools: journal off/on, a named world with a fault rule ...", flush=True
        )
        tools = tools_rows(config, args.seconds, args.rounds)
        tools_default = sliced_rows(DEFAULT_SERVE, config, args.seconds, args.rounds)
        tools_one = toggled_rows(("--no-access-log",), config, args.seconds, args.rounds)
        tools_one_default = toggled_rows((), config, args.seconds, args.rounds)
    print("measuring start-up ...", flush=True)
    startup = startup_times(config)
    checks = {} if args.skip_check else (print("timing patientmsg check ...", flush=True) or check_times())
    print()
    print_table(rows)
    print()
    if scale:
        print_sliced("the default serve (access log on) against --no-access-log", scale["access_log"])
        print_scale(
            "1 against 2 workers over one --store (2 cores, wrk on the same machine):", scale["workers"]
        )
        rss = scale["rss"]
        print(
            f"RSS, --store FILE, {rss['requests']} mixed requests (tokens and replies included): "
            f"{rss['rss_after_warmup_mib']} MiB after {rss['warmup']} of warm-up, {rss['rss_after_mib']} MiB "
            f"after; growth {rss['growth_mib']} MiB; {rss['tokens_in_store']} tokens left in the store "
            f"(load {rss['load_1m']:.1f})"
        )
    if tools:
        print_sliced("developer tools (journal, worlds, fault rules) against journal off", tools)
        print_sliced("the journal in the default serve (access log on) against journal off", tools_default)
        print_sliced("the journal resumed against paused, in one sandbox (--no-access-log)", tools_one)
        print_sliced("the journal resumed against paused, in one sandbox (access log on)", tools_one_default)
    for label, seconds in startup.items():
        print(f"start-up to first 200, {label}: {seconds:.2f} s")
    print_checks(checks)
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": _machine(),
        "wrk": {"seconds": args.seconds, "rounds": args.rounds},
        "rows": rows,
        "startup_s": startup,
        "scale": scale,
        "tools": tools,
        "tools_default_serve": tools_default,
        "tools_one_process": tools_one,
        "tools_one_process_default_serve": tools_one_default,
        "check_s": checks,
    }
    _write_result(result)


def print_checks(checks: dict[str, dict[str, float]]) -> None:
    for api, run in checks.items():
        print(
            f"patientmsg check --api {api} (default run, local sandbox): {run['wall_s']:.1f} s wall, "
            f"{run['kit_cpu_s']:.1f} s kit CPU, {run['requests']:.0f} requests"
        )


def _write_result(result: dict[str, Any]) -> None:
    out = BENCH / "results" / ("latest.json" if "rows" in result else "check.json")
    out.parent.mkdir(exist_ok=True)
    result.setdefault("when", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    result.setdefault("machine", _machine())
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(BENCH.parent)}")


def _wait_prism(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(server.root + "/", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is listening
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{server.name} did not start")


def _machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


if __name__ == "__main__":
    main()
