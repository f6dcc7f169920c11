"""Run wrk against one URL and parse what it prints."""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Load", "run_wrk"]

REPLY_LUA = Path(__file__).resolve().parent / "reply.lua"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
_SIZES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    bytes_per_response: float
    requests: int
    non_2xx: int

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in asdict(self).items()}


def run_wrk(
    url: str,
    headers: dict[str, str],
    *,
    threads: int,
    conns: int,
    seconds: int,
    post: bool,
    cpu: int | None = None,
) -> Load:
    """wrk's figures for `url`; `cpu` pins wrk to that CPU (taskset), away from a pinned server."""
    cmd = ["taskset", "-c", str(cpu)] if cpu is not None else []
    cmd += ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if post:
        cmd += ["-s", str(REPLY_LUA)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    return _parse(out)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def _parse(out: str) -> Load:
    # Anchored: the thread stats above the distribution hold percentages such as "62.50%".
    p50 = re.search(r"^\s+50%\s+(\S+)\s*$", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)\s*$", out, re.MULTILINE)
    total = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not (p50 and p99 and total and rps):
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    requests = int(total.group(1))
    read = float(total.group(2)) * _SIZES[total.group(3)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        bytes_per_response=read / max(requests, 1),
        requests=requests,
        non_2xx=int(bad.group(1)) if bad else 0,
    )
