"""Harness for the conformance kit's tests: a sandbox process, the CLI run in process, free ports."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner
from patientmsg.cli import main

SANDBOX_NOW = "2026-11-21T09:00:00Z"
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Sandbox:
    url: str

    def base(self, api: str) -> str:
        return f"{self.url}/{api}"


def start_sandbox() -> tuple[subprocess.Popen[bytes], Sandbox]:
    # The server binds port 0 itself and its banner names the port: no port is picked, closed and
    # reused here, which another test run on the same machine could take in between.
    with tempfile.TemporaryFile() as banner:  # the server keeps its own descriptor of it
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "patientmsg",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--now",
                SANDBOX_NOW,
            ],
            stdout=banner,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        url = None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"sandbox exited with {process.returncode}: {err[-2000:]}")
            if url is None:
                banner.seek(0)
                found = re.search(
                    rb"^health: (http://127\.0\.0\.1:[0-9]+)/health$", banner.read(), re.MULTILINE
                )
                url = found.group(1).decode("ascii") if found else None
            try:
                if url is not None and requests.get(f"{url}/health", timeout=1).status_code == 200:
                    return process, Sandbox(url)
            except requests.RequestException:
                pass
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"sandbox did not answer /health within {START_TIMEOUT:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if process.stderr:
        process.stderr.close()


@dataclass
class KitRun:
    exit_code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def result(self, requirement: str) -> dict[str, Any]:
        assert self.report is not None, "run with json=True"
        for result in self.report["results"]:
            if result["requirement"] == requirement:
                found: dict[str, Any] = result
                return found
        raise AssertionError(f"{requirement} not in the report")

    def failed(self) -> set[str]:
        assert self.report is not None
        return {r["requirement"] for r in self.report["results"] if r["status"] == "failed"}


def run_kit(*args: str, tmp_path: Path | None = None, json_report: bool = True) -> KitRun:
    """`patientmsg check ...` in process (the same click command a user runs), with its JSON report."""
    argv = ["check", *args]
    report_path = None
    if json_report and tmp_path is not None:
        report_path = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.json"
        argv += ["--json", str(report_path)]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    report = json.loads(report_path.read_text()) if report_path and report_path.exists() else None
    return KitRun(result.exit_code, result.stdout, result.stderr, report)


def assert_only_passes(run: KitRun, proven: set[str]) -> None:
    """A clean run: exit 0, every selected requirement passed, and the selection is the proven set."""
    assert run.exit_code == 0, run.stdout
    assert run.report is not None
    statuses = {r["requirement"]: r["status"] for r in run.report["results"]}
    assert {r for r, status in statuses.items() if status != "passed"} == set(), run.stdout
    assert set(statuses) == proven


def assert_fails_only(run: KitRun, expected: set[str], category: str) -> None:
    """A planted defect's run: exit 1, its requirements failed with curl lines;
    nothing outside its category."""
    assert run.exit_code == 1, run.stdout
    assert expected <= run.failed(), run.stdout
    assert run.report is not None
    outside = {
        r["requirement"]
        for r in run.report["results"]
        if r["status"] == "failed" and r["category"] != category
    }
    assert outside == set(), run.stdout
    for requirement in expected:
        failures = run.result(requirement)["failures"]
        assert failures and all(f["curl"].startswith("curl ") for f in failures)
