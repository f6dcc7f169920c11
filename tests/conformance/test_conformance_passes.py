"""The kit passes against the sandbox, every API: by default, then with --strict --allow-writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from defect_proxy import DefectProxy
from kit_harness import Sandbox, run_kit

APIS = ("athena", "oracle", "mdhq")
# Fewer generated cases than the default (100) keeps the suite quick; probes run in full.
EXAMPLES = ("--max-examples", "15")


@pytest.mark.parametrize("api", APIS)
def test_default_run_passes_and_changes_nothing(sandbox: Sandbox, tmp_path: Path, api: str) -> None:
    with DefectProxy(sandbox.url) as proxy:
        run = run_kit("--api", api, "--base-url", f"{proxy.url}/{api}", *EXAMPLES, tmp_path=tmp_path)
    assert run.exit_code == 0, run.stdout
    # Safe by default: nothing but reads, 405 probes with safe methods, and athena's token requests.
    unsafe = {(method, path) for method, path in proxy.seen if method not in ("GET", "OPTIONS", "TRACE")}
    assert unsafe <= {("POST", "/athena/oauth2/v1/token")}
    assert len(proxy.seen) > 30
    assert run.report is not None and run.report["passed"] is True
    statuses = {r["status"] for r in run.report["results"]}
    assert statuses <= {"passed", "skipped"}
    # Without --allow-writes the behaviour requirements that change state are skipped, and say why.
    writes = [r for r in run.report["results"] if r["status"] == "skipped" and "BEH" in r["requirement"]]
    assert all("allow-writes" in run.stdout for _ in writes)


@pytest.mark.parametrize("api", APIS)
def test_strict_run_with_writes_passes(sandbox: Sandbox, tmp_path: Path, api: str) -> None:
    run = run_kit(
        "--api",
        api,
        "--base-url",
        sandbox.base(api),
        *EXAMPLES,
        "--strict",
        "--allow-writes",
        tmp_path=tmp_path,
    )
    assert run.exit_code == 0, run.stdout
    assert run.report is not None
    failed = [r["requirement"] for r in run.report["results"] if r["status"] == "failed"]
    assert failed == []
    passed = {r["requirement"] for r in run.report["results"] if r["status"] == "passed"}
    # The state-changing behaviour requirements really ran.
    expected = {
        "athena": {"ATH-BEH-001", "ATH-BEH-002", "ATH-BEH-004"},
        "oracle": set(),
        "mdhq": {"MDHQ-BEH-001", "MDHQ-BEH-002", "MDHQ-BEH-003", "MDHQ-BEH-006"},
    }[api]
    assert expected <= passed


def test_repeated_writes_keep_passing(sandbox: Sandbox, tmp_path: Path) -> None:
    """The delete probe picks an open request from the list, so a second run still has one to delete."""
    run = run_kit(
        "--api",
        "mdhq",
        "--base-url",
        sandbox.base("mdhq"),
        "--only",
        "behaviour",
        "--allow-writes",
        tmp_path=tmp_path,
    )
    assert run.exit_code == 0, run.stdout
    assert run.result("MDHQ-BEH-001")["status"] == "passed"
