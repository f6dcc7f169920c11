"""Start and stop the servers under test (the sandbox, Prism) on 127.0.0.1, and read their RSS."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Server",
    "athena_reads",
    "athena_token",
    "first_200",
    "free_port",
    "prism",
    "rss_mib",
    "sandbox",
    "spawn_prefix",
]

BENCH = Path(__file__).resolve().parent
PRISM_BIN = BENCH / "node_modules" / ".bin" / "prism"
NOW = "2026-11-21T09:00:00Z"  # one clock for every run, so every run serves the same world


@dataclass
class Server:
    name: str
    root: str  # http://127.0.0.1:PORT
    proc: subprocess.Popen[bytes]
    mounted: bool  # the sandbox mounts each API at /<api>; a Prism instance serves one spec at its root

    def url(self, api: str, path: str) -> str:
        return self.root + (f"/{api}" if self.mounted else "") + path

    def errors(self) -> str:
        stderr = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
        return stderr.strip().splitlines()[-1] if stderr.strip() else "(no output)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def first_200(
    url: str, headers: dict[str, str], timeout: float = 120.0, server: Server | None = None
) -> float:
    """Seconds until `url` answers 200 (bounded by `timeout`; at once an error if `server` exits)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if server is not None and server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}: {server.errors()}")
        with contextlib.suppress(OSError):
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - start
        time.sleep(0.02)
    raise TimeoutError(f"{url} gave no 200 within {timeout:.0f}s")


def rss_mib(server: Server) -> float:
    """Resident memory of the server's process tree, in MiB (Linux /proc)."""
    pids = [server.proc.pid, *_children(server.proc.pid)]
    total_kib = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
    return total_kib / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


@functools.cache
def spawn_prefix() -> tuple[str, ...]:
    """The prefix that starts every server with the same address-space layout, where there is one.

    Two identical sandboxes differed by up to 14% in req/s here (bench/README.md, "Two identical
    sandboxes"): a process's hash seed and its randomised layout decide how its dicts collide and
    how its hot objects share cache lines. With one hash seed (PYTHONHASHSEED, set by `_spawn`)
    and no address randomisation they differed by less than 3%.
    """
    if shutil.which("setarch") is None:
        return ()
    probe = subprocess.run(["setarch", "-R", "true"], capture_output=True, check=False)
    return ("setarch", "-R") if probe.returncode == 0 else ()


def _spawn(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    # stderr is read only after an exit (a live server's log would fill the pipe otherwise).
    return subprocess.Popen(
        [*spawn_prefix(), *cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "PYTHONHASHSEED": "0", **(env or {})},
    )


@contextlib.contextmanager
def _running(
    name: str, port: int, cmd: list[str], *, mounted: bool, env: dict[str, str] | None = None
) -> Iterator[Server]:
    proc = _spawn(cmd, env)
    try:
        yield Server(name, f"http://127.0.0.1:{port}", proc, mounted)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def sandbox(
    port: int, store: Path | None = None, *extra: str, env: dict[str, str] | None = None
) -> contextlib.AbstractContextManager[Server]:
    """`patientmsg serve` on 127.0.0.1:`port`; `env` adds to its environment (e.g. a PYTHONPATH that
    puts another build of the package first, as versions.py does)."""
    cmd = [
        sys.executable,
        "-m",
        "patientmsg",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--now",
        NOW,
    ]
    if store is not None:
        cmd += ["--store", str(store)]
    return _running("sandbox", port, [*cmd, *extra], mounted=True, env=env)


def prism(spec: Path, port: int, *, dynamic: bool) -> contextlib.AbstractContextManager[Server]:
    cmd = [str(PRISM_BIN), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "error"]
    cmd += ["-d"] if dynamic else []
    name = "prism-dynamic" if dynamic else "prism-static"
    return _running(name, port, [*cmd, str(spec)], mounted=False)


def athena_token(server: Server, config: dict[str, Any], headers: dict[str, str] | None = None) -> str:
    """An athena bearer token from `server` (in the world `headers` name, when they name one)."""
    oauth = config["apis"]["athena"]["auth"]["oauth2"]
    basic = base64.b64encode(f"{oauth['client_id']}:{oauth['client_secret']}".encode()).decode()
    request = urllib.request.Request(
        server.url("athena", oauth["token_url"]),
        data=b"grant_type=client_credentials",
        method="POST",
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
            **(headers or {}),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        token: str = json.load(response)["access_token"]
        return token


def athena_reads(config: dict[str, Any]) -> dict[str, str]:
    """The two athena reads every comparison uses, by name: the inbox page and a thread."""
    ids = config["apis"]["athena"]["ids"]
    patient = f"/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage"
    return {
        "athena inbox limit=50": f"{patient}/inboxmessages?limit=50",
        "athena thread": f"{patient}/{ids['messagethreadid']}",
    }
