"""The kit passes the portal sandbox: read-only by default; its writing probes pass run after run."""

from __future__ import annotations

from pathlib import Path

from defect_proxy import DefectProxy
from kit_harness import Sandbox, run_kit

# Few generated cases keep the suite quick; the probes run in full either way.
EXAMPLES = ("--max-examples", "5")


def test_default_portal_run_passes_and_changes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    with DefectProxy(sandbox.url) as proxy:
        run = run_kit("--api", "portal", "--base-url", f"{proxy.url}/portal", *EXAMPLES, tmp_path=tmp_path)
    assert run.exit_code == 0, run.stdout
    # Reads only, 405 probes with safe methods, and the logins at the token endpoint.
    unsafe = {(method, path) for method, path in proxy.seen if method not in ("GET", "OPTIONS", "TRACE")}
    assert unsafe <= {("POST", "/portal/token")}, unsafe
    assert run.report is not None and run.report["passed"] is True
    results = run.report["results"]
    assert {r["status"] for r in results} <= {"passed", "skipped"}
    skipped = {r["requirement"] for r in results if r["status"] == "skipped"}
    # What is skipped is exactly what needs writes, and the run says so.
    assert skipped == {r["requirement"] for r in results if "writes" in _needs(r["requirement"])}
    assert "needs --allow-writes" in run.stdout


def test_strict_portal_probes_with_writes_pass_again_and_again(sandbox: Sandbox, tmp_path: Path) -> None:
    """The probes write to the provider without limits (and lift provider_away's): no 429 on a rerun.

    The full strict run with writes (generated cases, stateful phase) is test_portal_defects.py's
    clean run; here the behaviour probes run three times on one sandbox, and pass each time.
    """
    for _ in range(3):
        run = run_kit(
            "--api",
            "portal",
            "--base-url",
            sandbox.base("portal"),
            "--only",
            "behaviour",
            "--strict",
            "--allow-writes",
            tmp_path=tmp_path,
        )
        assert run.exit_code == 0, run.stdout
        assert run.report is not None
        statuses = {r["requirement"]: r["status"] for r in run.report["results"]}
        assert len(statuses) == 49
        assert {r for r, status in statuses.items() if status != "passed"} == set(), run.stdout


def _needs(requirement_id: str) -> tuple[str, ...]:
    from patientmsg.conformance.catalogue import load_catalogue

    return load_catalogue("portal").by_id(requirement_id).needs
