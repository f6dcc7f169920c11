"""Every athena requirement is proven able to fail: its planted defect fails it and only its category.

One sandbox for the module; each case runs the kit with `--only` its requirement and few generated
examples, `--strict` for a SHOULD. The clean run at the end selects every requirement the cases
select, through the same proxy without a defect, and passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from defect_proxy import DefectProxy
from defects.athena import CASES, proven_requirements
from kit_harness import Sandbox, assert_fails_only, run_kit
from patientmsg.conformance.catalogue import load_catalogue

FEW = ("--max-examples", "3")


def _strict(requirements: set[str]) -> tuple[str, ...]:
    catalogue = load_catalogue("athena")
    return ("--strict",) if any(catalogue.by_id(r).level == "SHOULD" for r in requirements) else ()


def test_every_athena_requirement_has_a_planted_defect() -> None:
    ids = {requirement.id for requirement in load_catalogue("athena").requirements}
    assert sorted(ids - proven_requirements()) == []
    assert sorted(proven_requirements() - ids) == []


@pytest.mark.parametrize("name", list(CASES))
def test_planted_defect_fails_its_requirement_only(sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    api, defect, options, expected, category = CASES[name]
    with DefectProxy(sandbox.url, defect) as proxy:
        run = run_kit(
            "--api",
            api,
            "--base-url",
            f"{proxy.url}/{api}",
            *FEW,
            *_strict(expected),
            *options,
            tmp_path=tmp_path,
        )
    assert_fails_only(run, expected, category)


def test_without_a_defect_every_selection_passes(sandbox: Sandbox, tmp_path: Path) -> None:
    """The proxy plants nothing by itself: one strict run with writes over all the cases' requirements."""
    selected = [flag for requirement in sorted(proven_requirements()) for flag in ("--only", requirement)]
    with DefectProxy(sandbox.url) as proxy:
        run = run_kit(
            "--api",
            "athena",
            "--base-url",
            f"{proxy.url}/athena",
            *FEW,
            "--strict",
            "--allow-writes",
            *selected,
            tmp_path=tmp_path,
        )
    assert run.exit_code == 0, run.stdout
    assert run.report is not None
    statuses = {r["requirement"]: r["status"] for r in run.report["results"]}
    assert {r for r, status in statuses.items() if status != "passed"} == set(), run.stdout
