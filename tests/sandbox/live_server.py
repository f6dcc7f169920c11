"""A live `patientmsg serve` for the tests: it binds port 0 itself, and the banner says where."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sandbox_helpers import SEED

__all__ = ["READY_WITHIN", "serving", "stop", "wait_for_banner"]

# A bound on waiting, never an assertion about speed (start-up time belongs in `make bench`): generous,
# since several test runs may share the machine's two cores.
READY_WITHIN = 120.0
_BASE = re.compile(rb"^health: (http://127\.0\.0\.1:[0-9]+)/health$", re.MULTILINE)


def wait_for_banner(out: Path, process: subprocess.Popen[bytes]) -> str:
    """The base URL the banner names; the server binds port 0 itself, so no port is ever guessed."""
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline and process.poll() is None:
        found = _BASE.search(out.read_bytes())
        if found:
            return found.group(1).decode("ascii")
        time.sleep(0.05)
    raise AssertionError(f"no banner from patientmsg serve:\n{out.read_text()}")


@contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """Start `patientmsg serve --port 0`; yield (base URL, stdout file, process) once /health answers."""
    out = tmp_path / f"serve-{len(list(tmp_path.glob('serve-*.out')))}.out"
    command = [sys.executable, "-m", "patientmsg", "serve", "--port", "0", "--seed", str(SEED), *args]
    with out.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        base = wait_for_banner(out, process)
        deadline = time.monotonic() + READY_WITHIN
        # Bounded wait for the first 200 (a loop bound, not a measurement: its limit is generous).
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        else:
            pytest.fail(f"the sandbox never answered /health:\n{out.read_text()}")
        yield base, out, process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
