"""Generated cases spread over two processes give the report one process gives, requirement by requirement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kit_harness import Sandbox, run_kit
from patientmsg.conformance.run import engine, runner

# Enough to give every list operation several responses; the split itself does not depend on it.
EXAMPLES = ("--max-examples", "6")


def _results(run: Any) -> list[tuple[str, str, int, int]]:
    assert run.report is not None, run.stdout
    return [(r["requirement"], r["status"], r["checked"], len(r["failures"])) for r in run.report["results"]]


def test_two_processes_check_what_one_checks(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # athena: six operations to read (Oracle's and MD HQ's reads are one operation each, never split).
    api = "athena"
    monkeypatch.setattr(runner, "engine_jobs", lambda **_: 1)
    one = run_kit("--api", api, "--base-url", sandbox.base(api), *EXAMPLES, tmp_path=tmp_path)
    monkeypatch.setattr(runner, "engine_jobs", lambda **_: 2)
    two = run_kit("--api", api, "--base-url", sandbox.base(api), *EXAMPLES, tmp_path=tmp_path)
    assert one.exit_code == two.exit_code == 0, two.stdout
    assert _results(two) == _results(one)
    # One process says each phase once; split, each operation's phases are said in turn.
    assert one.stdout.count("random valid and invalid requests") == 1
    assert two.stdout.count("random valid and invalid requests") == 6
    sent = one.stdout.splitlines()[-1].split("; ")[1].split(" in ")[0]
    assert sent.endswith(" requests") and f"; {sent} in " in two.stdout


def test_the_default_run_splits_only_where_it_pays() -> None:
    default = engine.engine_jobs(max_examples=200, allow_writes=False, rate_limit=None)
    assert default == min(engine.MAX_JOBS, engine.usable_cpus())
    # Writes in one operation change what another reads; a rate limit is per process; few examples.
    assert engine.engine_jobs(max_examples=200, allow_writes=True, rate_limit=None) == 1
    assert engine.engine_jobs(max_examples=200, allow_writes=False, rate_limit="10/s") == 1
    assert engine.engine_jobs(max_examples=3, allow_writes=False, rate_limit=None) == 1
