"""Every Oracle requirement is proven able to fail: its planted defect fails it and only its category.

One sandbox for the module; each case runs the kit with `--only` its requirement and few generated
examples (`--strict` for a SHOULD, in the case's options). The clean runs select every requirement
the cases select, through the same proxies without their defect, and pass: one strict run for all,
one with the two-tenant config for ORA-AUTH-004.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from defect_proxy import DefectProxy
from defects.oracle import CASES, CORRECT_TENANTS, TENANT_CONFIG, proven_requirements
from kit_harness import KitRun, Sandbox, run_kit
from patientmsg.conformance.catalogue import load_catalogue

FEW = ("--max-examples", "3")


def _outside(run: KitRun, category: str) -> set[str]:
    """Requirements failed outside the category: a defect must fail its own requirement only."""
    assert run.report is not None
    return {
        r["requirement"]
        for r in run.report["results"]
        if r["status"] == "failed" and r["category"] != category
    }


def test_every_oracle_requirement_has_a_planted_defect() -> None:
    ids = {requirement.id for requirement in load_catalogue("oracle").requirements}
    assert sorted(ids - proven_requirements()) == []
    assert sorted(proven_requirements() - ids) == []


@pytest.mark.parametrize("name", list(CASES))
def test_planted_defect_fails_its_requirement_only(sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    api, defect, options, expected, category = CASES[name]
    with DefectProxy(sandbox.url, defect) as proxy:
        run = run_kit("--api", api, "--base-url", f"{proxy.url}/{api}", *FEW, *options, tmp_path=tmp_path)
    assert run.exit_code == 1, run.stdout
    assert expected <= run.failed(), run.stdout
    assert _outside(run, category) == set(), run.stdout
    for requirement in expected:
        failures = run.result(requirement)["failures"]
        assert failures and all(f["curl"].startswith("curl ") for f in failures)


def test_without_a_defect_every_selection_passes(sandbox: Sandbox, tmp_path: Path) -> None:
    """The proxy plants nothing by itself: one strict run over all the cases' requirements."""
    selected = [flag for requirement in sorted(proven_requirements()) for flag in ("--only", requirement)]
    with DefectProxy(sandbox.url) as proxy:
        run = run_kit(
            "--api",
            "oracle",
            "--base-url",
            f"{proxy.url}/oracle",
            *FEW,
            "--strict",
            *selected,
            tmp_path=tmp_path,
        )
    assert run.exit_code == 0, run.stdout
    assert run.report is not None
    unpassed = {r["requirement"] for r in run.report["results"] if r["status"] != "passed"}
    # The sandbox has no second tenant (ORA-AUTH-004: below, with one) and sends no opc-next-page, as
    # the document's service "returns 1 page" (ORA-PAG-005, a SHOULD: skipped, not passed).
    assert unpassed == {"ORA-AUTH-004", "ORA-PAG-005"}, run.stdout


def test_two_correct_tenants_pass_the_tenant_requirement(sandbox: Sandbox, tmp_path: Path) -> None:
    with DefectProxy(sandbox.url, CORRECT_TENANTS) as proxy:
        run = run_kit(
            "--api",
            "oracle",
            "--base-url",
            f"{proxy.url}/oracle",
            "--config",
            str(TENANT_CONFIG),
            "--only",
            "ORA-AUTH-004",
            tmp_path=tmp_path,
        )
    assert run.exit_code == 0, run.stdout
    assert run.result("ORA-AUTH-004")["status"] == "passed", run.stdout
